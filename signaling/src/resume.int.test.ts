/**
 * Session resume through the real server (real Redis, real mediasoup): a
 * meeting socket that dies without `leave` keeps its session for the grace
 * period; a new socket takes it back with hello.resume, others see nothing,
 * and the notifications missed meanwhile arrive once, in order.
 */
import { describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { audioRtpParameters, deviceRtpCapabilities, dtlsParameters } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { ErrorCode, PROTOCOL_VERSION, WsCloseCode, type ResponseData } from './protocol/index.js';

const PROJECT = 'p1';
const { app: t, clients } = useTestApp();
/** Same server, a short grace period: expiry within a test (its clients go in `clients` too). */
const { app: short } = useTestApp({ PEER_GRACE_MS: '800' });

async function connect(app: TestApp = t): Promise<TestClient> {
  const c = await TestClient.connect(app.url);
  clients.push(c);
  return c;
}

interface Joined {
  c: TestClient;
  hello: ResponseData<'hello'>;
  token: string;
  userId: string;
}

async function joined(roomId: string, displayName: string, app: TestApp = t): Promise<Joined> {
  const c = await connect(app);
  const userId = `u-${displayName}-${Math.random().toString(36).slice(2, 7)}`;
  const token = await app.token({ displayName, userId, projectId: PROJECT });
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId });
  await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
  return { c, hello, token, userId };
}

/** The connection dies without a close frame (what a cut link looks like once noticed). */
async function drop(c: TestClient): Promise<void> {
  c.ws.terminate();
  await c.closed;
}

function lastSeq(c: TestClient): number {
  return Math.max(0, ...c.notifications.map((n) => n.seq ?? 0));
}

async function resume(app: TestApp, roomId: string, who: Joined, options: { secret?: string; lastSeq?: number; token?: string } = {}) {
  const c = await connect(app);
  const answer = c.request('hello', {
    protocol: PROTOCOL_VERSION,
    token: options.token ?? who.token,
    projectId: PROJECT,
    roomId,
    resume: {
      peerId: who.hello.peerId,
      secret: options.secret ?? who.hello.resumeSecret!,
      lastSeq: options.lastSeq ?? lastSeq(who.c),
    },
  });
  return { c, answer };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hello on a meeting socket', () => {
  it('carries a resume secret, and notifications are numbered 1, 2, 3...', async () => {
    const alice = await joined('numbering', 'Alice');
    expect(alice.hello.resumeSecret).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    await joined('numbering', 'Bob');
    await joined('numbering', 'Carol');
    await alice.c.until(() => alice.c.notificationsOf('peerJoined').length === 2, 'two peerJoined');
    const seqs = alice.c.notifications.map((n) => n.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('a project page socket gets no secret and unnumbered notifications', async () => {
    const c = await connect();
    const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token: await t.token({ projectId: PROJECT }), projectId: PROJECT });
    expect(hello.resumeSecret).toBeUndefined();
    // Another page comes online: a change this socket's hello snapshot did not hold (one it held is not sent).
    const other = await connect();
    await other.request('hello', { protocol: PROTOCOL_VERSION, token: await t.token({ projectId: PROJECT, userId: 'another' }), projectId: PROJECT });
    await c.waitFor('presence');
    expect(c.notifications.every((n) => n.seq === undefined)).toBe(true);
  });
});

describe('resume', () => {
  it('after an abrupt drop: same peer, nothing announced, missed notifications replayed once and in order', async () => {
    const room = 'drop';
    const alice = await joined(room, 'Alice');
    const bob = await joined(room, 'Bob');
    await alice.c.waitFor('peerJoined', (d) => d.peer.peerId === bob.hello.peerId);

    // Alice sends her microphone, then her link dies.
    const send = await alice.c.request('createTransport', { direction: 'send' });
    await alice.c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtlsParameters() });
    const { producerId: micId } = await alice.c.request('produce', {
      transportId: send.transportId,
      kind: 'audio',
      rtpParameters: audioRtpParameters(),
      source: 'mic',
    });
    await bob.c.waitFor('producerAdded', (d) => d.producer.producerId === micId);
    const seen = lastSeq(alice.c);
    await drop(alice.c);

    // Meanwhile Bob produces and writes in the chat; Carol comes in.
    const bobSend = await bob.c.request('createTransport', { direction: 'send' });
    await bob.c.request('connectTransport', { transportId: bobSend.transportId, dtlsParameters: dtlsParameters() });
    const { producerId: bobMic } = await bob.c.request('produce', {
      transportId: bobSend.transportId,
      kind: 'audio',
      rtpParameters: audioRtpParameters(),
      source: 'mic',
    });
    const { message } = await bob.c.request('chatSend', { clientMessageId: 'c-resume-1', text: 'tu es là ?' });
    const carol = await joined(room, 'Carol');

    const { c, answer } = await resume(t, room, alice, { lastSeq: seen });
    const hello = await answer;
    expect(hello.peerId).toBe(alice.hello.peerId);
    expect(hello.resumed).toEqual({ joined: true });
    expect(hello.resumeSecret).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(hello.resumeSecret).not.toBe(alice.hello.resumeSecret);

    await c.waitFor('peerJoined', (d) => d.peer.peerId === carol.hello.peerId);
    const replayed = c.notifications.map((n) => ({ type: n.type, seq: n.seq }));
    // Numbered from where Alice stopped, no gap, no repeat.
    expect(replayed.map((n) => n.seq)).toEqual(replayed.map((_, i) => seen + 1 + i));
    const types = replayed.map((n) => n.type);
    expect(types.indexOf('producerAdded')).toBeLessThan(types.indexOf('chatMessage'));
    expect(types.indexOf('chatMessage')).toBeLessThan(types.indexOf('peerJoined'));
    expect(c.notificationsOf('producerAdded').map((d) => d.producer.producerId)).toEqual([bobMic]);
    expect(c.notificationsOf('chatMessage').map((d) => d.message.id)).toEqual([message.id]);

    // The session goes on: requests work, and live notifications follow the replay.
    expect((await c.request('ping', {})).time).toBeGreaterThan(0);
    await bob.c.request('chatSend', { clientMessageId: 'c-resume-2', text: 'ah, te revoilà' });
    const live = await c.waitFor('chatMessage', (d) => d.message.clientMessageId === 'c-resume-2');
    expect(live).toBeDefined();
    expect(c.notifications.at(-1)!.seq).toBe(seen + c.notifications.length);

    // The producer is still on the SFU, and nobody saw Alice leave or come back.
    const serverRoom = t.app.rooms.get(PROJECT, room)!;
    const session = serverRoom.joinedSessions.get(alice.hello.peerId)!;
    expect(session.media!.producers.get(micId)?.closed).toBe(false);
    expect(serverRoom.joinedSessions.size).toBe(3);
    for (const other of [bob, carol]) {
      expect(other.c.notificationsOf('peerLeft')).toEqual([]);
      expect(other.c.notificationsOf('peerJoined').filter((d) => d.peer.peerId === alice.hello.peerId)).toEqual([]);
    }
    const presence = await t.app.meetingPresence.list(PROJECT, room);
    expect(presence.map((e) => e.displayName).sort()).toEqual(['Alice', 'Bob', 'Carol']);
  });

  it('while the old socket still looks open: the old one is closed with 4006, nobody leaves', async () => {
    const room = 'takeover';
    const alice = await joined(room, 'Alice');
    const bob = await joined(room, 'Bob');
    await alice.c.waitFor('peerJoined');
    const { c, answer } = await resume(t, room, alice);
    expect((await answer).resumed).toEqual({ joined: true });
    expect(await alice.c.closed).toBe(WsCloseCode.RESUMED);
    // The session lives on the new socket.
    await bob.c.request('chatSend', { clientMessageId: 'c-takeover', text: 'ok' });
    await c.waitFor('chatMessage', (d) => d.message.clientMessageId === 'c-takeover');
    await sleep(200);
    expect(bob.c.notificationsOf('peerLeft')).toEqual([]);
    expect(t.app.rooms.get(PROJECT, room)!.joinedSessions.has(alice.hello.peerId)).toBe(true);
  });

  it('a wrong secret is refused (RESUME_FAILED, socket closed 4001) and leaves the session untouched', async () => {
    const room = 'wrong-secret';
    const alice = await joined(room, 'Alice');
    const bob = await joined(room, 'Bob');
    await alice.c.waitFor('peerJoined');
    await drop(alice.c);
    const { c, answer } = await resume(t, room, alice, { secret: 'A'.repeat(24) });
    expect((await c.expectError(answer)).code).toBe(ErrorCode.RESUME_FAILED);
    expect(await c.closed).toBe(WsCloseCode.HELLO_REFUSED);
    // The real owner still gets it back.
    const again = await resume(t, room, alice);
    expect((await again.answer).resumed).toEqual({ joined: true });
    expect(bob.c.notificationsOf('peerLeft')).toEqual([]);
  });

  it("refuses another user's peer, even with the right secret", async () => {
    const room = 'other-user';
    const alice = await joined(room, 'Alice');
    await drop(alice.c);
    const mallory = await t.token({ displayName: 'Mallory', userId: 'u-mallory', projectId: PROJECT });
    const { c, answer } = await resume(t, room, alice, { token: mallory });
    expect((await c.expectError(answer)).code).toBe(ErrorCode.RESUME_FAILED);
    const again = await resume(t, room, alice);
    expect((await again.answer).peerId).toBe(alice.hello.peerId);
  });

  it('refuses a lastSeq the buffer no longer covers, and ends the old session at once', async () => {
    const room = 'too-late';
    const alice = await joined(room, 'Alice');
    const bob = await joined(room, 'Bob');
    await alice.c.waitFor('peerJoined');
    await drop(alice.c);
    // A seq from the future cannot be replayed either.
    const { c, answer } = await resume(t, room, alice, { lastSeq: 10_000 });
    expect((await c.expectError(answer)).code).toBe(ErrorCode.RESUME_FAILED);
    const left = await bob.c.waitFor('peerLeft', (d) => d.peerId === alice.hello.peerId);
    expect(left.reason).toBe('disconnected');
    expect(t.app.rooms.get(PROJECT, room)!.joinedSessions.has(alice.hello.peerId)).toBe(false);
  });

  it('after a clean close (the client said goodbye) there is nothing to resume', async () => {
    const room = 'goodbye';
    const alice = await joined(room, 'Alice');
    const bob = await joined(room, 'Bob');
    await alice.c.waitFor('peerJoined');
    alice.c.ws.close(1000, 'bye');
    await bob.c.waitFor('peerLeft', (d) => d.peerId === alice.hello.peerId && d.reason === 'disconnected');
    const { c, answer } = await resume(t, room, alice);
    expect((await c.expectError(answer)).code).toBe(ErrorCode.RESUME_FAILED);
  });
});

describe('resume, other cases', () => {
  it('a session still in the lobby (hello, no join) resumes as not joined', async () => {
    const c = await connect();
    const token = await t.token({ displayName: 'Lobby', userId: 'u-lobby', projectId: PROJECT });
    const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId: 'lobby' });
    await drop(c);
    const again = await connect();
    const answer = await again.request('hello', {
      protocol: PROTOCOL_VERSION,
      token,
      projectId: PROJECT,
      roomId: 'lobby',
      resume: { peerId: hello.peerId, secret: hello.resumeSecret!, lastSeq: lastSeq(c) },
    });
    expect(answer.resumed).toEqual({ joined: false });
    // It joins from there, as the same peer.
    const joinedAnswer = await again.request('join', { rtpCapabilities: deviceRtpCapabilities(answer.routerRtpCapabilities!) });
    expect(joinedAnswer.peers).toEqual([]);
    expect(t.app.rooms.get(PROJECT, 'lobby')!.joinedSessions.has(hello.peerId)).toBe(true);
  });

  it('a room whose worker dies ends its sessions waiting for a resume at once', async () => {
    const room = 'worker-dies';
    const alice = await joined(room, 'Alice');
    const bob = await joined(room, 'Bob');
    await alice.c.waitFor('peerJoined');
    await drop(alice.c);
    const serverRoom = t.app.rooms.get(PROJECT, room)!;
    const replaced = new Promise<void>((resolve) => t.app.sfu.pool.once('workerreplaced', () => resolve()));
    process.kill(serverRoom.media.slot.worker.pid, 'SIGKILL');
    expect(await bob.c.closed).toBe(WsCloseCode.ROOM_CLOSED);
    for (let i = 0; i < 50 && serverRoom.attachedCount > 0; i++) await sleep(100);
    expect(serverRoom.attachedCount).toBe(0);
    expect([...t.app.sessions].some((s) => s.peerId === alice.hello.peerId)).toBe(false);
    const { c, answer } = await resume(t, room, alice);
    expect((await c.expectError(answer)).code).toBe(ErrorCode.RESUME_FAILED);
    await replaced;
  });
});

describe('grace period', () => {
  it('ends with peerLeft "disconnected" when nobody resumes', async () => {
    const room = 'expiry';
    const alice = await joined(room, 'Alice', short);
    const bob = await joined(room, 'Bob', short);
    await alice.c.waitFor('peerJoined');
    const dropped = Date.now();
    await drop(alice.c);
    await sleep(300);
    expect(bob.c.notificationsOf('peerLeft'), 'still in the room during the grace period').toEqual([]);
    const left = await bob.c.waitFor('peerLeft', (d) => d.peerId === alice.hello.peerId, 5000);
    expect(left.reason).toBe('disconnected');
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(700);
    expect(await short.app.meetingPresence.list(PROJECT, room)).toHaveLength(1);
    const { c, answer } = await resume(short, room, alice);
    expect((await c.expectError(answer)).code).toBe(ErrorCode.RESUME_FAILED);
  });

  it('a resume within the grace period cancels it', async () => {
    const room = 'saved';
    const alice = await joined(room, 'Alice', short);
    const bob = await joined(room, 'Bob', short);
    await alice.c.waitFor('peerJoined');
    await drop(alice.c);
    await sleep(300);
    const { answer } = await resume(short, room, alice);
    expect((await answer).resumed).toEqual({ joined: true });
    await sleep(1200);
    expect(bob.c.notificationsOf('peerLeft')).toEqual([]);
  });

  it('the last peer gone for good closes the room', async () => {
    const room = 'emptied';
    const alice = await joined(room, 'Alice', short);
    await drop(alice.c);
    expect(short.app.rooms.get(PROJECT, room)).toBeDefined();
    await sleep(1500);
    expect(short.app.rooms.get(PROJECT, room)).toBeUndefined();
  });
});

describe('PEER_GRACE_MS=0', () => {
  it('a dropped socket leaves at once, as before resume existed', async () => {
    const none = await startTestApp({ PEER_GRACE_MS: '0' });
    try {
      const alice = await joined('now', 'Alice', none);
      const bob = await joined('now', 'Bob', none);
      await alice.c.waitFor('peerJoined');
      await drop(alice.c);
      const left = await bob.c.waitFor('peerLeft', (d) => d.peerId === alice.hello.peerId, 2000);
      expect(left.reason).toBe('disconnected');
    } finally {
      await none.close();
    }
  });
});
