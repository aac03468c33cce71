/**
 * The deployment files are checked without a Docker engine (none runs here):
 * - Debian's docker-compose 1.29 parses and validates the compose file, and
 *   stops on a missing domain, address or secret;
 * - each service's environment, as compose resolves it, goes through the
 *   real config parser, and the parts agree (the TURN secret, names and
 *   ports that Chantier hands out are the ones coturn and Traefik serve);
 * - the coturn service's command, run here on loopback with that
 *   environment, grants a relay to the credentials Chantier's environment
 *   mints and refuses forged ones;
 * - the Dockerfile builds the worker with the very script the set-up step runs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpTcpPort, iceServersFor } from '@chantier/turn';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../signaling/src/config.js';
import { turnAllocate } from './turnAllocate.js';

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

function composeConfig(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
    env: { PATH: process.env.PATH, ...env },
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
  return loadConfig({ ...service.environment, DATA_DIR: mkdtempSync(join(tmpdir(), 'chantier-deploy-')), ...overrides });
}

describe('deployment files', () => {
  it('docker-compose.yml is valid for docker-compose', () => {
    const result = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      env: { PATH: process.env.PATH, ...DEPLOY_ENV },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(Object.keys(services()).sort()).toEqual(['chantier', 'coturn', 'redis', 'traefik']);
  });

  it.each(Object.keys(DEPLOY_ENV))('refuses to deploy without %s', (name) => {
    const env: Record<string, string> = { ...DEPLOY_ENV };
    delete env[name];
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

  it('routes HTTPS to Chantier and TURN over TLS to coturn, both on 443, by name', () => {
    const all = services();
    const traefik = all.traefik!;
    expect(traefik.ports).toEqual(expect.arrayContaining([expect.objectContaining({ published: 443, target: 443 })]));
    expect(traefik.command).toContain('--entrypoints.websecure.address=:443');
    // Traefik's file provider fills {{ env "X" }} from its own environment.
    const template = readFileSync('deploy/traefik-dynamic.yml', 'utf8');
    const rendered = template.replace(/\{\{\s*env\s+"(\w+)"\s*\}\}/g, (_m, name: string) => {
      const value = traefik.environment?.[name];
      if (value === undefined) throw new Error(`traefik's environment lacks ${name}`);
      return value;
    });
    const routes = parse(rendered) as {
      http: { routers: Record<string, { rule: string; service: string; entryPoints: string[]; tls?: object }>; services: Record<string, { loadBalancer: { servers: Array<{ url: string }> } }> };
      tcp: { routers: Record<string, { rule: string; service: string; entryPoints: string[]; tls?: object }>; services: Record<string, { loadBalancer: { servers: Array<{ address: string }> } }> };
    };
    const chantier = configOf(all.chantier!);
    const coturn = configOf(all.coturn!);

    const web = Object.values(routes.http.routers);
    expect(web).toHaveLength(1);
    expect(web[0]!.rule).toBe('Host(`reunion.example.fr`)');
    expect(web[0]!.entryPoints).toEqual(['websecure']);
    expect(web[0]!.tls).toBeDefined();
    expect(routes.http.services[web[0]!.service]!.loadBalancer.servers).toEqual([{ url: `http://chantier:${chantier.port}` }]);

    const turns = Object.values(routes.tcp.routers);
    expect(turns).toHaveLength(1);
    const turnsUrl = chantier.turn!.urls.find((u) => u.startsWith('turns:'))!;
    expect(turns[0]!.rule).toBe(`HostSNI(\`${/^turns:([^:]+):443/.exec(turnsUrl)![1]}\`)`);
    expect(turns[0]!.entryPoints).toEqual(['websecure']);
    expect(turns[0]!.tls).toBeDefined(); // Traefik ends the TLS, coturn gets plain TURN/TCP
    expect(routes.tcp.services[turns[0]!.service]!.loadBalancer.servers).toEqual([
      { address: `host.docker.internal:${coturn.turnServer!.port}` },
    ]);
  });

  it("the coturn service's command relays for the credentials Chantier's environment mints", async () => {
    const all = services();
    const port = await freeUdpTcpPort('127.0.0.1');
    const minPort = 50000 + 100 * Math.floor(Math.random() * 99);
    // The service's environment, moved to loopback and free ports for this machine.
    const env = {
      PATH: process.env.PATH,
      ...all.coturn!.environment,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'chantier-deploy-')),
      TURN_LISTEN_IP: '127.0.0.1',
      TURN_PORT: String(port),
      TURN_RELAY_PORTS: `${minPort}-${minPort + 9}`,
    };
    const [command, ...args] = all.coturn!.command!;
    expect(command).toBe('node');
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
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
  });

  it('the Dockerfile builds the worker with the set-up script and carries coturn', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile).toContain('bash sfu/scripts/build-worker.sh');
    expect(dockerfile).toMatch(/apt-get install[^\n]*\\\n[^\n]*\bcoturn\b/);
    const setup = readFileSync('scripts/setup.sh', 'utf8');
    expect(setup).toContain('bash sfu/scripts/build-worker.sh');
  });
});
