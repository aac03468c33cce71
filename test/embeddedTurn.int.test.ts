/**
 * `npm start` with TURN_MODE=embedded: the server process starts Debian's
 * coturn itself (as it does Redis), hands out credentials for it, reports it
 * in /readyz, and stops it on shutdown. A coturn that cannot start (its port
 * taken) leaves a server that runs without TURN and says it is not ready.
 */
import { execFileSync } from 'node:child_process';
import { freeUdpTcpPort } from '@chantier/turn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../signaling/src/protocol/index.js';
import { mintAccessToken } from '../signaling/src/auth/tokens.js';
import { TEST_JWT_SECRET } from './config.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';
import { TestClient } from './TestClient.js';
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

  it('stops its coturn on shutdown', async () => {
    const other = await startServerProcess(turnEnv(await freeUdpTcpPort('127.0.0.1')));
    const [pid] = coturnChildren(other.child.pid!);
    expect(pid).toBeGreaterThan(0);
    await other.kill('SIGTERM');
    expect(await other.exited).toBe(0);
    await until(() => !alive(pid!), 5_000, 'coturn to stop with the server');
  });
});
