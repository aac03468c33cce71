/**
 * The least a hello can cost in this stack, for the signaling benchmark's
 * floor (scripts/bench/probes/helloFloor.ts): a server process that accepts the
 * benchmark's meeting sockets and answers each hello with a fixed answer of
 * a real one's size, doing nothing else. Modes, each adding one layer:
 *   ws              node:http + ws (the WebSocket library under @fastify/websocket)
 *   fastify         Fastify + @fastify/websocket, one route, no hooks
 *   fastify-redis   as fastify, plus one Redis round trip per hello (node-redis, an EVAL)
 * Started by helloFloor.ts with the mode as its argument; tells its port over IPC.
 */
import { createServer } from 'node:http';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import { createClient } from 'redis';
import { WebSocketServer, type WebSocket } from 'ws';

const mode = process.argv[2] ?? 'ws';
const redisUrl = process.argv[3];
/** A hello answer's data without its id: ~ a real one's bytes (capabilities of the SFU's codecs, 50 people present). */
const dataJson = process.argv[4] ?? '{}';
const redis = mode === 'fastify-redis' ? createClient({ url: redisUrl }) : undefined;
await redis?.connect();

const answerOf = (raw: Buffer): string => {
  const text = raw.toString();
  const id = /"id":(\d+)/.exec(text)?.[1] ?? '0';
  return `{"kind":"res","id":${id},"ok":true,"data":${dataJson}}`;
};

function onSocket(socket: WebSocket): void {
  socket.on('message', (raw: Buffer) => {
    if (!redis) {
      socket.send(answerOf(raw));
      return;
    }
    redis
      .eval("redis.call('SET', KEYS[1], ARGV[1]); return 1", { keys: [`floor:${Math.random()}`], arguments: ['x'] })
      .then(() => socket.send(answerOf(raw)))
      .catch(() => socket.close(1011));
  });
}

let port: number;
if (mode === 'ws') {
  const http = createServer((_, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  http.on('upgrade', (req, sock, head) => wss.handleUpgrade(req, sock, head, onSocket));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as { port: number }).port;
} else {
  const app = Fastify({ logger: false });
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.get('/ws', { websocket: true }, (socket) => onSocket(socket));
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
}
process.send?.({ port });
process.on('disconnect', () => process.exit(0));
