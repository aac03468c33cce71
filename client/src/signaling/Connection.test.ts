import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection, type ConnectionState } from './Connection';
import { SignalingClient, type WebSocketLike } from './SignalingClient';
import { SignalingError } from './SignalingError';
import { PROTOCOL_VERSION } from '@chantier/signaling/protocol';

type Handler = (event: unknown) => void;
interface Sent {
  kind: string;
  id: number;
  type: string;
  data: Record<string, unknown>;
}

/** A browser WebSocket as far as SignalingClient goes; the test plays the server. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: Sent[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  private readonly handlers = new Map<string, Handler[]>();

  addEventListener(type: string, listener: (event: never) => void): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), listener as Handler]);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Sent);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.fire('open', {});
  }
  receive(message: unknown): void {
    this.fire('message', { data: JSON.stringify(message) });
  }
  /** Answers the last request of `type`. */
  answer(type: string, data: unknown): void {
    const request = this.last(type);
    this.receive({ kind: 'res', id: request.id, ok: true, data });
  }
  refuse(type: string, code: string): void {
    const request = this.last(type);
    this.receive({ kind: 'res', id: request.id, ok: false, error: { code, message: code } });
  }
  notify(type: string, data: unknown, seq?: number): void {
    this.receive({ kind: 'ntf', type, data, ...(seq === undefined ? {} : { seq }) });
  }
  serverClose(code: number): void {
    this.readyState = 3;
    this.fire('close', { code, reason: '' });
  }
  requests(type: string): Sent[] {
    return this.sent.filter((m) => m.type === type);
  }
  last(type: string): Sent {
    const found = this.requests(type).at(-1);
    if (!found) throw new Error(`no ${type} sent`);
    return found;
  }
  private fire(type: string, event: unknown): void {
    for (const handler of this.handlers.get(type) ?? []) handler(event);
  }
}

const HELLO = {
  protocol: 1,
  peerId: 'peer-1',
  projectId: 'p1',
  roomId: 'r1',
  routerRtpCapabilities: { codecs: [] },
  self: { userId: 'u1', displayName: 'Alice', role: 'member' },
  iceServers: [],
  online: [],
  unread: 0,
  resumeSecret: 'secret-secret-secret-1',
};

let sockets: FakeSocket[];
let online: (() => void) | null;
let connection: Connection;
let states: ConnectionState[];

function newest(): FakeSocket {
  const socket = sockets.at(-1);
  if (!socket) throw new Error('no socket yet');
  return socket;
}

function makeConnection(): Connection {
  const c = new Connection({
    url: 'ws://example.test/ws',
    hello: { token: 't', projectId: 'p1', roomId: 'r1' },
    createClient: (url, timeoutMs) =>
      new SignalingClient({
        url,
        requestTimeoutMs: timeoutMs,
        createSocket: () => {
          const socket = new FakeSocket();
          sockets.push(socket);
          return socket;
        },
      }),
    onOnline: (listener) => {
      online = listener;
      return () => {
        online = null;
      };
    },
  });
  c.onState((state) => states.push(state));
  return c;
}

/** open() through a fake server: socket opens, hello answered. */
async function opened(hello: Record<string, unknown> = HELLO): Promise<Connection> {
  const c = makeConnection();
  const promise = c.open();
  newest().open();
  await vi.advanceTimersByTimeAsync(0);
  newest().answer('hello', hello);
  await promise;
  return c;
}

/** Lets the reconnection loop create its next socket, opens it and answers its hello. */
async function resumeOnNextSocket(before: number, answer: Record<string, unknown> = { ...HELLO, resumeSecret: 'secret-secret-secret-2', resumed: { joined: true } }): Promise<FakeSocket> {
  await vi.waitFor(() => expect(sockets.length).toBeGreaterThan(before));
  const socket = newest();
  socket.open();
  await vi.advanceTimersByTimeAsync(0);
  socket.answer('hello', answer);
  await vi.advanceTimersByTimeAsync(0);
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  online = null;
  states = [];
});
afterEach(() => {
  connection?.close();
  vi.useRealTimers();
});

describe('Connection', () => {
  it('says hello once open and tracks the last seq, dropping repeats', async () => {
    connection = await opened();
    expect(connection.state).toBe('open');
    expect(newest().last('hello').data).toMatchObject({ protocol: PROTOCOL_VERSION, token: 't', projectId: 'p1', roomId: 'r1' });
    expect(newest().last('hello').data.resume).toBeUndefined();
    const seen: string[] = [];
    connection.onNotification('activeSpeaker', ({ peerId }) => seen.push(String(peerId)));
    newest().notify('activeSpeaker', { peerId: 'a' }, 1);
    newest().notify('activeSpeaker', { peerId: 'b' }, 2);
    newest().notify('activeSpeaker', { peerId: 'b-again' }, 2);
    expect(seen).toEqual(['a', 'b']);
    expect(connection.lastSeq).toBe(2);
  });

  it('resumes with the newest token given by setToken', async () => {
    connection = await opened();
    connection.setToken('fresh-token');
    newest().serverClose(1006);
    const before = sockets.length;
    await vi.advanceTimersByTimeAsync(300);
    const socket = await resumeOnNextSocket(before);
    expect(socket.last('hello').data).toMatchObject({ token: 'fresh-token', projectId: 'p1', roomId: 'r1' });
    expect(socket.last('hello').data.resume).toMatchObject({ peerId: 'peer-1' });
  });

  it('after a lost socket, resumes with peerId, secret and lastSeq, with backoff between attempts', async () => {
    connection = await opened();
    newest().notify('activeSpeaker', { peerId: 'a' }, 7);
    const resumed = vi.fn();
    connection.onResumed(resumed);
    newest().serverClose(1006);
    expect(connection.state).toBe('reconnecting');

    // Attempts that fail to open: 250 ms, then 500, 1000, 2000, 2000 between them.
    const created: number[] = [];
    const start = Date.now();
    for (let i = 0; i < 4; i++) {
      const before = sockets.length;
      for (let step = 0; step < 400 && sockets.length === before; step++) await vi.advanceTimersByTimeAsync(10);
      expect(sockets.length).toBe(before + 1);
      created.push(Date.now() - start);
      newest().serverClose(1006); // refused: the network is still down
    }
    expect(created[0]).toBeGreaterThanOrEqual(250);
    expect(created[0]).toBeLessThan(300);
    const gaps = created.slice(1).map((t, i) => t - created[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(500);
    expect(gaps[1]).toBeGreaterThanOrEqual(1000);
    expect(gaps[2]).toBeGreaterThanOrEqual(2000);
    expect(gaps.every((g) => g < 2050)).toBe(true);

    const before = sockets.length;
    await vi.advanceTimersByTimeAsync(2000);
    const socket = await resumeOnNextSocket(before);
    expect(socket.last('hello').data.resume).toEqual({ peerId: 'peer-1', secret: 'secret-secret-secret-1', lastSeq: 7 });
    expect(connection.state).toBe('open');
    expect(resumed).toHaveBeenCalledTimes(1);
    expect(states).toEqual(['open', 'reconnecting', 'open']);

    // Replayed notifications come after the answer; the rotated secret is used next time.
    const seen: number[] = [];
    connection.onNotification('activeSpeaker', () => seen.push(connection.lastSeq));
    socket.notify('activeSpeaker', { peerId: 'x' }, 8);
    expect(seen).toEqual([8]);
    const count = sockets.length;
    socket.serverClose(1006);
    await vi.advanceTimersByTimeAsync(250);
    const second = await resumeOnNextSocket(count);
    expect(second.last('hello').data.resume).toMatchObject({ secret: 'secret-secret-secret-2', lastSeq: 8 });
  });

  it('finds a silent socket with its ping and reconnects', async () => {
    connection = await opened();
    const first = newest();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(first.requests('ping')).toHaveLength(1);
    first.answer('ping', { time: 1 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(first.requests('ping')).toHaveLength(2);
    // No answer: the link is cut and no close event will ever come.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(connection.state).toBe('reconnecting');
    expect(first.closedWith?.code).toBe(4000);
    await vi.advanceTimersByTimeAsync(250);
    await resumeOnNextSocket(1);
    expect(connection.state).toBe('open');
  });

  it("checks at once when the browser says it is back online", async () => {
    connection = await opened();
    online?.();
    expect(newest().requests('ping')).toHaveLength(1);
  });

  it('requests made while reconnecting wait for the resume, within their timeout', async () => {
    connection = await opened();
    newest().serverClose(1006);
    const waiting = connection.request('chatHistory', { limit: 10 });
    const tooLate = connection.request('chatHistory', { limit: 5 }, { timeoutMs: 100 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(await tooLate).toMatchObject({ code: 'TIMEOUT' });
    const socket = await resumeOnNextSocket(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.requests('chatHistory').map((r) => r.data)).toEqual([{ limit: 10 }]);
    socket.answer('chatHistory', { messages: [], hasMore: false });
    await expect(waiting).resolves.toEqual({ messages: [], hasMore: false });
  });

  it('sends an idempotent request again when its socket died before the answer; fails the others', async () => {
    connection = await opened();
    const chat = connection.request('chatSend', { clientMessageId: 'm-1', text: 'hello' }, { retryOnLost: true });
    const produce = connection.request('closeProducer', { producerId: 'x' });
    await vi.advanceTimersByTimeAsync(0);
    expect(newest().requests('chatSend')).toHaveLength(1);
    newest().serverClose(1006);
    await expect(produce).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    const socket = await resumeOnNextSocket(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.requests('chatSend').map((r) => r.data)).toEqual([{ clientMessageId: 'm-1', text: 'hello' }]);
    socket.answer('chatSend', { message: { id: '1-0' } });
    await expect(chat).resolves.toEqual({ message: { id: '1-0' } });
  });

  it('RESUME_FAILED: the session is gone, state expired; waiting requests fail', async () => {
    connection = await opened();
    newest().serverClose(1006);
    const waiting = connection.request('chatHistory', { limit: 10 }).catch((e: unknown) => e);
    await vi.waitFor(async () => {
      await vi.advanceTimersByTimeAsync(50);
      expect(sockets).toHaveLength(2);
    });
    newest().open();
    await vi.advanceTimersByTimeAsync(0);
    newest().refuse('hello', 'RESUME_FAILED');
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.state).toBe('expired');
    expect(await waiting).toBeInstanceOf(SignalingError);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(2);
  });

  it('a close the server meant (left, room closed) ends the connection without reconnecting', async () => {
    connection = await opened();
    const closed = vi.fn();
    connection.onClose(closed);
    newest().serverClose(4003);
    expect(connection.state).toBe('closed');
    expect(closed).toHaveBeenCalledWith(expect.objectContaining({ code: 4003, kind: 'room-closed' }));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sockets).toHaveLength(1);
  });

  it('removed by a moderator (4007): final, never resumed', async () => {
    connection = await opened();
    const closed = vi.fn();
    connection.onClose(closed);
    newest().serverClose(4007);
    expect(connection.state).toBe('closed');
    expect(closed).toHaveBeenCalledWith(expect.objectContaining({ code: 4007, kind: 'removed' }));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('without a resume secret (a project page) a lost socket ends the connection', async () => {
    const { resumeSecret: _none, ...projectHello } = HELLO;
    connection = await opened({ ...projectHello, roomId: undefined });
    const closed = vi.fn();
    connection.onClose(closed);
    newest().serverClose(1006);
    expect(connection.state).toBe('closed');
    expect(closed).toHaveBeenCalledWith(expect.objectContaining({ kind: 'lost' }));
  });

  it('gives up after giveUpAfterMs of failed attempts', async () => {
    connection = await opened();
    const closed = vi.fn();
    connection.onClose(closed);
    newest().serverClose(1006);
    for (let i = 0; i < 80 && connection.state === 'reconnecting'; i++) {
      await vi.advanceTimersByTimeAsync(1_000);
      const socket = newest();
      if (socket.readyState === 0) socket.serverClose(1006);
    }
    expect(connection.state).toBe('closed');
    expect(closed).toHaveBeenCalledWith(expect.objectContaining({ kind: 'lost' }));
  });

  it('close() is final: no reconnection, the server is told goodbye (1000)', async () => {
    connection = await opened();
    const first = newest();
    connection.close();
    expect(first.closedWith?.code).toBe(1000);
    expect(connection.state).toBe('closed');
    await expect(connection.request('ping', {})).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
  });
});
