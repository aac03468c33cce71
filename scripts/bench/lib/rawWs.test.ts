/**
 * The load generators' WebSocket client (rawWs.ts) against a real `ws` server:
 * its handshake is accepted, its frames are masked as the server demands (ws
 * closes with 1002 on an unmasked client frame), messages of every length
 * class and fragmented ones arrive whole, pings are answered, and the close
 * handshake works both ways; a wrong accept or status is refused.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { acceptFor, checkHandshake, clientFrame, RawWs, upgradeTemplate, type RawWsListener } from './rawWs.js';

let wss: WebSocketServer;
let url = '';
/** The server side of each connection, in order of arrival. */
const serverSockets: WebSocket[] = [];
const protocols: string[] = [];

beforeAll(async () => {
  wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    perMessageDeflate: true, // offered by the server only if the client asks: it does not
    handleProtocols: (offered) => {
      protocols.push(...offered);
      return offered.values().next().value ?? false;
    },
  });
  await once(wss, 'listening');
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws?x=1`;
  wss.on('connection', (socket) => {
    serverSockets.push(socket);
    socket.on('message', (data, isBinary) => {
      const text = data.toString();
      if (text === 'fragments') {
        socket.send('one ', { fin: false });
        socket.send('two ', { fin: false });
        socket.send('three', { fin: true });
      } else if (text.startsWith('size ')) socket.send('y'.repeat(Number(text.slice(5))));
      else socket.send(data, { binary: isBinary });
    });
  });
});

afterAll(async () => {
  for (const socket of wss.clients) socket.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

/** A client whose messages and end are queued for the test to wait on. */
function client(): { ws: RawWs; next: () => Promise<string>; closed: Promise<number> } {
  const messages: string[] = [];
  const waiters: Array<(text: string) => void> = [];
  let closedWith: (code: number) => void = () => {};
  const closed = new Promise<number>((resolve) => (closedWith = resolve));
  const listener: RawWsListener = {
    message(_socket, payload) {
      const text = payload.toString();
      const waiter = waiters.shift();
      if (waiter) waiter(text);
      else messages.push(text);
    },
    closed(_socket, code) {
      closedWith(code);
    },
  };
  const ws = new RawWs();
  const opening = ws.open(upgradeTemplate(url, 'janus-protocol'), listener);
  return {
    ws: Object.assign(ws, { opening }),
    next: () => (messages.length > 0 ? Promise.resolve(messages.shift()!) : new Promise((resolve) => waiters.push(resolve))),
    closed,
  };
}

describe('rawWs against a ws server', () => {
  it('upgrades, asks for the subprotocol, and exchanges masked text of every length class', async () => {
    const c = client();
    await (c.ws as RawWs & { opening: Promise<void> }).opening;
    expect(c.ws.state).toBe('open');
    expect(protocols).toContain('janus-protocol');
    for (const text of ['hé', 'x'.repeat(125), 'x'.repeat(126), 'z'.repeat(65_535), 'w'.repeat(70_000)]) {
      expect(c.ws.send(text)).toBe(true);
      expect(await c.next()).toBe(text);
    }
    // Server → client: 16-bit and 64-bit lengths, and a message in three fragments.
    c.ws.send('size 300');
    expect(await c.next()).toBe('y'.repeat(300));
    c.ws.send('size 100000');
    expect(await c.next()).toBe('y'.repeat(100_000));
    c.ws.send('fragments');
    expect(await c.next()).toBe('one two three');
    c.ws.close();
    expect(await c.closed).toBe(1000);
  });

  it('answers a ping with a pong of the same payload', async () => {
    const c = client();
    await (c.ws as RawWs & { opening: Promise<void> }).opening;
    const server = serverSockets.at(-1)!;
    const pong = once(server, 'pong');
    server.ping(Buffer.from('are you there'));
    const [payload] = (await pong) as [Buffer];
    expect(payload.toString()).toBe('are you there');
    c.ws.terminate();
    expect(await c.closed).toBe(1006);
  });

  it("echoes the server's close code and reports it; a client close reaches the server as sent", async () => {
    const a = client();
    await (a.ws as RawWs & { opening: Promise<void> }).opening;
    const serverA = serverSockets.at(-1)!;
    const serverSawA = once(serverA, 'close');
    serverA.close(4001, 'bye');
    expect(await a.closed).toBe(4001);
    expect(((await serverSawA) as [number])[0]).toBe(4001);

    const b = client();
    await (b.ws as RawWs & { opening: Promise<void> }).opening;
    const serverB = serverSockets.at(-1)!;
    const serverSawB = once(serverB, 'close');
    b.ws.close(4002, 'done');
    const [code, reason] = (await serverSawB) as [number, Buffer];
    expect(code).toBe(4002);
    expect(reason.toString()).toBe('done');
    expect(await b.closed).toBe(4002);
  });
});

describe('rawWs handshake checks', () => {
  let fake: Server;
  let answer = '';
  let fakeUrl = '';
  beforeAll(async () => {
    fake = createServer((socket) => {
      socket.once('data', (request: Buffer) => {
        const key = /Sec-WebSocket-Key: (\S+)/.exec(request.toString())?.[1] ?? '';
        socket.end(answer.replace('ACCEPT', acceptFor(key)));
      });
    });
    fake.listen(0, '127.0.0.1');
    await once(fake, 'listening');
    fakeUrl = `ws://127.0.0.1:${(fake.address() as AddressInfo).port}/ws`;
  });
  afterAll(() => fake.close());

  const attempt = (head: string): Promise<void> => {
    answer = head;
    return new RawWs().open(upgradeTemplate(fakeUrl), { message() {}, closed() {} });
  };

  it('refuses a wrong Sec-WebSocket-Accept, a status other than 101, and an answer cut short', async () => {
    await expect(attempt('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n')).rejects.toThrow(
      'wrong Sec-WebSocket-Accept',
    );
    await expect(attempt('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')).rejects.toThrow('status HTTP/1.1 403');
    await expect(attempt('HTTP/1.1 101 Switching')).rejects.toThrow('socket closed');
    // The right accept passes the same path.
    await expect(attempt('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ACCEPT\r\n\r\n')).resolves.toBeUndefined();
  });

  it('checkHandshake wants Upgrade and Connection, and no extension it did not ask for', () => {
    const accept = acceptFor('dGhlIHNhbXBsZSBub25jZQ==');
    expect(accept).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo='); // RFC 6455 §1.3's example
    expect(checkHandshake(`HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-accept: ${accept}`, accept)).toBe('');
    expect(checkHandshake(`HTTP/1.1 101 OK\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}`, accept)).toMatch(/Upgrade/);
    expect(checkHandshake(`HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Extensions: permessage-deflate`, accept)).toMatch(/extension/);
  });

  it('masks every client frame with its own key (the payload unmasks to the text)', () => {
    const frame = clientFrame(0x1, 'hello');
    expect(frame[0]).toBe(0x81);
    expect(frame[1]).toBe(0x80 | 5);
    const mask = frame.subarray(2, 6);
    const unmasked = Buffer.from(frame.subarray(6).map((byte, i) => byte ^ mask[i % 4]!));
    expect(unmasked.toString()).toBe('hello');
    expect(clientFrame(0x1, 'hello').subarray(2, 6).equals(mask)).toBe(false);
  });
});
