/**
 * TURN credential renewal through the real server (real Redis, real
 * mediasoup, TURN credentials of 10 s): a meeting socket is sent fresh
 * credentials (`iceServers`) at three quarters of the lifetime of the last
 * ones it got, again and again, across a resume; a project page socket gets
 * none; a session that ends gets none more. The tests run side by side: each
 * waits for renewals in real time.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { PROTOCOL_VERSION, WsCloseCode, type ResponseData } from './protocol/index.js';
import type { Session } from './ws/Session.js';

const PROJECT = 'p-renewal';
const SECRET = 'renewal-int-secret-renewal-int-secret-0123';
const TTL_S = 10;
const RENEW_MS = 7_500;
/** Room for a loaded machine on top of the renewal's delay. */
const SLACK_MS = 5_000;
const TURN_ENV = { TURN_URLS: 'turn:127.0.0.1:3478?transport=udp', TURN_SECRET: SECRET, TURN_CREDENTIAL_TTL_S: String(TTL_S) };

let t: TestApp;
/** Same, with a grace period that ends within a test. */
let short: TestApp;
const clients: TestClient[] = [];

beforeAll(async () => {
  [t, short] = await Promise.all([startTestApp(TURN_ENV), startTestApp({ ...TURN_ENV, PEER_GRACE_MS: '800' })]);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([t?.close(), short?.close()]);
});

async function connect(app: TestApp): Promise<TestClient> {
  const c = await TestClient.connect(app.url);
  clients.push(c);
  return c;
}

interface Joined {
  c: TestClient;
  hello: ResponseData<'hello'>;
  /** Just before the hello was sent: its credentials were made after this. */
  sentAt: number;
  token: string;
  userId: string;
}

async function hello(app: TestApp, name: string, roomId: string | undefined, join = true): Promise<Joined> {
  const c = await connect(app);
  const userId = `u-${name}-${Math.random().toString(36).slice(2, 7)}`;
  const token = await app.token({ displayName: name, userId, projectId: PROJECT });
  const sentAt = Date.now();
  const answer = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, ...(roomId ? { roomId } : {}) });
  if (roomId && join) await c.request('join', { rtpCapabilities: deviceRtpCapabilities(answer.routerRtpCapabilities!) });
  return { c, hello: answer, sentAt, token, userId };
}

type IceServers = ResponseData<'hello'>['iceServers'];

function expiryOf(iceServers: IceServers): number {
  return Number(iceServers[0]!.username!.split(':')[0]);
}

/** What coturn would check: the password is the HMAC of the username with the shared secret. */
function expectValid(iceServers: IceServers, userId: string, expect: ExpectLike): void {
  expect(iceServers).toHaveLength(1);
  const [server] = iceServers;
  expect(server!.urls).toEqual([TURN_ENV.TURN_URLS]);
  expect(server!.username).toMatch(new RegExp(`^\\d+:${userId}$`));
  expect(server!.credential).toBe(createHmac('sha1', SECRET).update(server!.username!).digest('base64'));
}
type ExpectLike = typeof import('vitest').expect;

function serverSession(app: TestApp, roomId: string, peerId: string): Session {
  const session = app.app.rooms.get(PROJECT, roomId)?.findAttached(peerId);
  if (!session) throw new Error(`no session ${peerId} in ${roomId}`);
  return session;
}

/** Counts the iceServers notifications the server makes for a session from now on. */
function spyRenewals(session: Session): () => number {
  const spy = vi.spyOn(session, 'notify');
  return () => spy.mock.calls.filter(([type]) => type === 'iceServers').length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.concurrent('TURN credential renewal', () => {
  it('a meeting socket gets fresh, valid credentials at 3/4 of their lifetime, again and again', async ({ expect }) => {
    const alice = await hello(t, 'Alice', 'renew');
    expectValid(alice.hello.iceServers, alice.userId, expect);
    const first = await alice.c.waitFor('iceServers', () => true, RENEW_MS + SLACK_MS);
    const firstAt = Date.now();
    // Timers never fire early: not before 3/4 of the hello's credentials' lifetime.
    expect(firstAt - alice.sentAt).toBeGreaterThanOrEqual(RENEW_MS - 50);
    expectValid(first.iceServers, alice.userId, expect);
    expect(expiryOf(first.iceServers)).toBeGreaterThan(expiryOf(alice.hello.iceServers));
    // ...and before those expire.
    expect(firstAt / 1000).toBeLessThan(expiryOf(alice.hello.iceServers));

    await alice.c.until(() => alice.c.notificationsOf('iceServers').length >= 2, 'a second renewal', RENEW_MS + SLACK_MS);
    const second = alice.c.notificationsOf('iceServers')[1]!;
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(RENEW_MS - 100);
    expectValid(second.iceServers, alice.userId, expect);
    expect(expiryOf(second.iceServers)).toBeGreaterThan(expiryOf(first.iceServers));
    expect(alice.c.violations).toEqual([]);
  }, 40_000);

  it('a meeting socket in the lobby (attached, not joined) gets them too; a project page socket gets none', async ({ expect }) => {
    const lobby = await hello(t, 'Lobby', 'renew-lobby', false);
    const page = await hello(t, 'Page', undefined);
    expectValid(page.hello.iceServers, page.userId, expect);
    await lobby.c.waitFor('iceServers', () => true, RENEW_MS + SLACK_MS);
    // The project socket said hello after the meeting socket: give it the same delay and a little more.
    await sleep(Math.max(0, page.sentAt + RENEW_MS + 1_000 - Date.now()));
    expect(page.c.notificationsOf('iceServers')).toEqual([]);
    expect(page.c.notifications.length).toBeGreaterThan(0); // it does get its other notifications (presence)
    expect([...lobby.c.violations, ...page.c.violations]).toEqual([]);
  }, 40_000);

  it('leave, and a close without leave, stop the renewal', async ({ expect }) => {
    const room = 'renew-stop';
    const leaver = await hello(t, 'Leaver', room);
    const closer = await hello(t, 'Closer', room);
    const stayer = await hello(t, 'Stayer', room);
    const sessions = [serverSession(t, room, leaver.hello.peerId), serverSession(t, room, closer.hello.peerId)];
    const renewals = sessions.map((s) => spyRenewals(s));
    expect(sessions.every((s) => s.credentialRenewal?.pending)).toBe(true);

    await leaver.c.request('leave', {});
    expect(await leaver.c.closed).toBe(WsCloseCode.LEFT);
    closer.c.close(); // 1005: a goodbye, the session ends at once
    await closer.c.closed;
    await expect.poll(() => sessions.every((s) => s.state === 'closed'), { timeout: 5_000 }).toBe(true);
    for (const s of sessions) {
      expect(s.credentialRenewal!.stopped).toBe(true);
      expect(s.credentialRenewal!.pending).toBe(false);
    }

    // The one who stayed, who said hello last, is renewed: the others' time has passed too.
    await stayer.c.waitFor('iceServers', () => true, RENEW_MS + SLACK_MS);
    await sleep(300);
    expect(renewals.map((count) => count())).toEqual([0, 0]);
    expect([...leaver.c.notificationsOf('iceServers'), ...closer.c.notificationsOf('iceServers')]).toEqual([]);
  }, 40_000);

  it('a lost socket whose grace period ends: the renewal stops with the session', async ({ expect }) => {
    const room = 'renew-grace';
    const gone = await hello(short, 'Gone', room);
    const stayer = await hello(short, 'Stayer', room);
    const session = serverSession(short, room, gone.hello.peerId);
    const renewals = spyRenewals(session);
    gone.c.ws.terminate();
    await gone.c.closed;
    // Grace of 0.8 s, then the session ends: no renewal at 7.5 s.
    await expect.poll(() => session.state, { timeout: 5_000 }).toBe('closed');
    expect(session.credentialRenewal!.stopped).toBe(true);
    await stayer.c.waitFor('iceServers', () => true, RENEW_MS + SLACK_MS);
    await sleep(300);
    expect(renewals()).toBe(0);
  }, 40_000);

  it('across a resume: the timer follows the session and counts from the resume\'s hello', async ({ expect }) => {
    const room = 'renew-resume';
    const alice = await hello(t, 'Alice', room);
    const session = serverSession(t, room, alice.hello.peerId);
    await sleep(3_000);
    alice.c.ws.terminate();
    await alice.c.closed;
    await sleep(1_000);

    // Resumed 4 s after the first hello: the next renewal is 7.5 s after this hello, not after the first.
    const c = await connect(t);
    const resumeSentAt = Date.now();
    const resumed = await c.request('hello', {
      protocol: PROTOCOL_VERSION,
      token: alice.token,
      projectId: PROJECT,
      roomId: room,
      resume: { peerId: alice.hello.peerId, secret: alice.hello.resumeSecret!, lastSeq: 0 },
    });
    expect(resumed.resumed).toEqual({ joined: true });
    expectValid(resumed.iceServers, alice.userId, expect);
    expect(expiryOf(resumed.iceServers)).toBeGreaterThan(expiryOf(alice.hello.iceServers));
    expect(serverSession(t, room, alice.hello.peerId)).toBe(session);

    const renewed = await c.waitFor('iceServers', () => true, RENEW_MS + SLACK_MS);
    expect(Date.now() - resumeSentAt).toBeGreaterThanOrEqual(RENEW_MS - 50);
    expect(expiryOf(renewed.iceServers)).toBeGreaterThan(expiryOf(resumed.iceServers));
    expectValid(renewed.iceServers, alice.userId, expect);
    // One renewal per session: exactly one scheduled now.
    expect(c.notificationsOf('iceServers')).toHaveLength(1);
    expect(session.credentialRenewal!.pending).toBe(true);
    expect(c.violations).toEqual([]);
  }, 40_000);

  it('a renewal made while the socket was lost is replayed after the resume, older than the resume\'s own', async ({ expect }) => {
    const room = 'renew-replay';
    const bob = await hello(t, 'Bob', room);
    const session = serverSession(t, room, bob.hello.peerId);
    const renewals = spyRenewals(session);
    await sleep(500);
    bob.c.ws.terminate();
    await bob.c.closed;
    // The renewal falls due in the grace period: numbered and kept.
    await expect.poll(renewals, { timeout: RENEW_MS + SLACK_MS, interval: 100 }).toBe(1);
    expect(session.hasSocket).toBe(false);
    await sleep(1_100); // the resume's credentials are at least one second newer

    const c = await connect(t);
    const resumed = await c.request('hello', {
      protocol: PROTOCOL_VERSION,
      token: bob.token,
      projectId: PROJECT,
      roomId: room,
      resume: { peerId: bob.hello.peerId, secret: bob.hello.resumeSecret!, lastSeq: 0 },
    });
    const replayed = await c.waitFor('iceServers');
    expect(c.notifications.find((n) => n.type === 'iceServers')!.seq).toBeGreaterThan(0);
    expectValid(replayed.iceServers, bob.userId, expect);
    // What a client must sort out: the replayed credentials are older than the ones the resume brought.
    expect(expiryOf(replayed.iceServers)).toBeGreaterThan(expiryOf(bob.hello.iceServers));
    expect(expiryOf(replayed.iceServers)).toBeLessThan(expiryOf(resumed.iceServers));
    expect(c.violations).toEqual([]);
  }, 40_000);
  it('a server that closes stops every renewal', async ({ expect }) => {
    const own = await startTestApp(TURN_ENV);
    let session: Session;
    try {
      const carol = await hello(own, 'Carol', 'renew-shutdown');
      session = serverSession(own, 'renew-shutdown', carol.hello.peerId);
      expect(session.credentialRenewal!.pending).toBe(true);
    } finally {
      await own.close();
    }
    expect(session.credentialRenewal!.stopped).toBe(true);
    expect(session.credentialRenewal!.pending).toBe(false);
  }, 40_000);
});
