/**
 * A real coturn, started by the test with the secret the app is configured
 * with: the credential the app hands out in hello gets a relay; an expired
 * one and one signed with another secret are refused with 401.
 */
import { Coturn, turnCredential } from '@chantier/turn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../signaling/src/protocol/index.js';
import { startTestApp, type TestApp } from './app.js';
import { TestClient } from './TestClient.js';
import { turnAllocate } from './turnAllocate.js';

const SECRET = 'turn-test-secret-turn-test-secret-0123456789';

let coturn: Coturn;
let t: TestApp;

beforeAll(async () => {
  coturn = await Coturn.start({ secret: SECRET, allowLoopbackPeers: true });
  t = await startTestApp({ TURN_URLS: `${coturn.url('udp')},${coturn.url('tcp')}`, TURN_SECRET: SECRET });
});

afterAll(async () => {
  await t?.close();
  await coturn?.stop();
});

async function helloIceServers(userId: string) {
  const c = await TestClient.connect(t.url);
  try {
    const h = await c.request('hello', {
      protocol: PROTOCOL_VERSION,
      token: await t.token({ userId, projectId: 'p1' }),
      projectId: 'p1',
    });
    return h.iceServers;
  } finally {
    c.close();
  }
}

describe('TURN through coturn', () => {
  it('hands out a credential for the user that coturn accepts', async () => {
    const before = Math.floor(Date.now() / 1000);
    const servers = await helloIceServers('u-lea');
    expect(servers).toHaveLength(1);
    const [server] = servers;
    expect(server!.urls).toEqual([coturn.url('udp'), coturn.url('tcp')]);
    const [expiry, user] = server!.username!.split(':');
    expect(user).toBe('u-lea');
    expect(Number(expiry) - before).toBeGreaterThanOrEqual(t.config.turn!.credentialTtlS - 1);
    expect(Number(expiry) - before).toBeLessThanOrEqual(t.config.turn!.credentialTtlS + 1);

    const result = await turnAllocate('127.0.0.1', coturn.port, server!.username!, server!.credential!);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) {
      expect(result.relayedPort).toBeGreaterThanOrEqual(coturn.settings.minPort);
      expect(result.relayedPort).toBeLessThanOrEqual(coturn.settings.maxPort);
    }
  });

  it('refuses an expired credential with 401', async () => {
    const expired = turnCredential(SECRET, 'u-lea', -60);
    const result = await turnAllocate('127.0.0.1', coturn.port, expired.username, expired.credential);
    expect(result).toMatchObject({ ok: false, code: 401 });
  });

  it('refuses a credential signed with another secret with 401', async () => {
    const forged = turnCredential('another-secret-another-secret-another-secret', 'u-lea', 3600);
    const result = await turnAllocate('127.0.0.1', coturn.port, forged.username, forged.credential);
    expect(result).toMatchObject({ ok: false, code: 401 });
  });

  it('refuses a later expiry pasted onto a valid password with 401', async () => {
    const real = turnCredential(SECRET, 'u-lea', 3600);
    const stretched = `${real.expiresAt + 86_400}:u-lea`;
    const result = await turnAllocate('127.0.0.1', coturn.port, stretched, real.credential);
    expect(result).toMatchObject({ ok: false, code: 401 });
  });

  it("is scoped to its user: another user's name on it is refused, and each user gets their own", async () => {
    const [lea] = await helloIceServers('u-lea');
    const [marc] = await helloIceServers('u-marc');
    expect(marc!.username).toMatch(/:u-marc$/);
    expect(marc!.credential).not.toBe(lea!.credential);
    const borrowed = lea!.username!.replace(/:u-lea$/, ':u-marc');
    const result = await turnAllocate('127.0.0.1', coturn.port, borrowed, lea!.credential!);
    expect(result).toMatchObject({ ok: false, code: 401 });
  });
});
