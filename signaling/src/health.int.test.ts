/**
 * /healthz and /readyz on the real app: readiness covers Redis, the media
 * workers and TURN. An external TURN server is probed and reported but not
 * required (see routes/health.ts); the embedded one is: test/embeddedTurn.int.test.ts.
 */
import { Coturn, freeUdpTcpPort } from '@chantier/turn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';

const SECRET = 'health-turn-secret-health-turn-secret-0123';

let coturn: Coturn;
const apps: TestApp[] = [];

beforeAll(async () => {
  coturn = await Coturn.start({ secret: SECRET });
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await coturn?.stop();
});

async function readyz(env: Record<string, string>) {
  const t = await startTestApp(env);
  apps.push(t);
  const response = await fetch(`${t.url}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('health endpoints', () => {
  it('/healthz answers while the process runs', async () => {
    const t = await startTestApp();
    apps.push(t);
    const response = await fetch(`${t.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is ready with Redis and a worker, TURN off', async () => {
    expect(await readyz({})).toEqual({
      status: 200,
      body: { status: 'ready', redis: true, workers: 1, turn: { mode: 'off', state: 'off' } },
    });
  });

  it('/readyz probes an external TURN server that answers', async () => {
    const ready = await readyz({ TURN_URLS: `${coturn.url('udp')},${coturn.url('tcp')}`, TURN_SECRET: SECRET });
    expect(ready.status).toBe(200);
    expect(ready.body.turn).toEqual({ mode: 'external', state: 'ok' });
  });

  it('/readyz reports an external TURN server that does not answer, and stays ready', async () => {
    const nobody = await freeUdpTcpPort('127.0.0.1');
    const ready = await readyz({ TURN_URLS: `turn:127.0.0.1:${nobody}?transport=udp`, TURN_SECRET: SECRET });
    expect(ready.status).toBe(200);
    expect(ready.body.turn).toEqual({ mode: 'external', state: 'down' });
  });
});
