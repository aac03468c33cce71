/**
 * Identity from the host platform, through the real server (real Redis, real
 * mediasoup): RS256/ES256 tokens whose keys come from a JWKS served on
 * 127.0.0.1, the room claim, and refreshToken during a meeting, up to a
 * joined peer whose first token has expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audioRtpParameters, deviceRtpCapabilities, dtlsParameters } from '../../test/fakeMedia.js';
import { startJwksServer, type JwksServer, type PlatformKey } from '../../test/jwks.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { ErrorCode, PROTOCOL_VERSION, WsCloseCode, type ResponseData } from './protocol/index.js';

const PROJECT = 'p1';
const ISSUER = 'https://platform.test';
const AUDIENCE = 'chantier';
let jwks: JwksServer;
let rsKey: PlatformKey;
let esKey: PlatformKey;

// Registered before the app's hooks: the keys are served before the app starts, and after it closes.
beforeAll(async () => {
  jwks = await startJwksServer();
  rsKey = await jwks.addKey('RS256');
  esKey = await jwks.addKey('ES256');
});
afterAll(async () => {
  await jwks.close();
});
// Both kinds of keys, an issuer and an audience, no clock leeway: expiry within a test.
const { app: t, clients } = useTestApp(() => ({
  JWT_JWKS_URL: jwks.url,
  JWT_ALGORITHMS: 'HS256,RS256,ES256',
  JWT_ISSUER: ISSUER,
  JWT_AUDIENCE: AUDIENCE,
  JWT_CLOCK_TOLERANCE_S: '0',
}));

async function connect(): Promise<TestClient> {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  return c;
}

let userCounter = 0;
const newUser = () => `u-${++userCounter}-${Math.random().toString(36).slice(2, 7)}`;

/** A token as the platform signs it. */
function platformToken(
  key: PlatformKey,
  claims: { sub: string; role?: string; project?: string; room?: string; name?: string },
  expiresInS = 3600,
) {
  return key.sign(
    { name: claims.name ?? 'Léa', project: claims.project ?? PROJECT, role: claims.role ?? 'member', iss: ISSUER, aud: AUDIENCE, ...claims },
    { expiresInS },
  );
}

interface Joined {
  c: TestClient;
  hello: ResponseData<'hello'>;
  token: string;
}

async function joinedWith(roomId: string, token: string): Promise<Joined> {
  const c = await connect();
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId });
  await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
  return { c, hello, token };
}

async function sendMic(c: TestClient): Promise<string> {
  const send = await c.request('createTransport', { direction: 'send' });
  await c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtlsParameters() });
  const { producerId } = await c.request('produce', {
    transportId: send.transportId,
    kind: 'audio',
    rtpParameters: audioRtpParameters(),
    source: 'mic',
  });
  return producerId;
}

describe('hello with platform tokens', () => {
  it.each([
    ['RS256', () => rsKey],
    ['ES256', () => esKey],
  ])('accepts an %s token signed with a key of the JWKS', async (_alg, key) => {
    const c = await connect();
    const sub = newUser();
    const hello = await c.request('hello', {
      protocol: PROTOCOL_VERSION,
      token: await platformToken(key(), { sub, role: 'owner', name: 'Chef de chantier' }),
      projectId: PROJECT,
      roomId: 'platform',
    });
    expect(hello.self).toEqual({ userId: sub, displayName: 'Chef de chantier', role: 'owner' });
  });

  it('keeps HS256 tokens working beside the JWKS (with the configured issuer and audience)', async () => {
    const c = await connect();
    const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token: await t.token({ projectId: PROJECT }), projectId: PROJECT });
    expect(hello.self.role).toBe('member');
  });

  it.each([
    ['an unknown kid', async () => rsKey.sign({ sub: 'x', name: 'x', project: PROJECT, role: 'member', iss: ISSUER, aud: AUDIENCE }, { header: { kid: 'gone' } }), ErrorCode.UNAUTHORIZED],
    ['another issuer', async () => platformToken(rsKey, { sub: 'x', iss: 'https://evil.test' } as never), ErrorCode.UNAUTHORIZED],
    ['an expired platform token', async () => platformToken(esKey, { sub: 'x' }, -5), ErrorCode.TOKEN_EXPIRED],
    ['a token for another meeting', async () => platformToken(esKey, { sub: 'x', room: 'elsewhere' }), ErrorCode.FORBIDDEN],
  ])('refuses %s, then closes the socket', async (_name, makeToken, code) => {
    const c = await connect();
    const error = await c.expectError(
      c.request('hello', { protocol: PROTOCOL_VERSION, token: await makeToken(), projectId: PROJECT, roomId: 'platform' }),
    );
    expect(error.code).toBe(code);
    expect(await c.closed).toBe(WsCloseCode.HELLO_REFUSED);
  });

  it('a token limited to a meeting opens that meeting only, not the project page', async () => {
    const sub = newUser();
    const token = await platformToken(rsKey, { sub, room: 'site-visit' });
    const inRoom = await connect();
    await inRoom.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId: 'site-visit' });
    const page = await connect();
    const error = await page.expectError(page.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT }));
    expect(error.code).toBe(ErrorCode.FORBIDDEN);
  });
});

describe('refreshToken', () => {
  it('is refused before hello', async () => {
    const c = await connect();
    const error = await c.expectError(c.request('refreshToken', { token: await platformToken(rsKey, { sub: newUser() }) }));
    expect(error.code).toBe(ErrorCode.HELLO_REQUIRED);
  });

  it('extends the session and applies a new role; refuses others, leaving the session working', async () => {
    const sub = newUser();
    const room = 'refresh';
    const alice = await joinedWith(room, await platformToken(rsKey, { sub }, 600));
    const bob = await joinedWith(room, await platformToken(esKey, { sub: newUser(), name: 'Bob' }));
    const micId = await sendMic(alice.c);
    await bob.c.waitFor('producerAdded', (d) => d.producer.producerId === micId);

    const later = Math.floor(Date.now() / 1000) + 7200;
    const answer = await alice.c.request('refreshToken', { token: await platformToken(esKey, { sub, role: 'owner' }, 7200) });
    expect(answer.role).toBe('owner');
    expect(Math.abs(answer.expiresAt - later)).toBeLessThanOrEqual(5);

    const refused: Array<[string, Promise<string>, ErrorCode]> = [
      ['another user', platformToken(rsKey, { sub: newUser() }), ErrorCode.FORBIDDEN],
      ['another project', platformToken(rsKey, { sub, project: 'p2' }), ErrorCode.FORBIDDEN],
      ['another meeting', platformToken(rsKey, { sub, room: 'elsewhere' }), ErrorCode.FORBIDDEN],
      ['an expired token', platformToken(rsKey, { sub }, -5), ErrorCode.TOKEN_EXPIRED],
      ['a forged token', t.token({ userId: sub, projectId: PROJECT }, 'forged-secret-forged-secret-forged-secret'), ErrorCode.UNAUTHORIZED],
      ['garbage', Promise.resolve('not.a.jwt'), ErrorCode.UNAUTHORIZED],
    ];
    for (const [name, token, code] of refused) {
      const error = await alice.c.expectError(alice.c.request('refreshToken', { token: await token }));
      expect(error.code, name).toBe(code);
    }
    // The same token limited to this very meeting is fine.
    expect((await alice.c.request('refreshToken', { token: await platformToken(rsKey, { sub, room, role: 'owner' }) })).role).toBe('owner');

    // Nothing was cut: the socket is open, requests work, Bob still has Alice's microphone.
    expect(alice.c.closeCode).toBeUndefined();
    expect((await alice.c.request('ping', {})).time).toBeGreaterThan(0);
    await alice.c.request('pauseProducer', { producerId: micId });
    await bob.c.waitFor('producerPaused', (d) => d.producerId === micId);
    expect(bob.c.notificationsOf('peerLeft')).toEqual([]);
    expect(bob.c.notificationsOf('producerClosed')).toEqual([]);
  });

  it('a joined peer whose first token expired keeps its call, and resumes with the refreshed token', async () => {
    const sub = newUser();
    const room = 'expiry';
    // Alice's first token lives 3 s (no clock leeway on this server).
    const first = await platformToken(rsKey, { sub }, 3);
    const firstExp = Math.floor(Date.now() / 1000) + 3;
    const alice = await joinedWith(room, first);
    const bob = await joinedWith(room, await platformToken(esKey, { sub: newUser(), name: 'Bob' }));
    const micId = await sendMic(alice.c);
    await bob.c.waitFor('producerAdded', (d) => d.producer.producerId === micId);

    const fresh = await platformToken(esKey, { sub }, 3600);
    await alice.c.request('refreshToken', { token: fresh });

    // Wait (polling the clock) until the first token is past its expiry, checked by the server itself.
    const probe = await connect();
    await expect
      .poll(
        async () => {
          if (Date.now() / 1000 <= firstExp + 1) return 'valid';
          const c = await TestClient.connect(t.url);
          clients.push(c);
          return c
            .request('hello', { protocol: PROTOCOL_VERSION, token: first, projectId: PROJECT })
            .then(() => 'valid', (e: { code?: string }) => e.code ?? 'error');
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(ErrorCode.TOKEN_EXPIRED);
    probe.close();

    // The call went on: Alice's socket, session and microphone are all there.
    expect(alice.c.closeCode).toBeUndefined();
    expect((await alice.c.request('ping', {})).time).toBeGreaterThan(0);
    await alice.c.request('pauseProducer', { producerId: micId });
    await bob.c.waitFor('producerPaused', (d) => d.producerId === micId);
    expect(bob.c.notificationsOf('peerLeft')).toEqual([]);

    // Her link dies. The expired first token cannot take the session back; the refreshed one can.
    alice.c.ws.terminate();
    await alice.c.closed;
    const lastSeq = Math.max(0, ...alice.c.notifications.map((n) => n.seq ?? 0));
    const resumeWith = async (token: string) => {
      const c = await connect();
      return {
        c,
        answer: c.request('hello', {
          protocol: PROTOCOL_VERSION,
          token,
          projectId: PROJECT,
          roomId: room,
          resume: { peerId: alice.hello.peerId, secret: alice.hello.resumeSecret!, lastSeq },
        }),
      };
    };
    const stale = await resumeWith(first);
    expect((await stale.c.expectError(stale.answer)).code).toBe(ErrorCode.TOKEN_EXPIRED);
    const again = await resumeWith(fresh);
    const resumed = await again.answer;
    expect(resumed.peerId).toBe(alice.hello.peerId);
    expect(resumed.resumed).toEqual({ joined: true });
    await again.c.request('resumeProducer', { producerId: micId });
    await bob.c.waitFor('producerResumed', (d) => d.producerId === micId);
    expect(bob.c.notificationsOf('peerLeft')).toEqual([]);
  });
});
