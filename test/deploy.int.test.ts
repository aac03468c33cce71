/**
 * The deployment files are checked without a Docker engine (none runs here):
 * - Debian's docker-compose 1.29 parses and validates the compose file, and
 *   stops on a missing domain, address or secret;
 * - each service's environment, as compose resolves it, goes through the
 *   real config parser, and the parts agree (the TURN secret, names and
 *   ports that Chantier hands out are the ones coturn and the TLS front serve);
 * - the coturn service's command, run here on loopback with that
 *   environment, grants a relay to the credentials Chantier's environment
 *   mints and refuses forged ones;
 * - the Dockerfile builds the worker with the very script the set-up step runs.
 * test/deploy/stack.int.test.ts builds the images and runs the stack itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpTcpPort, iceServersFor } from '@chantier/turn';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../signaling/src/config.js';
import { ensureServerBuild } from './serverBuild.js';
import { turnAllocate } from './turnAllocate.js';
import { testTempDir } from './tempDir.js';

const DEPLOY_ENV = {
  DOMAIN: 'reunion.example.fr',
  TURN_DOMAIN: 'turn.example.fr',
  PUBLIC_IP: '203.0.113.5',
  ACME_EMAIL: 'admin@example.fr',
  JWT_SECRET: 'j'.repeat(40),
  TURN_SECRET: 't'.repeat(40),
};

interface Service {
  environment?: Record<string, string>;
  command?: string[];
  ports?: Array<string | { published: number; target: number; protocol: string }>;
  network_mode?: string;
  image?: string;
  volumes?: string[];
}

/** .env.example as a deployer copies it to .env: every variable the compose file reads, some empty. */
const EXAMPLE_ENV: Record<string, string> = Object.fromEntries(
  readFileSync('.env.example', 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

function composeConfig(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    env: { PATH: process.env.PATH, ...EXAMPLE_ENV, ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let resolved: Record<string, Service> | undefined;

/** The services as compose resolves them with DEPLOY_ENV (computed once: docker-compose takes ~2 s). */
function services(): Record<string, Service> {
  if (!resolved) {
    const result = composeConfig(DEPLOY_ENV);
    expect(result.stderr).toBe('');
    resolved = (parse(result.stdout) as { services: Record<string, Service> }).services;
  }
  return resolved;
}

/** A service's environment through the real config parser, with a throwaway data dir. */
function configOf(service: Service, overrides: Record<string, string> = {}) {
  return loadConfig({ ...service.environment, DATA_DIR: testTempDir('chantier-deploy'), ...overrides });
}

describe('deployment files', () => {
  it('docker-compose.yml is valid for docker-compose', () => {
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      env: { PATH: process.env.PATH, ...EXAMPLE_ENV, ...DEPLOY_ENV },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(Object.keys(services()).sort()).toEqual(['chantier', 'coturn', 'front', 'redis']);
  });

  it('.env.example holds every variable docker-compose.yml reads', () => {
    const read = new Set([...readFileSync('docker-compose.yml', 'utf8').matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]!));
    expect([...read].sort()).toEqual(Object.keys(EXAMPLE_ENV).sort());
  });

  it.each(Object.keys(DEPLOY_ENV))('refuses to deploy without %s', (name) => {
    const env: Record<string, string> = { ...DEPLOY_ENV, [name]: '' };
    const result = composeConfig(env);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`set ${name}`);
  });

  it('keeps Redis append-only on a volume', () => {
    const redis = services().redis!;
    expect(redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(redis.volumes).toEqual([expect.stringMatching(/^redis-data:\/data/)]);
  });

  it('gives Chantier a config that parses, on the public address, with TURN on 3478 and TLS on 443', () => {
    const all = services();
    const chantier = configOf(all.chantier!);
    expect(chantier.publicUrl).toBe('https://reunion.example.fr');
    expect(chantier.redisUrl).toBe('redis://redis:6379');
    expect(chantier.sfu.announcedAddress).toBe('203.0.113.5');
    expect(chantier.turnMode).toBe('external');
    expect(chantier.turn!.urls).toEqual([
      'turn:turn.example.fr:3478?transport=udp',
      'turn:turn.example.fr:3478?transport=tcp',
      'turns:turn.example.fr:443?transport=tcp',
    ]);
    // One UDP and one TCP port published per mediasoup worker.
    const published = (all.chantier!.ports ?? []).filter((p) => typeof p === 'object') as Array<{ published: number; protocol: string }>;
    for (const protocol of ['udp', 'tcp']) {
      const ports = published.filter((p) => p.protocol === protocol).map((p) => p.published).sort();
      expect(ports).toEqual(Array.from({ length: chantier.sfu.numWorkers }, (_, i) => chantier.sfu.port + i));
    }
  });

  it("passes recording's bounds from .env to Chantier, and keeps the defaults when they are empty", () => {
    const defaults = configOf(services().chantier!).recording;
    expect(defaults).toMatchObject({ maxMinutes: 240, width: 1280, height: 720 });
    const result = composeConfig({ ...DEPLOY_ENV, RECORDING_MAX_MINUTES: '90', RECORDING_MAX_MB: '2048', RECORDING_MIN_FREE_MB: '800', RECORDING_VIDEO_SIZE: '1920x1080', RECORDING_MIX_TIMEOUT_S: '300' });
    expect(result.stderr).toBe('');
    const chantier = (parse(result.stdout) as { services: Record<string, Service> }).services.chantier!;
    expect(configOf(chantier).recording).toMatchObject({
      maxMinutes: 90,
      maxBytes: 2048 * 1024 * 1024,
      minFreeBytes: 800 * 1024 * 1024,
      width: 1920,
      height: 1080,
      mixTimeoutMs: 300_000,
    });
  });

  it('runs coturn with the secret, port and public address Chantier hands out', () => {
    const all = services();
    const chantier = configOf(all.chantier!);
    const coturn = configOf(all.coturn!);
    expect(all.coturn!.network_mode).toBe('host');
    expect(all.coturn!.image).toBe(all.chantier!.image);
    expect(coturn.turnServer).toMatchObject({
      secret: chantier.turn!.secret,
      port: 3478,
      externalIp: '203.0.113.5',
      realm: 'turn.example.fr',
      listenIp: '0.0.0.0',
    });
    expect(coturn.turnServer!.maxPort - coturn.turnServer!.minPort).toBeGreaterThanOrEqual(100);
  });

  it("puts the TLS front on 443 before Chantier's HTTP port and coturn's TCP port, on the names Chantier hands out", () => {
    const all = services();
    const front = all.front!;
    const chantier = configOf(all.chantier!);
    const coturn = configOf(all.coturn!);
    // The front is on the host's network: Chantier's HTTP port is published on loopback for it.
    expect(front.network_mode).toBe('host');
    // docker-compose writes a port with a host address in the short form.
    const local = (all.chantier!.ports ?? []).filter((p): p is string => typeof p === 'string' && p.startsWith('127.0.0.1:'));
    expect(local).toEqual([`127.0.0.1:3000:${chantier.port}/tcp`]);
    const appPort = 3000;
    expect(front.environment).toMatchObject({
      DOMAIN: 'reunion.example.fr',
      TURN_DOMAIN: 'turn.example.fr',
      HTTPS_PORT: '443',
      HTTP_PORT: '80',
      CHANTIER_UPSTREAM: `127.0.0.1:${appPort}`,
      TURN_UPSTREAM: `127.0.0.1:${coturn.turnServer!.port}`,
    });
    expect(chantier.turn!.urls).toContain('turns:turn.example.fr:443?transport=tcp');
    expect(chantier.edge.trustProxy).toBe(true);
  });

  it("the coturn service's command relays for the credentials Chantier's environment mints", async () => {
    const all = services();
    const port = await freeUdpTcpPort('127.0.0.1');
    const minPort = 50000 + 100 * Math.floor(Math.random() * 99);
    // The service's environment, moved to loopback and free ports for this machine.
    const env = {
      PATH: process.env.PATH,
      ...all.coturn!.environment,
      DATA_DIR: testTempDir('chantier-deploy'),
      TURN_LISTEN_IP: '127.0.0.1',
      TURN_PORT: String(port),
      TURN_RELAY_PORTS: `${minPort}-${minPort + 9}`,
    };
    const [command, ...compiled] = all.coturn!.command!;
    expect(command).toBe('node');
    // The very file the image runs: the compiled server (as npm start's), with
    // the packages' compiled exports, as the image's NODE_OPTIONS asks.
    ensureServerBuild();
    const args = ['--conditions=chantier-build', ...compiled];
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // node and coturn start in ~2 s on a quiet machine, ~26 s on a loaded one.
      const deadline = Date.now() + 60_000;
      while (!output.includes('coturn started')) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`coturn service did not start: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // Its healthcheck passes.
      const check = spawnSync(process.execPath, [...args, '--check'], { env, encoding: 'utf8' });
      expect(check.status).toBe(0);

      const [server] = iceServersFor(configOf(all.chantier!).turn, 'u-conducteur');
      const granted = await turnAllocate('127.0.0.1', port, server!.username, server!.credential);
      expect(granted.ok).toBe(true);
      const other = server!.credential.startsWith('A') ? 'B' : 'A';
      const forged = await turnAllocate('127.0.0.1', port, server!.username, other + server!.credential.slice(1));
      expect(forged).toMatchObject({ ok: false, code: 401 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // Stopped: the healthcheck fails.
    expect(spawnSync(process.execPath, [...args, '--check'], { env }).status).toBe(1);
  }, 120_000);

  it('the Dockerfile builds the worker with the set-up script and carries coturn', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toContain('bash sfu/scripts/build-worker.sh');
    expect(dockerfile).toMatch(/apt-get install[^\n]*\\\n[^\n]*\bcoturn\b/);
    const setup = readFileSync('scripts/setup.sh', 'utf8');
    expect(setup).toContain('bash sfu/scripts/build-worker.sh');
  });
});
