/**
 * Frames written under ws (writeBatch.ts, wsFrames.ts) over real sockets: a
 * ws server and client on loopback, the server's side a real Session.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { WebSocket, WebSocketServer, type ServerOptions } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { Session } from './Session.js';
import { rawSocket } from './writeBatch.js';

const servers: WebSocketServer[] = [];
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A connected pair: the server's socket, and a client that records the texts it receives and its close code. */
async function pair(options: ServerOptions = {}, clientOptions: { perMessageDeflate?: boolean } = {}) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, clientOptions);
  clients.push(client);
  const texts: string[] = [];
  client.on('message', (data: Buffer) => texts.push(data.toString('utf8')));
  const closed = new Promise<number>((resolve) => client.once('close', resolve));
  await new Promise((resolve) => client.once('open', resolve));
  return { socket: await accepted, texts, closed };
}

function meetingSession(socket: WebSocket): Session {
  const session = new Session(socket, pino({ level: 'silent' }), 1000, 60);
  session.resumeSecret = 'secret-secret-secret-00';
  return session;
}

describe('frames written under ws', () => {
  it('arrive whole and in order, answers and shared notifications alike, before the close frame', async () => {
    const { socket, texts, closed } = await pair();
    expect(rawSocket(socket)).toBeDefined();
    const session = meetingSession(socket);
    const chat = { message: { id: '1-0', text: 'Béton coulé au 2e étage' } };
    const chatJson = JSON.stringify(chat);
    session.respond(7, { ok: 'é'.repeat(200) }); // > 125 bytes: a 2-byte length
    session.notifyShared('chatMessage', chat as never, chatJson);
    session.notify('activeSpeaker', { peerId: null });
    session.notifyShared('chatMessage', chat as never, chatJson);
    session.close(4000, 'bye'); // flushes first
    expect(await closed).toBe(4000);
    expect(texts.map((t) => JSON.parse(t) as unknown)).toEqual([
      { kind: 'res', id: 7, ok: true, data: { ok: 'é'.repeat(200) } },
      { kind: 'ntf', type: 'chatMessage', data: chat, seq: 1 },
      { kind: 'ntf', type: 'activeSpeaker', data: { peerId: null }, seq: 2 },
      { kind: 'ntf', type: 'chatMessage', data: chat, seq: 3 },
    ]);
  });

  it('go through ws while it holds a frame back (compressing), so that the order stays', async () => {
    const { socket, texts } = await pair({ perMessageDeflate: { threshold: 0 } }, { perMessageDeflate: true });
    const session = meetingSession(socket);
    // Compressed asynchronously: ws keeps it, and what follows, until zlib is done.
    socket.send(JSON.stringify({ first: 'x'.repeat(20_000) }), { compress: true });
    expect(rawSocket(socket)).toBeUndefined();
    session.notify('activeSpeaker', { peerId: 'p1' });
    session.flush();
    session.notify('activeSpeaker', { peerId: 'p2' });
    await expect.poll(() => texts.length).toBe(3);
    expect(texts.map((t) => Object.keys(JSON.parse(t) as object)[0])).toEqual(['first', 'kind', 'kind']);
    expect(texts.slice(1).map((t) => (JSON.parse(t) as { seq: number }).seq)).toEqual([1, 2]);
  });

  it('many sessions of one fan-out each get their own seq on the same data', async () => {
    const pairs = await Promise.all([pair(), pair(), pair()]);
    const sessions = pairs.map(({ socket }) => meetingSession(socket));
    sessions[1]!.notify('activeSpeaker', { peerId: null }); // the second is one notification ahead
    const data = { documentId: 'd1', change: 'added' as const };
    const json = JSON.stringify(data);
    for (const session of sessions) session.notifyShared('documentsChanged', data, json);
    await expect.poll(() => pairs.map((p) => p.texts.length)).toEqual([1, 2, 1]);
    const last = pairs.map((p) => JSON.parse(p.texts.at(-1)!) as { data: unknown; seq: number });
    expect(last.map((m) => m.seq)).toEqual([1, 2, 1]);
    for (const m of last) expect(m.data).toEqual(data);
  });
});
