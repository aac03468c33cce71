import websocket from '@fastify/websocket';
import { Type } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Config } from '../config.js';
import { CloseReason, ErrorCode, MAX_MESSAGE_BYTES, WsCloseCode } from '../protocol/index.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import { dispatch, type ContextFactory } from '../ws/dispatch.js';
import { Session } from '../ws/Session.js';
import type { ConnectionControl } from '../handlers/types.js';
import { lazyChildLoggerFactory } from '../log/LazyChildLogger.js';

declare module 'fastify' {
  interface FastifyInstance {
    rooms: RoomRegistry;
    sessions: Set<Session>;
  }
}

/**
 * Close codes of a client that closed on purpose (a close frame with no code,
 * 1000, or 1001 when its page goes away): its session ends at once. Anything
 * else (1006: the connection just died; 4000: the client gave up on a silent
 * socket and is reconnecting) starts the grace period of a meeting session.
 */
const CLIENT_GOODBYES: ReadonlySet<number> = new Set([1000, 1001, 1005]);

/** The signaling WebSocket at /ws. */
export const wsPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    await app.register(websocket, {
      options: { maxPayload: MAX_MESSAGE_BYTES },
      // Sockets are closed by our own preClose hook, after telling their rooms.
      preClose: () => {},
      // Errors thrown by the route's handler; a socket's own errors go to the
      // listener the handler puts in the plugin's place (releaseUpgrade).
      errorHandler: (error, socket, request) => socketError(error, socket, request.log),
    });
    const sessions = new Set<Session>();
    app.decorate('sessions', sessions);

    // Liveness: a socket whose peer vanished without closing (phone out of
    // coverage, frozen tab) answers no ping; it is terminated after two
    // missed pings, well within the presence TTL.
    const alive = new WeakMap<object, boolean>();
    const pingTimer = setInterval(() => {
      for (const client of app.websocketServer.clients) {
        if (alive.get(client) === false) {
          client.terminate();
          continue;
        }
        alive.set(client, false);
        client.ping();
      }
    }, Math.max(100, Math.floor(config.presenceTtlMs / 3)));
    pingTimer.unref();
    app.addHook('onClose', () => clearInterval(pingTimer));

    /** Out of its room and offline, now. Idempotent. */
    const endSession = async (session: Session, reason: CloseReason): Promise<void> => {
      clearTimeout(session.graceTimer);
      session.graceTimer = undefined;
      session.credentialRenewal?.stop();
      sessions.delete(session);
      const wasJoined = session.state === 'joined';
      session.state = 'closed';
      const detaches: Promise<unknown>[] = [];
      if (session.room) detaches.push(session.room.detach(session, wasJoined ? reason : CloseReason.LEFT));
      if (session.projectId) detaches.push(app.hub.disconnect(session, session.projectId));
      for (const result of await Promise.allSettled(detaches)) {
        if (result.status === 'rejected') session.log.warn({ err: result.reason }, 'session not fully ended');
      }
    };

    /**
     * The socket of a session closed (or was terminated) without `leave`. A
     * meeting session stays in its room for the grace period, so that the
     * client can resume it; any other ends now.
     */
    const socketLost = (session: Session, code: number): void => {
      const room = session.room;
      const keep =
        !CLIENT_GOODBYES.has(code) &&
        room !== undefined &&
        !room.closed &&
        session.resumable &&
        config.peerGraceMs > 0 &&
        (session.state === 'ready' || session.state === 'joined');
      if (!keep) {
        void endSession(session, CloseReason.DISCONNECTED);
        return;
      }
      session.dropSocket();
      // A guest waiting in the lobby leaves it: moderators see no one who cannot be let in.
      room.entry.leaveLobby(session);
      session.log.info({ graceMs: config.peerGraceMs }, 'socket lost; session kept for a resume');
      const expire = (): void => {
        clearTimeout(session.graceTimer);
        session.graceTimer = undefined;
        session.endGrace = undefined;
        if (!room) return;
        // In the room's queue, after any resume already queued: a session
        // taken back meanwhile has a socket again and stays.
        room
          .detach(session, CloseReason.DISCONNECTED, () => {
            if (session.hasSocket) return false;
            session.state = 'closed';
            session.credentialRenewal?.stop();
            return true;
          })
          .then(async (detached) => {
            if (!detached) return;
            session.log.info('grace period over; session ended');
            sessions.delete(session);
            if (session.projectId) await app.hub.disconnect(session, session.projectId);
          })
          .catch((error: unknown) => session.log.error({ err: error }, 'grace expiry failed'));
      };
      session.endGrace = expire;
      session.graceTimer = setTimeout(expire, config.peerGraceMs);
      session.graceTimer.unref();
    };

    // Everything arrives in messages, each checked by the protocol's schemas (ws/dispatch.ts).
    const schema = { querystring: Type.Object({}, { additionalProperties: false }) };
    // helmet: false: an upgrade's response is the 101 that ws writes, which
    // carries none of the security headers helmet would have built for it (a
    // Content-Security-Policy among them, per request: 4 % of a hello's CPU in
    // its profile), and the reply that held them stayed alive with the socket.
    // A plain GET gets them all the same (requireUpgrade).
    // childLoggerFactory: the request's logger, and the session's made from
    // it, are pino children only once they write a line (log/LazyChildLogger.ts).
    const childLoggerFactory = lazyChildLoggerFactory;
    // rateLimit: false: @fastify/rate-limit's hook left off this route. Its
    // allow list lets everything outside /api/ through (the socket has its own
    // limits, plugins/edge.ts), but the hook still ran on every upgrade, its
    // key (the address normalised) made each time: 1.7 % of the connect
    // step's main thread in the hello's profile.
    const routeConfig = { rateLimit: false } as const;
    app.get('/ws', { websocket: true, schema, onRequest: requireUpgrade, helmet: false, childLoggerFactory, config: routeConfig }, (socket, request) => {
      const opened = new Session(socket, request.log, config.wsMessagesPerSecond, config.chatMessagesPerMinute);
      /** The session this socket speaks for: `opened`, or the one it resumed. */
      let session = opened;
      releaseUpgrade(socket, request.raw);
      socket.on('error', (error) => socketError(error, socket, session.log));
      opened.ip = request.ip;
      sessions.add(opened);
      alive.set(socket, true);
      socket.on('pong', () => alive.set(socket, true));
      opened.log.debug({ ip: request.ip }, 'socket open');
      const helloTimer = setTimeout(() => {
        if (session.state === 'new') session.close(WsCloseCode.HELLO_TIMEOUT, 'hello timeout');
      }, config.helloTimeoutMs);

      const connection: ConnectionControl = {
        takeOver(target) {
          clearTimeout(helloTimer);
          // `opened` never went past 'new': nothing of it is anywhere but here.
          // It keeps the socket only to send the hello's response.
          opened.state = 'closed';
          sessions.delete(opened);
          session = target;
          target.ip = opened.ip;
          const previous = target.takeSocket(socket);
          // The server had not noticed the old socket was dead: it goes now,
          // and its close handler leaves the session alone (it no longer owns it).
          if (previous) previous.close(WsCloseCode.RESUMED, 'resumed on another socket');
          target.log.info({ conn: opened.connectionId }, 'session resumed');
        },
        end: endSession,
      };
      const makeContext: ContextFactory = (s) => ({ app, config, rooms: app.rooms, session: s, connection, afterResponse: [] });

      socket.on('message', (raw, isBinary) => {
        // A socket whose session was resumed on another one has nothing more to say.
        if (!session.owns(socket)) return;
        dispatch(makeContext, session, raw, isBinary, app.metrics).catch((error: unknown) =>
          session.log.error({ err: error }, 'dispatch failed'),
        );
      });
      socket.on('close', (code) => {
        clearTimeout(helloTimer);
        session.log.debug({ code }, 'socket closed');
        // Taken over by a newer socket (resume): that one speaks for the session now.
        if (!session.owns(socket)) return;
        socketLost(session, code);
      });
    });

    // Shutdown: tell every room its peers are going, so that presence in
    // Redis is cleared before the Redis client closes (onClose).
    app.addHook('preClose', async () => {
      const detaches: Promise<unknown>[] = [];
      for (const session of sessions) {
        clearTimeout(session.graceTimer);
        session.credentialRenewal?.stop();
        session.close(WsCloseCode.GOING_AWAY, 'server shutting down');
        if (session.room) detaches.push(session.room.detach(session, CloseReason.SHUTDOWN));
        if (session.projectId) detaches.push(app.hub.disconnect(session, session.projectId));
      }
      await Promise.allSettled(detaches);
    });
  },
  { name: 'ws', dependencies: ['sfu', 'redis', 'projects', 'metrics'] },
);

/**
 * A socket's error. A bad frame from the client (too big, not UTF-8, broken
 * framing): ws has already answered it by closing with its code (1009, 1007,
 * 1002) and destroys the socket if the client does not close in turn.
 * @fastify/websocket's default handler's terminate() cut that close frame off
 * (the client saw 1006), and logged the client's doing as a server error, once
 * per frame. Found by the fuzz test (test/fuzz.int.test.ts).
 */
function socketError(error: Error, socket: WebSocket, log: FastifyBaseLogger): void {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
    log.debug({ err: error }, 'bad websocket frame; socket closed');
    return;
  }
  log.warn({ err: error }, 'websocket error');
  socket.terminate();
}

/**
 * Lets the upgrade's HTTP objects go once the socket is open. Left alone,
 * every socket kept Fastify's request and reply and Node's IncomingMessage
 * and ServerResponse (with their headers: ~0.9 KB live per socket in the heap
 * snapshots, and objects the young generation had to copy out), through:
 * - the 'error' listener @fastify/websocket puts on the socket, a closure
 *   over the request and the reply (the route's handler takes its place at
 *   once with `socketError`, so that the socket is never without one);
 * - the ServerResponse it makes for the routing, assigned to the TCP socket
 *   (`socket._httpMessage`, which Node's assignSocket sets and detachSocket
 *   clears), and which holds the IncomingMessage (`res.req`).
 * Nothing reads them after the upgrade: the reply was hijacked, and Node's
 * HTTP server let go of an upgraded socket.
 */
function releaseUpgrade(socket: WebSocket, raw: IncomingMessage): void {
  for (const listener of socket.listeners('error')) socket.off('error', listener as (error: Error) => void);
  const tcp = raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  if (tcp._httpMessage) tcp._httpMessage.detachSocket(tcp);
}

/**
 * A plain GET (or HEAD) of /ws, without an upgrade: 404 NOT_FOUND in the
 * documented shape (there is no HTTP resource here; the access table,
 * auth/access.ts, says so), not @fastify/websocket's empty 404.
 */
async function requireUpgrade(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (request.headers.upgrade?.toLowerCase() === 'websocket') return undefined;
  // The route skips helmet's hook (see above): its headers, on this answer only.
  reply.helmet();
  return reply.code(404).send({ error: { code: ErrorCode.NOT_FOUND, message: 'this path takes a WebSocket upgrade' } });
}
