import { describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { audioRtpParameters, deviceRtpCapabilities, dtlsParameters, videoRtpParameters } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { LazyChildLogger } from './log/LazyChildLogger.js';
import { ErrorCode, PROTOCOL_VERSION, WsCloseCode } from './protocol/index.js';

const { app: t, clients } = useTestApp();

async function connect(): Promise<TestClient> {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  return c;
}

async function hello(c: TestClient, roomId = 'room1', tokenOptions: Parameters<TestApp['token']>[0] = {}) {
  return c.request('hello', { protocol: PROTOCOL_VERSION, token: await t.token(tokenOptions), projectId: 'p1', roomId });
}

/** hello + join with a device's capabilities, as the client does. */
async function joined(roomId: string, displayName: string) {
  const c = await connect();
  const h = await hello(c, roomId, { displayName });
  const j = await c.request('join', { rtpCapabilities: deviceRtpCapabilities(h.routerRtpCapabilities!) });
  return { c, peerId: h.peerId, peers: j.peers };
}

describe('handshake', () => {
  it('answers hello with a peer id, the router capabilities and ICE servers', async () => {
    const c = await connect();
    const h = await hello(c, 'room1', { displayName: 'Léa Martin', role: 'owner' });
    expect(h.protocol).toBe(PROTOCOL_VERSION);
    expect(h.peerId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(h.self).toMatchObject({ displayName: 'Léa Martin', role: 'owner' });
    expect(h.routerRtpCapabilities!.codecs?.map((x) => x.mimeType)).toContain('audio/opus');
    expect(h.iceServers).toEqual([]); // no TURN configured: as before
  });

  it.each([
    ['no token', async () => undefined, ErrorCode.UNAUTHORIZED],
    ['a forged token', async () => t.token({}, 'another-secret-another-secret-another-secret'), ErrorCode.UNAUTHORIZED],
    ['a garbage token', async () => 'not.a.jwt', ErrorCode.UNAUTHORIZED],
    ['an expired token', async () => t.token({ ttlSeconds: -60 }), ErrorCode.TOKEN_EXPIRED],
    ["another project's token", async () => t.token({ projectId: 'p2' }), ErrorCode.FORBIDDEN],
  ])('refuses hello with %s, then closes the socket with 4001', async (_name, makeToken, code) => {
    const c = await connect();
    const token = await makeToken();
    const error = await c.expectError(
      c.rawRequest('hello', { protocol: PROTOCOL_VERSION, projectId: 'p1', roomId: 'room1', ...(token ? { token } : {}) }),
    );
    expect(error.code).toBe(code);
    expect(await c.closed).toBe(WsCloseCode.HELLO_REFUSED);
  });

  it('keeps nothing of the upgrade\'s HTTP objects with the socket, and makes no logger per socket', async () => {
    const c = await connect();
    const h = await hello(c);
    const session = [...t.app.sessions].find((s) => s.peerId === h.peerId)!;
    const socket = session.socketForTests!;
    // One 'error' listener, the route's own (@fastify/websocket's closure over the request and reply is gone).
    expect(socket.listeners('error')).toHaveLength(1);
    // The ServerResponse made for the routing is no longer the TCP socket's.
    expect((socket as unknown as { _socket: { _httpMessage: unknown } })._socket._httpMessage).toBeNull();
    // Nothing written for this socket at the tests' level (silent unless TEST_LOG_LEVEL): no pino child made.
    expect(session.log).toBeInstanceOf(LazyChildLogger);
    if (['silent', 'fatal', 'error', 'warn'].includes(t.config.logLevel)) expect((session.log as LazyChildLogger).made).toBe(false);
  });

  it('refuses an unknown protocol version', async () => {
    const c = await connect();
    const error = await c.expectError(
      c.request('hello', { protocol: 99, token: await t.token(), projectId: 'p1', roomId: 'room1' }),
    );
    expect(error.code).toBe(ErrorCode.UNSUPPORTED_PROTOCOL);
  });
});

describe('bad input gets a coded error and the socket survives', () => {
  it('answers malformed frames, unknown types, bad data and out-of-order requests', async () => {
    const c = await connect();
    expect((await c.sendRaw('{not json')).code).toBe(ErrorCode.BAD_REQUEST);
    expect((await c.sendRaw(Buffer.from([1, 2, 3]), true)).code).toBe(ErrorCode.BAD_REQUEST);
    expect((await c.sendRaw(JSON.stringify({ kind: 'req', type: 'hello' }))).code).toBe(ErrorCode.BAD_REQUEST);
    expect((await c.sendRaw(JSON.stringify([1, 2]))).code).toBe(ErrorCode.BAD_REQUEST);
    expect((await c.expectError(c.rawRequest('explode', {}))).code).toBe(ErrorCode.UNKNOWN_REQUEST);
    expect((await c.expectError(c.rawRequest('__proto__', {}))).code).toBe(ErrorCode.UNKNOWN_REQUEST);
    expect((await c.expectError(c.rawRequest('join', { rtpCapabilities: {} }))).code).toBe(ErrorCode.HELLO_REQUIRED);
    expect((await c.expectError(c.rawRequest('hello', { protocol: 'one' }))).code).toBe(ErrorCode.BAD_REQUEST);
    expect(
      (await c.expectError(c.rawRequest('hello', { protocol: 1, token: 'x', projectId: '../etc', roomId: 'r' }))).code,
    ).toBe(ErrorCode.BAD_REQUEST);

    // Still usable:
    await hello(c);
    // A join whose capabilities nest deeper than any request (the fuzz test found some past
    // JSON.stringify's stack): refused before parsing, the socket still usable.
    const deep = '{"a":'.repeat(5_000) + '{}' + '}'.repeat(5_000);
    const refused = await c.sendRaw(`{"id":70,"type":"join","data":{"rtpCapabilities":{"codecs":[{"mimeType":"audio/opus","parameters":${deep}}]}}}`);
    expect(refused).toMatchObject({ code: ErrorCode.BAD_REQUEST, message: expect.stringMatching(/nested deeper/) });
    expect((await c.expectError(c.rawRequest('consume', { producerId: 'abc' }))).code).toBe(ErrorCode.NOT_JOINED);
    expect((await c.expectError(c.rawRequest('createTransport', { direction: 'sideways' }))).code).toBe(
      ErrorCode.BAD_REQUEST,
    );
    expect((await c.expectError(c.rawRequest('hello', { protocol: 1, token: 'x', projectId: 'p1', roomId: 'r' }))).code).toBe(
      ErrorCode.BAD_REQUEST,
    );
    await c.request('join', { rtpCapabilities: { codecs: [] } });
    expect((await c.expectError(c.rawRequest('join', { rtpCapabilities: { codecs: [] } }))).code).toBe(
      ErrorCode.ALREADY_JOINED,
    );
    expect((await c.expectError(c.request('connectTransport', { transportId: 'abc', dtlsParameters: dtlsParameters() }))).code).toBe(
      ErrorCode.NOT_FOUND,
    );
    // No fingerprint: refused by the schema (the fuzz test found the worker logging each one as an error).
    expect(
      (await c.expectError(c.rawRequest('connectTransport', { transportId: 'abc', dtlsParameters: { role: 'client', fingerprints: [] } }))).code,
    ).toBe(ErrorCode.BAD_REQUEST);
    const send = await c.request('createTransport', { direction: 'send' });
    expect(
      (
        await c.expectError(
          c.request('produce', {
            transportId: send.transportId,
            kind: 'audio',
            source: 'mic',
            rtpParameters: { codecs: [{ mimeType: 'audio/unknown' }] } as never,
          }),
        )
      ).code,
    ).toBe(ErrorCode.BAD_REQUEST);
    // No codec: refused by the schema (the fuzz test found the worker logging each one as an error).
    expect(
      (await c.expectError(c.rawRequest('produce', { transportId: send.transportId, kind: 'audio', source: 'mic', rtpParameters: { codecs: [] } }))).code,
    ).toBe(ErrorCode.BAD_REQUEST);
    expect(c.closeCode).toBeUndefined();
  });

  it('refuses join on a project page socket with BAD_REQUEST, and lets it leave (found by the fuzz test: INTERNAL before)', async () => {
    const c = await connect();
    await c.request('hello', { protocol: PROTOCOL_VERSION, token: await t.token(), projectId: 'p1' });
    expect((await c.expectError(c.request('join', { rtpCapabilities: { codecs: [] } }))).code).toBe(ErrorCode.BAD_REQUEST);
    await c.request('ping', {});
    expect(await c.request('leave', {})).toEqual({});
    expect(await c.closed).toBe(WsCloseCode.LEFT);
  });

  it('closes with 1009 on a frame too big and 1007 on a text frame not UTF-8, every time (found by the fuzz test: often 1006 before)', async () => {
    // The old error handler terminated the socket under ws's close frame: about one close in three came as 1006.
    const closes: number[] = [];
    for (let i = 0; i < 8; i++) {
      const big = await connect();
      // Each followed by more frames, as a busy client sends them.
      const more = JSON.stringify({ kind: 'req', id: 2, type: 'ping', data: {} });
      big.ws.send(JSON.stringify({ kind: 'req', id: 1, type: 'ping', data: { x: 'x'.repeat(200_000) } }));
      for (let j = 0; j < 50; j++) big.ws.send(more);
      const bad = await connect();
      bad.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      for (let j = 0; j < 50; j++) bad.ws.send(more);
      closes.push(await big.closed, await bad.closed);
    }
    expect(closes).toEqual(Array.from({ length: 8 }, () => [WsCloseCode.MESSAGE_TOO_BIG, WsCloseCode.INVALID_PAYLOAD]).flat());
  });

  it('closes a socket that never says hello', async () => {
    const short = await startTestApp({ HELLO_TIMEOUT_MS: '300' });
    try {
      const c = await TestClient.connect(short.url);
      expect(await c.closed).toBe(WsCloseCode.HELLO_TIMEOUT);
    } finally {
      await short.close();
    }
  });

  it('rate-limits a flooding socket with RATE_LIMITED', async () => {
    const c = await connect();
    await hello(c);
    const burst = Array.from({ length: 150 }, () => c.rawRequest('pauseConsumer', { consumerId: 'abc' }).catch((e) => e));
    const codes = (await Promise.all(burst)).map((e) => (e as { code?: string }).code);
    expect(codes).toContain(ErrorCode.NOT_JOINED);
    expect(codes).toContain(ErrorCode.RATE_LIMITED);
    // Not closed: a burst is refused, the connection lives on.
    expect(c.closeCode).toBeUndefined();
  });
});

describe('a meeting', () => {
  it('tells peers who joins, what they produce, and who leaves; records presence in Redis', async () => {
    const alice = await joined('meeting', 'Alice');
    expect(alice.peers).toEqual([]);
    const bob = await joined('meeting', 'Bob');
    expect(bob.peers.map((p) => p.displayName)).toEqual(['Alice']);
    await alice.c.waitFor('peerJoined', (d) => d.peer.peerId === bob.peerId && d.peer.displayName === 'Bob');

    // Written after the join's answer (rooms/MeetingRecords.ts).
    await expect.poll(async () => (await t.app.meetingPresence.list('p1', 'meeting')).map((e) => e.displayName).sort()).toEqual(['Alice', 'Bob']);

    const send = await alice.c.request('createTransport', { direction: 'send' });
    await alice.c.request('connectTransport', { transportId: send.transportId, dtlsParameters: dtlsParameters() });
    const { producerId: micId } = await alice.c.request('produce', {
      transportId: send.transportId,
      kind: 'audio',
      rtpParameters: audioRtpParameters(),
      source: 'mic',
    });
    const { producerId: camId } = await alice.c.request('produce', {
      transportId: send.transportId,
      kind: 'video',
      rtpParameters: videoRtpParameters(),
      source: 'camera',
    });
    const added = await bob.c.waitFor('producerAdded', (d) => d.producer.producerId === camId);
    expect(added).toMatchObject({ peerId: alice.peerId, producer: { kind: 'video', source: 'camera', paused: false } });

    await bob.c.request('createTransport', { direction: 'recv' });
    const consumer = await bob.c.request('consume', { producerId: camId });
    expect(consumer).toMatchObject({ producerId: camId, peerId: alice.peerId, kind: 'video', source: 'camera' });
    await bob.c.request('resumeConsumer', { consumerId: consumer.consumerId });
    // Consumers are the peer's own: Alice cannot touch Bob's.
    expect((await alice.c.expectError(alice.c.request('pauseConsumer', { consumerId: consumer.consumerId }))).code).toBe(
      ErrorCode.NOT_FOUND,
    );

    await alice.c.request('pauseProducer', { producerId: micId });
    await bob.c.waitFor('producerPaused', (d) => d.producerId === micId);
    await alice.c.request('resumeProducer', { producerId: micId });
    await bob.c.waitFor('producerResumed', (d) => d.producerId === micId);

    // A late joiner sees Alice's producers in the join answer.
    const carol = await joined('meeting', 'Carol');
    const aliceSeenByCarol = carol.peers.find((p) => p.peerId === alice.peerId);
    expect(aliceSeenByCarol?.producers.map((p) => p.source).sort()).toEqual(['camera', 'mic']);

    await alice.c.request('closeProducer', { producerId: camId });
    await bob.c.waitFor('consumerClosed', (d) => d.consumerId === consumer.consumerId);
    await carol.c.waitFor('producerClosed', (d) => d.producerId === camId);

    await alice.c.request('leave', {});
    expect(await alice.c.closed).toBe(WsCloseCode.LEFT);
    await bob.c.waitFor('peerLeft', (d) => d.peerId === alice.peerId && d.reason === 'left');
    // A socket that just drops counts as disconnected.
    carol.c.close();
    await bob.c.waitFor('peerLeft', (d) => d.peerId === carol.peerId && d.reason === 'disconnected');
    await bob.c.until(() => true, 'noop');
    const after = await t.app.meetingPresence.list('p1', 'meeting');
    expect(after.map((e) => e.displayName)).toEqual(['Bob']);
  });

  it('keeps one consistent view when many join at once', async () => {
    const n = 6;
    const all = await Promise.all(Array.from({ length: n }, (_, i) => joined('crowd', `P${i}`)));
    const ids = all.map((p) => p.peerId);
    for (const me of all) {
      await me.c.until(() => {
        const seen = [...me.peers.map((p) => p.peerId), ...me.c.notificationsOf('peerJoined').map((d) => d.peer.peerId)];
        return seen.length === n - 1;
      }, 'all other peers');
      const seen = [...me.peers.map((p) => p.peerId), ...me.c.notificationsOf('peerJoined').map((d) => d.peer.peerId)];
      expect(new Set(seen).size).toBe(n - 1);
      expect(seen.sort()).toEqual(ids.filter((id) => id !== me.peerId).sort());
    }
  });

  it('closes the room with worker-died when its mediasoup worker is killed', async () => {
    const a = await joined('fragile', 'A');
    const b = await joined('fragile', 'B');
    const room = t.app.rooms.get('p1', 'fragile')!;
    process.kill(room.media.slot.worker.pid, 'SIGKILL');
    for (const p of [a, b]) {
      expect(await p.c.waitFor('roomClosed')).toEqual({ reason: 'worker-died' });
      expect(await p.c.closed).toBe(WsCloseCode.ROOM_CLOSED);
    }
    // The pool replaces the worker; the same room can be used again.
    await new Promise<void>((resolve) => t.app.sfu.pool.once('workerreplaced', () => resolve()));
    const again = await joined('fragile', 'A');
    expect(again.peers).toEqual([]);
  });
});
