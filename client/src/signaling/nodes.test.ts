import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Connection, MAX_REDIRECTS } from './Connection';
import { NodeDirectory, nodeSocketUrl } from './nodes';
import { SignalingClient, type WebSocketLike } from './SignalingClient';

type Handler = (event: unknown) => void;

/** A fake socket whose server is played by `serve`, per URL. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  private readonly handlers = new Map<string, Handler[]>();
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: never) => void): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), listener as Handler]);
  }
  send(data: string): void {
    const request = JSON.parse(data) as { id: number; type: string; data: Record<string, unknown> };
    queueMicrotask(() => this.fire('message', { data: JSON.stringify(serve(this.url, request)) }));
  }
  close(): void {
    this.readyState = 3;
  }
  fire(type: string, event: unknown): void {
    for (const handler of this.handlers.get(type) ?? []) handler(event);
  }
}

const A = 'ws://a.test/ws';
const B = 'ws://b.test/ws';
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

/** What each node answers a hello: a hello, WRONG_NODE to a URL, or nothing (the node is down). */
let nodes: Record<string, { hello: 'ok' } | { redirect: string } | 'down'>;
let tried: string[];

function serve(url: string, request: { id: number; type: string; data: Record<string, unknown> }): unknown {
  const node = nodes[url];
  if (request.type === 'ping') return { kind: 'res', id: request.id, ok: true, data: { time: 0 } };
  if (request.type !== 'hello' || !node || node === 'down') throw new Error('unexpected');
  if ('redirect' in node) {
    return { kind: 'res', id: request.id, ok: false, error: { code: 'WRONG_NODE', message: 'held elsewhere', details: { url: node.redirect } } };
  }
  return { kind: 'res', id: request.id, ok: true, data: { ...HELLO, nodes: ['http://a.test', 'http://b.test'] } };
}

function connection(directory: NodeDirectory): Connection {
  return new Connection({
    url: directory.entry,
    nodes: directory,
    hello: { token: 't', projectId: 'p1', roomId: 'r1' },
    timing: { clusterRetryMs: 5_000, backoffMs: [500] },
    onOnline: () => () => {},
    createClient: (url, timeoutMs) =>
      new SignalingClient({
        url,
        requestTimeoutMs: timeoutMs,
        createSocket: (socketUrl) => {
          tried.push(socketUrl);
          const socket = new FakeSocket(socketUrl);
          queueMicrotask(() => {
            if (nodes[socketUrl] === 'down' || !nodes[socketUrl]) {
              socket.readyState = 3;
              socket.fire('close', { code: 1006, reason: '' });
            } else {
              socket.readyState = 1;
              socket.fire('open', {});
            }
          });
          return socket;
        },
      }),
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  tried = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('NodeDirectory', () => {
  it('turns node URLs into sockets and orders where to go', () => {
    expect(nodeSocketUrl('https://a.example.org:8443')).toBe('wss://a.example.org:8443/ws');
    expect(nodeSocketUrl('http://127.0.0.1:3000/')).toBe('ws://127.0.0.1:3000/ws');
    expect(nodeSocketUrl('javascript:alert(1)')).toBeUndefined();
    expect(nodeSocketUrl('not a url')).toBeUndefined();
    const directory = new NodeDirectory(B);
    expect(directory.forHello()).toEqual([B]);
    directory.learn(['http://a.test', 'http://b.test', 'ftp://c.test']);
    directory.current = A;
    expect(directory.forHello()).toEqual([B, A]);
    expect(directory.forResume()).toEqual([A, B]);
  });
});

describe('Connection in a cluster', () => {
  it('follows WRONG_NODE to the meeting’s node and learns the live nodes', async () => {
    nodes = { [B]: { redirect: 'http://a.test' }, [A]: { hello: 'ok' } };
    const directory = new NodeDirectory(B);
    const c = connection(directory);
    const hello = await c.open();
    expect(hello.peerId).toBe('peer-1');
    expect(tried).toEqual([B, A]);
    expect(directory.current).toBe(A);
    expect(directory.forHello()).toEqual([B, A]);
    c.close();
  });

  it(`gives up after ${MAX_REDIRECTS} redirects in a row with WRONG_NODE`, async () => {
    nodes = { [A]: { redirect: 'http://b.test' }, [B]: { redirect: 'http://a.test' } };
    const c = connection(new NodeDirectory(A));
    const failure = c.open().catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await failure).toMatchObject({ code: 'WRONG_NODE' });
    // Each round: the entry and 3 hops; rounds again until clusterRetryMs (a dead holder's claim lapses).
    expect(tried.slice(0, 4)).toEqual([A, B, A, B]);
    expect(c.state).toBe('closed');
  });

  it('when redirected to a dead node, tries again until a survivor takes the meeting', async () => {
    nodes = { [B]: { redirect: 'http://a.test' }, [A]: 'down' };
    const c = connection(new NodeDirectory(B));
    const opened = c.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(tried).toEqual([B, A]);
    // A's claim lapsed: B holds the meeting now.
    nodes[B] = { hello: 'ok' };
    await vi.advanceTimersByTimeAsync(600);
    expect((await opened).peerId).toBe('peer-1');
    expect(tried.at(-1)).toBe(B);
    c.close();
  });

  it('falls back from a dead entry to the other nodes it learnt', async () => {
    nodes = { [A]: 'down', [B]: { hello: 'ok' } };
    const directory = new NodeDirectory(A);
    directory.learn(['http://a.test', 'http://b.test']);
    const c = connection(directory);
    expect((await c.open()).peerId).toBe('peer-1');
    expect(tried).toEqual([A, B]);
    expect(directory.current).toBe(B);
    c.close();
  });

  it('resumes on its node when another node says the session lives there', async () => {
    nodes = { [A]: { hello: 'ok' }, [B]: { redirect: 'http://a.test' } };
    const directory = new NodeDirectory(B);
    const c = connection(directory);
    await c.open();
    expect(directory.current).toBe(A);
    // The client's own network fails: A's socket drops and A is out of reach for a while.
    nodes[A] = 'down';
    (c as unknown as { client: { socket: FakeSocket } }).client.socket.fire('close', { code: 1006, reason: '' });
    expect(c.state).toBe('reconnecting');
    const nextAttempt = async (): Promise<string> => {
      const before = tried.length;
      for (let i = 0; i < 100 && tried.length === before; i++) await vi.advanceTimersByTimeAsync(20);
      await vi.advanceTimersByTimeAsync(0);
      return tried.at(-1)!;
    };
    expect([await nextAttempt(), await nextAttempt()]).toEqual([A, A]);
    // Then the entry, B, which holds no such session but knows A holds the meeting, alive: back to A.
    nodes[A] = { hello: 'ok' };
    expect(await nextAttempt()).toBe(B);
    expect(c.state).toBe('reconnecting');
    expect(directory.current).toBe(A);
    expect(await nextAttempt()).toBe(A);
    expect(c.state).toBe('open');
    c.close();
  });

  it('alone (one node, no redirect), fails at once as before', async () => {
    nodes = { [A]: 'down' };
    const c = connection(new NodeDirectory(A));
    await expect(c.open()).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect(tried).toEqual([A]);
  });
});
