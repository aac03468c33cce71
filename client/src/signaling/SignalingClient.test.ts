import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignalingClient, type SocketClosed, type WebSocketLike } from './SignalingClient';
import { SignalingError } from './SignalingError';

type Handler = (event: unknown) => void;

/** Just enough of a browser WebSocket: records what is sent, lets the test play the server. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: Array<{ kind: string; id: number; type: string; data: unknown }> = [];
  closedWith: { code?: number; reason?: string } | null = null;
  private readonly handlers = new Map<string, Handler[]>();

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: (event: never) => void): void {
    const list = this.handlers.get(type) ?? [];
    list.push(listener as Handler);
    this.handlers.set(type, list);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as FakeSocket['sent'][number]);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  // ---- the test plays the server with these
  open(): void {
    this.readyState = 1;
    this.fire('open', {});
  }

  receive(message: unknown): void {
    this.fire('message', { data: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  serverClose(code: number, reason = ''): void {
    this.readyState = 3;
    this.fire('close', { code, reason });
  }

  lastRequest(): FakeSocket['sent'][number] {
    const last = this.sent.at(-1);
    if (!last) throw new Error('nothing sent');
    return last;
  }

  private fire(type: string, event: unknown): void {
    for (const handler of this.handlers.get(type) ?? []) handler(event);
  }
}

async function connected(timeoutMs?: number): Promise<{ client: SignalingClient; socket: FakeSocket }> {
  let socket: FakeSocket | undefined;
  const client = new SignalingClient({
    url: 'ws://example.test/ws',
    requestTimeoutMs: timeoutMs,
    createSocket: (url) => {
      socket = new FakeSocket(url);
      return socket;
    },
  });
  const opening = client.connect();
  if (!socket) throw new Error('no socket created');
  socket.open();
  await opening;
  return { client, socket };
}

const HELLO = { protocol: 1, token: 't', projectId: 'p1', roomId: 'r1' };

async function rejection(promise: Promise<unknown>): Promise<SignalingError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SignalingError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('SignalingClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a request envelope and resolves with the matching response', async () => {
    const { client, socket } = await connected();
    const first = client.request('createTransport', { direction: 'send' });
    const second = client.request('createTransport', { direction: 'recv' });
    const [a, b] = socket.sent;
    expect(a).toEqual({ kind: 'req', id: a?.id, type: 'createTransport', data: { direction: 'send' } });
    expect(b?.id).not.toBe(a?.id);

    // Answer out of order: matching is by id, not by arrival.
    socket.receive({ kind: 'res', id: b?.id, ok: true, data: { transportId: 'bbbb' } });
    socket.receive({ kind: 'res', id: a?.id, ok: true, data: { transportId: 'aaaa' } });
    await expect(first).resolves.toMatchObject({ transportId: 'aaaa' });
    await expect(second).resolves.toMatchObject({ transportId: 'bbbb' });
  });

  it('rejects with a SignalingError carrying the server error code', async () => {
    const { client, socket } = await connected();
    const hello = client.request('hello', HELLO);
    socket.receive({ kind: 'res', id: socket.lastRequest().id, ok: false, error: { code: 'TOKEN_EXPIRED', message: 'exp' } });
    const error = await rejection(hello);
    expect(error.code).toBe('TOKEN_EXPIRED');
    expect(error.requestType).toBe('hello');
  });

  it('maps an error code it does not know to INTERNAL', async () => {
    const { client, socket } = await connected();
    const leave = client.request('leave', {});
    socket.receive({ kind: 'res', id: socket.lastRequest().id, ok: false, error: { code: 'FROM_THE_FUTURE', message: '' } });
    expect((await rejection(leave)).code).toBe('INTERNAL');
  });

  it('rejects with TIMEOUT after the request timeout and ignores the late response', async () => {
    const { client, socket } = await connected(10_000);
    const leave = client.request('leave', {});
    const settled = rejection(leave);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(socket.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await settled).code).toBe('TIMEOUT');
    // A response after the timeout must not throw nor resolve anything.
    socket.receive({ kind: 'res', id: socket.lastRequest().id, ok: true, data: {} });
  });

  it('rejects pending requests with CONNECTION_LOST when the server closes the socket', async () => {
    const { client, socket } = await connected();
    const closes: SocketClosed[] = [];
    client.onClose((closed) => closes.push(closed));
    const a = rejection(client.request('leave', {}));
    const b = rejection(client.request('consume', { producerId: 'abcd' }));
    socket.serverClose(1006);
    expect((await a).code).toBe('CONNECTION_LOST');
    expect((await b).code).toBe('CONNECTION_LOST');
    expect(closes).toEqual([{ code: 1006, reason: '', kind: 'lost', byClient: false }]);
    // No timer left behind that could fire later.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('classifies the application close codes', async () => {
    const kinds: string[] = [];
    for (const code of [4001, 4002, 4003, 4005, 4004, 1001]) {
      const { client, socket } = await connected();
      client.onClose((closed) => kinds.push(closed.kind));
      socket.serverClose(code);
    }
    expect(kinds).toEqual(['hello-refused', 'left', 'room-closed', 'replaced', 'lost', 'lost']);
  });

  it('close() closes the socket, rejects pending requests and reports once', async () => {
    const { client, socket } = await connected();
    const closes: SocketClosed[] = [];
    client.onClose((closed) => closes.push(closed));
    const pending = rejection(client.request('leave', {}));
    client.close();
    client.close();
    socket.serverClose(1000); // the browser's own close event, later
    expect(socket.closedWith?.code).toBe(1000);
    expect((await pending).code).toBe('CONNECTION_LOST');
    expect(closes).toHaveLength(1);
    expect(closes[0]?.byClient).toBe(true);
    expect(client.connected).toBe(false);
  });

  it('refuses requests when not connected', async () => {
    const { client } = await connected();
    client.close();
    expect((await rejection(client.request('leave', {}))).code).toBe('CONNECTION_LOST');
  });

  it('rejects connect() when the socket closes before opening', async () => {
    let socket: FakeSocket | undefined;
    const client = new SignalingClient({
      url: 'ws://x/ws',
      createSocket: (url) => (socket = new FakeSocket(url)),
    });
    const opening = rejection(client.connect());
    socket?.serverClose(1006);
    expect((await opening).code).toBe('CONNECTION_LOST');
  });

  it('rejects connect() with TIMEOUT when the socket never opens', async () => {
    const client = new SignalingClient({
      url: 'ws://x/ws',
      requestTimeoutMs: 5_000,
      createSocket: (url) => new FakeSocket(url),
    });
    const opening = rejection(client.connect());
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await opening).code).toBe('TIMEOUT');
  });

  it('delivers typed notifications to their subscribers only, and survives a throwing one', async () => {
    const { client, socket } = await connected();
    const speakers: Array<string | null> = [];
    const left: string[] = [];
    client.onNotification('activeSpeaker', () => {
      throw new Error('listener bug');
    });
    client.onNotification('activeSpeaker', (data) => speakers.push(data.peerId));
    const off = client.onNotification('peerLeft', (data) => left.push(data.peerId));

    socket.receive({ kind: 'ntf', type: 'activeSpeaker', data: { peerId: 'peer-1' } });
    socket.receive({ kind: 'ntf', type: 'peerLeft', data: { peerId: 'peer-2', reason: 'left' } });
    off();
    socket.receive({ kind: 'ntf', type: 'peerLeft', data: { peerId: 'peer-3', reason: 'left' } });
    socket.receive({ kind: 'ntf', type: 'notInTheProtocol', data: {} });
    socket.receive('not json');

    expect(speakers).toEqual(['peer-1']);
    expect(left).toEqual(['peer-2']);
  });
});
