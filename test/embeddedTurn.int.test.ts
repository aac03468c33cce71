/**
 * `npm start` with TURN_MODE=embedded: the server process starts Debian's
 * coturn itself (as it does Redis), hands out credentials for it, reports it
 * in /readyz, and stops it on shutdown. A coturn that cannot start (its port
 * taken) leaves a server that runs without TURN and says it is not ready.
 * With a certificate it serves TURN over TLS too; on a LAN it relays to the
 * SFU's private address and to no other private one.
 */
import { execFileSync } from 'node:child_process';
import { freeUdpTcpPort } from '@chantier/turn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../signaling/src/protocol/index.js';
import { mintAccessToken } from '../signaling/src/auth/tokens.js';
import { TEST_JWT_SECRET } from './config.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';
import { TestClient } from './TestClient.js';
import { makeTestCert } from './tlsCert.js';
import { turnAllocate } from './turnAllocate.js';

const SECRET = 'embedded-turn-secret-embedded-turn-0123456789';

let server: ServerProcess;
let turnPort: number;

function turnEnv(port: number): Record<string, string> {
  const minPort = 50000 + 100 * Math.floor(Math.random() * 99);
  return {
    TURN_MODE: 'embedded',
    TURN_SECRET: SECRET,
    TURN_LISTEN_IP: '127.0.0.1',
    TURN_PORT: String(port),
    TURN_RELAY_PORTS: `${minPort}-${minPort + 49}`,
  };
}

async function helloIceServers(url: string, userId: string) {
  const c = await TestClient.connect(url);
  try {
    const token = await mintAccessToken({ userId, displayName: userId, projectId: 'p1', role: 'member' }, TEST_JWT_SECRET);
    const h = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: 'p1' });
    return h.iceServers;
  } finally {
    c.close();
  }
}

async function readyz(url: string): Promise<{ status: number; body: { turn: { mode: string; state: string } } }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as { turn: { mode: string; state: string } } };
}

/** The turnserver children of a process. */
function coturnChildren(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid), '-x', 'turnserver'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  turnPort = await freeUdpTcpPort('127.0.0.1');
  server = await startServerProcess(turnEnv(turnPort));
});

afterAll(async () => {
  await server?.kill();
});

describe('the embedded coturn of npm start', () => {
  it('runs as a child of the server and answers /readyz', async () => {
    expect(coturnChildren(server.child.pid!)).toHaveLength(1);
    const ready = await readyz(server.url);
    expect(ready.status).toBe(200);
    expect(ready.body.turn).toEqual({ mode: 'embedded', state: 'ok' });
  });

  it('hands out credentials that it accepts for a relay', async () => {
    const iceServers = await helloIceServers(server.url, 'u-chef');
    expect(iceServers).toHaveLength(1);
    expect(iceServers[0]!.urls).toEqual([
      `turn:127.0.0.1:${turnPort}?transport=udp`,
      `turn:127.0.0.1:${turnPort}?transport=tcp`,
    ]);
    expect(iceServers[0]!.username).toMatch(/^\d+:u-chef$/);
    const result = await turnAllocate('127.0.0.1', turnPort, iceServers[0]!.username!, iceServers[0]!.credential!);
    expect(result.ok).toBe(true);
    const forged = await turnAllocate('127.0.0.1', turnPort, iceServers[0]!.username!, 'not-the-credential');
    expect(forged).toMatchObject({ ok: false, code: 401 });
  });

  it('runs on without TURN, not ready, when its coturn cannot start', async () => {
    // The same TURN port: the second coturn cannot bind it.
    const second = await startServerProcess(turnEnv(turnPort));
    try {
      expect(coturnChildren(second.child.pid!)).toHaveLength(0);
      expect(await helloIceServers(second.url, 'u-archi')).toEqual([]);
      const ready = await readyz(second.url);
      expect(ready.status).toBe(503);
      expect(ready.body.turn).toEqual({ mode: 'embedded', state: 'down' });
    } finally {
      await second.kill();
    }
  });

  it('reports a coturn that died as not ready', async () => {
    const [pid] = coturnChildren(server.child.pid!);
    process.kill(pid!, 'SIGKILL');
    await until(() => !alive(pid!), 5_000, 'coturn to die');
    const ready = await readyz(server.url);
    expect(ready.status).toBe(503);
    expect(ready.body.turn.state).toBe('down');
  });

  it('with a certificate, also hands out and serves TURN over TLS', async () => {
    const cert = makeTestCert();
    const port = await freeUdpTcpPort('127.0.0.1');
    const tlsPort = await freeUdpTcpPort('127.0.0.1');
    const tls = await startServerProcess({
      ...turnEnv(port),
      TURN_TLS_CERT: cert.certFile,
      TURN_TLS_KEY: cert.keyFile,
      TURN_TLS_PORT: String(tlsPort),
    });
    try {
      const [server] = await helloIceServers(tls.url, 'u-bureau-etudes');
      expect(server!.urls).toContain(`turns:127.0.0.1:${tlsPort}?transport=tcp`);
      const result = await turnAllocate('127.0.0.1', tlsPort, server!.username!, server!.credential!, {
        transport: 'tls',
        ca: cert.certPem,
        servername: 'localhost',
      });
      expect(result.ok).toBe(true);
      expect(result.tls?.fingerprint256).toBe(cert.fingerprint256);
    } finally {
      await tls.kill();
      cert.remove();
    }
  });

  it("relays to the SFU's private LAN address, and to no other private or metadata address", async () => {
    const lan = await startServerProcess({ ...turnEnv(await freeUdpTcpPort('127.0.0.1')), RTC_ANNOUNCED_ADDRESS: '10.20.30.40' });
    try {
      const [server] = await helloIceServers(lan.url, 'u-electricien');
      const port = Number(/:(\d+)\?transport=udp$/.exec(server!.urls[0]!)![1]);
      const result = await turnAllocate('127.0.0.1', port, server!.username!, server!.credential!, {
        permissions: ['10.20.30.40', '10.20.30.41', '192.168.1.1', '169.254.169.254'],
      });
      expect(result.ok && result.permissions).toEqual({
        '10.20.30.40': 200,
        '10.20.30.41': 403,
        '192.168.1.1': 403,
        '169.254.169.254': 403,
      });
    } finally {
      await lan.kill();
    }
  });

  it('stops its coturn on shutdown', async () => {
    const other = await startServerProcess(turnEnv(await freeUdpTcpPort('127.0.0.1')));
    const [pid] = coturnChildren(other.child.pid!);
    expect(pid).toBeGreaterThan(0);
    await other.kill('SIGTERM');
    expect(await other.exited).toBe(0);
    await until(() => !alive(pid!), 5_000, 'coturn to stop with the server');
  });
});
