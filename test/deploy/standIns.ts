/**
 * The base images the compose file and the Dockerfiles name, made here from
 * Debian's own packages because no registry image can be pulled:
 * - a Debian 12 root file system by `debootstrap --variant=minbase bookworm`,
 *   slimmed as Docker Hub's debian:bookworm-slim is (SLIM_FILES), imported as
 *   an image (tagged debian:bookworm-slim too, the TLS front's base);
 * - node:20-bookworm and node:20-bookworm-slim: that base plus this machine's
 *   own Node 20 (nodesource's nodejs package: its node binary and npm);
 * - redis:7-bookworm: that base plus Debian's redis-server.
 * Each is kept in podman's storage under a tag that ends with a hash of its
 * recipe (the Containerfile, the debootstrap command, the Node version), so it
 * is built once per machine and again only when its recipe changes; the
 * Docker Hub names are then pointed at it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageExists, podman, run } from './podman.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const STANDINS = join(HERE, 'standins');
const MIRROR = 'http://deb.debian.org/debian';

/** The apt sources of Docker Hub's debian:bookworm images (deb822), written into the base. */
const DEBIAN_SOURCES = `Types: deb
URIs: ${MIRROR}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;
const DEBOOTSTRAP_ARGS = ['--variant=minbase', 'bookworm'];

/**
 * What Docker Hub's debian:bookworm-slim adds to a minbase (debuerreotype's
 * "slimify" and its apt settings), so that the stand-in weighs what the real
 * base weighs and images built on it as much as they would on the real one:
 * no documentation, manual pages or translations installed by dpkg, and no
 * downloaded .debs or apt binary caches left in a layer after apt-get.
 */
const SLIM_FILES: Record<string, string> = {
  'etc/dpkg/dpkg.cfg.d/docker': `path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
`,
  'etc/apt/apt.conf.d/docker-clean': `DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
`,
  'etc/apt/apt.conf.d/docker-no-languages': 'Acquire::Languages "none";\n',
  'etc/apt/apt.conf.d/docker-gzip-indexes': 'Acquire::GzipIndexes "true";\n',
  'etc/apt/apt.conf.d/docker-autoremove-suggests': 'Apt::AutoRemove::SuggestsImportant "false";\n',
};

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 12);
}

export interface StandIns {
  /** The Debian 12 base (also tagged docker.io/library/debian:bookworm-slim). */
  base: string;
  node: string;
  redis: string;
  /** What was built this time (empty when every image came from the cache), with seconds taken. */
  built: Array<{ image: string; seconds: number }>;
}

async function timed(built: StandIns['built'], image: string, make: () => Promise<void>): Promise<void> {
  const start = Date.now();
  await make();
  built.push({ image, seconds: Math.round((Date.now() - start) / 1000) });
}

async function makeBase(tag: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-debootstrap-'));
  const rootfs = join(dir, 'rootfs');
  try {
    await run('debootstrap', [...DEBOOTSTRAP_ARGS, rootfs, MIRROR], { env: process.env, timeoutMs: 900_000 });
    rmSync(join(rootfs, 'etc/apt/sources.list'), { force: true });
    writeFileSync(join(rootfs, 'etc/apt/sources.list.d/debian.sources'), DEBIAN_SOURCES);
    for (const [path, content] of Object.entries(SLIM_FILES)) writeFileSync(join(rootfs, path), content);
    // No package lists or .debs in the image, and what the dpkg settings above
    // exclude removed from what debootstrap installed (as Docker Hub's slim images).
    const slimmed = ['var/lib/apt/lists/*', 'var/cache/apt/*.bin', 'var/cache/apt/archives/*.deb', 'usr/share/man/*', 'usr/share/info/*',
      'usr/share/groff/*', 'usr/share/lintian/overrides/*', 'usr/share/locale/*'].map((p) => `"${rootfs}"/${p}`);
    await run('sh', ['-c', `rm -rf ${slimmed.join(' ')} && find "${rootfs}/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete`], {
      env: process.env,
    });
    await run('tar', ['-C', rootfs, '--numeric-owner', '-cf', join(dir, 'rootfs.tar'), '.'], { env: process.env });
    await podman(['import', '--change', 'CMD ["bash"]', join(dir, 'rootfs.tar'), tag]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function build(tag: string, containerfile: string, base: string, extra: (ctx: string) => Promise<void> = async () => {}): Promise<void> {
  const ctx = mkdtempSync(join(tmpdir(), 'chantier-standin-'));
  try {
    await extra(ctx);
    await podman(
      ['build', '--network=host', '--pull=never', '--build-arg', `BASE=${base}`, '-f', join(STANDINS, containerfile), '-t', tag, ctx],
      { timeoutMs: 900_000 },
    );
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

const LOCAL_CAS = '/usr/local/share/ca-certificates';

/** The CA certificates this machine adds to Debian's (its TLS proxy's): the node stand-in trusts them too. */
function localCas(): Array<[name: string, pem: string]> {
  if (!existsSync(LOCAL_CAS)) return [];
  return readdirSync(LOCAL_CAS)
    .filter((name) => name.endsWith('.crt'))
    .sort()
    .map((name) => [name, readFileSync(join(LOCAL_CAS, name), 'utf8')]);
}

/** This machine's Node (the binary and npm of nodesource's nodejs package) as a tar to add at /, and its local CAs. */
async function packNode(ctx: string): Promise<void> {
  mkdirSync(join(ctx, 'ca'));
  for (const [name, pem] of localCas()) writeFileSync(join(ctx, 'ca', name), pem);
  await run('tar', ['-C', '/', '-cf', join(ctx, 'node.tar'), 'usr/bin/node', 'usr/bin/npm', 'usr/bin/npx', 'usr/lib/node_modules/npm'], {
    env: process.env,
  });
}

function npmVersion(): string {
  return (JSON.parse(readFileSync('/usr/lib/node_modules/npm/package.json', 'utf8')) as { version: string }).version;
}

/** Makes (or finds in podman's storage) the stand-ins and points the Docker Hub names at them. */
export async function ensureStandIns(): Promise<StandIns> {
  const built: StandIns['built'] = [];
  const recipe = (file: string) => readFileSync(join(STANDINS, file), 'utf8');

  const baseHash = hash(DEBOOTSTRAP_ARGS.join(' '), MIRROR, DEBIAN_SOURCES, JSON.stringify(SLIM_FILES));
  const base = `localhost/chantier-standin/debian:bookworm-${baseHash}`;
  if (!(await imageExists(base))) await timed(built, base, () => makeBase(base));

  const nodeHash = hash(baseHash, recipe('node.Containerfile'), process.version, npmVersion(), ...localCas().flat());
  const node = `localhost/chantier-standin/node:20-bookworm-${nodeHash}`;
  if (!process.version.startsWith('v20.')) throw new Error(`the node stand-in copies this machine's Node, which is ${process.version}, not 20`);
  if (!(await imageExists(node))) await timed(built, node, () => build(node, 'node.Containerfile', base, packNode));

  const redisHash = hash(baseHash, recipe('redis.Containerfile'));
  const redis = `localhost/chantier-standin/redis:7-bookworm-${redisHash}`;
  if (!(await imageExists(redis))) await timed(built, redis, () => build(redis, 'redis.Containerfile', base));

  // Stand-ins of earlier recipes lose their tags (then dangling: `podman image prune` frees their space).
  const current = new Set([base, node, redis]);
  const listed = await podman(['images', '--filter', 'reference=localhost/chantier-standin/*', '--format', '{{.Repository}}:{{.Tag}}']);
  const stale = listed.stdout.split('\n').filter((tag) => tag && !current.has(tag));
  for (const tag of stale) await podman(['untag', tag, tag], { okCodes: [0, 125] });

  await podman(['tag', base, 'docker.io/library/debian:bookworm-slim']);
  await podman(['tag', node, 'docker.io/library/node:20-bookworm', 'docker.io/library/node:20-bookworm-slim']);
  await podman(['tag', redis, 'docker.io/library/redis:7-bookworm']);
  return { base, node, redis, built };
}
