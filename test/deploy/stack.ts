/**
 * The compose stack as a deployer runs it, driven by the deployment test: a
 * clean checkout of the working tree (what `git clone` gives, plus
 * uncommitted changes) in a temp dir, a `.env` of test values beside
 * docker-compose.yml, then build, up, down, with podman.
 *
 * The compose file is read by Debian's docker-compose 1.29 (`config`: it
 * reads .env, fills in the variables, validates, and prints the resolved
 * services), and each service becomes the `podman run` that compose would
 * make (compose.ts). Debian 12's podman-compose 1.0.3 cannot run this file:
 * it adds the project network to `network_mode: host` services, which podman
 * refuses, and leaves `${VAR:-}` unreplaced.
 *
 * Every container, network and volume made carries the project's label,
 * which is how `remove()` finds and removes them, even after a failed run.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { buildArgs, runArgs, startOrder, type ComposeService } from './compose.js';
import { podman, run } from './podman.js';

const REPO = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Stack {
  /** The clean checkout the stack is built and run from. */
  dir: string;
  project: string;
  services: Record<string, ComposeService>;
  /** Builds the images of the services that have a `build` (as `docker compose build`); seconds taken by each. */
  build(): Promise<Array<{ image: string; seconds: number }>>;
  /** Starts the services, each after its dependencies (healthy ones for `service_healthy`), as `docker compose up -d`. */
  up(): Promise<void>;
  /** Stops and removes the containers and the network; the volumes too with `volumes` (as `docker compose down [-v]`). */
  down(volumes?: boolean): Promise<void>;
  /** The container of a compose service (project_service_1). */
  container(service: string): string;
  /** The last `lines` lines a service's container wrote (stdout and stderr), headed by its name. */
  logs(service: string, lines: number): Promise<string>;
  /** Runs the service's own healthcheck (the compose file's); true when it passes. */
  healthy(service: string): Promise<boolean>;
  /** Waits until every listed service passes its healthcheck; returns the seconds taken. */
  waitHealthy(services: readonly string[], timeoutMs: number): Promise<number>;
  /** Containers, networks and volumes of the project still present. */
  leftovers(): Promise<string[]>;
  /** Removes whatever of the project is left (containers, networks, volumes): a killed earlier run's too. */
  clean(): Promise<void>;
  /** clean(), and the checkout. */
  remove(): Promise<void>;
}

/** The files `git ls-files` lists (tracked and untracked but not ignored), copied to a temp dir. */
async function cleanCheckout(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-deploy-checkout-'));
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO, env: process.env });
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    try {
      cpSync(join(REPO, file), join(dir, file), { verbatimSymlinks: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // deleted, not yet committed
    }
  }
  return dir;
}

export async function prepareStack(project: string, env: Record<string, string>): Promise<Stack> {
  const dir = await cleanCheckout();
  writeFileSync(join(dir, '.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  // docker-compose reads .env itself; a variable of this process's environment would override it.
  const config = await run('docker-compose', ['--project-name', project, 'config'], { cwd: dir, env: { PATH: process.env.PATH } });
  const services = (parse(config.stdout) as { services: Record<string, ComposeService> }).services;
  const label = `io.podman.compose.project=${project}`;
  const byLabel = async (kind: 'ps' | 'network' | 'volume') =>
    (await podman(kind === 'ps' ? ['ps', '-a', '-q', '--filter', `label=${label}`] : [kind, 'ls', '-q', '--filter', `label=${label}`])).stdout
      .split('\n')
      .filter(Boolean);
  const stack: Stack = {
    dir,
    project,
    services,
    async build() {
      const built: Array<{ image: string; seconds: number }> = [];
      for (const service of Object.values(services)) {
        if (!service.build || built.some((b) => b.image === service.image)) continue;
        const start = Date.now();
        await podman(buildArgs(service), { timeoutMs: 3_600_000 });
        built.push({ image: service.image!, seconds: Math.round((Date.now() - start) / 100) / 10 });
      }
      return built;
    },
    async up() {
      const network = `${project}_default`;
      if ((await podman(['network', 'exists', network], { okCodes: [0, 1] })).code !== 0) {
        await podman(['network', 'create', '--label', label, network]);
      }
      for (const name of startOrder(services)) {
        for (const volume of services[name]!.volumes ?? []) {
          const source = volume.split(':')[0]!;
          if (/^[\w-]+$/.test(source) && (await podman(['volume', 'exists', `${project}_${source}`], { okCodes: [0, 1] })).code !== 0) {
            await podman(['volume', 'create', '--label', label, `${project}_${source}`]);
          }
        }
      }
      // Each service starts as soon as what it depends on is started (or
      // healthy, for `service_healthy`), the others at once, as compose does.
      const started = new Map<string, Promise<void>>();
      const start = (name: string): Promise<void> => {
        let done = started.get(name);
        if (!done) {
          done = (async () => {
            const service = services[name]!;
            await Promise.all(
              Object.entries(service.depends_on ?? {}).map(async ([dependency, { condition }]) => {
                await start(dependency);
                if (condition === 'service_healthy') await stack.waitHealthy([dependency], 300_000);
              }),
            );
            await podman(runArgs(project, name, service));
          })();
          started.set(name, done);
        }
        return done;
      };
      await Promise.all(startOrder(services).map(start));
    },
    async down(volumes = false) {
      const ids = await byLabel('ps');
      if (ids.length > 0) {
        await podman(['stop', '-t', '10', ...ids]);
        await podman(['rm', '-v', ...ids]); // with their anonymous volumes (the coturn service's unused /data)
      }
      for (const network of await byLabel('network')) await podman(['network', 'rm', network]);
      if (volumes) for (const volume of await byLabel('volume')) await podman(['volume', 'rm', volume]);
    },
    container: (service) => `${project}_${service}_1`,
    async logs(service, lines) {
      const out = await podman(['logs', '--tail', String(lines), stack.container(service)], { okCodes: [0, 125] });
      return `--- ${service} (last ${lines} lines):\n${out.stdout}${out.stderr}`;
    },
    async healthy(service) {
      return (await podman(['healthcheck', 'run', stack.container(service)], { okCodes: [0, 1, 125] })).code === 0;
    },
    async waitHealthy(names, timeoutMs) {
      const start = Date.now();
      const pending = new Set(names);
      for (;;) {
        const passed = await Promise.all([...pending].map(async (name) => ((await stack.healthy(name)) ? name : undefined)));
        for (const name of passed) if (name) pending.delete(name);
        if (pending.size === 0) return Math.round((Date.now() - start) / 100) / 10;
        if (Date.now() - start > timeoutMs) {
          const logs = await Promise.all([...pending].map((s) => stack.logs(s, 30)));
          throw new Error(`not healthy after ${timeoutMs / 1000} s: ${[...pending].join(', ')}\n${logs.join('\n')}`);
        }
        await sleep(1000);
      }
    },
    async leftovers() {
      const names = await Promise.all([
        podman(['ps', '-a', '--filter', `label=${label}`, '--format', '{{.Names}}']),
        podman(['network', 'ls', '--filter', `label=${label}`, '--format', '{{.Name}}']),
        podman(['volume', 'ls', '--filter', `label=${label}`, '--format', '{{.Name}}']),
      ]);
      return names.flatMap((r) => r.stdout.split('\n').filter(Boolean));
    },
    async clean() {
      const ids = await byLabel('ps');
      if (ids.length > 0) await podman(['rm', '-f', '-v', '-t', '5', ...ids], { okCodes: [0, 1] });
      for (const network of await byLabel('network')) await podman(['network', 'rm', '-f', network], { okCodes: [0, 1] });
      const volumes = await byLabel('volume');
      if (volumes.length > 0) await podman(['volume', 'rm', '-f', ...volumes], { okCodes: [0, 1] });
    },
    async remove() {
      try {
        await stack.clean();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return stack;
}

/** A named volume of the project, made before `up` (as compose would) with files put in it. */
export async function seedVolume(project: string, volume: string, files: Record<string, string>): Promise<void> {
  const name = `${project}_${volume}`;
  await podman(['volume', 'create', '--label', `io.podman.compose.project=${project}`, '--label', `com.docker.compose.project=${project}`, name]);
  const mountpoint = (await podman(['volume', 'inspect', '--format', '{{.Mountpoint}}', name])).stdout.trim();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(mountpoint, path)), { recursive: true });
    writeFileSync(join(mountpoint, path), content, { mode: 0o600 });
  }
}
