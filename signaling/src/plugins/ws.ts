import websocket from '@fastify/websocket';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { CloseReason, MAX_MESSAGE_BYTES, WsCloseCode } from '../protocol/index.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import { dispatch, type ContextFactory } from '../ws/dispatch.js';
import { Session } from '../ws/Session.js';

declare module 'fastify' {
  interface FastifyInstance {
    rooms: RoomRegistry;
    sessions: Set<Session>;
  }
}

/** The signaling WebSocket at /ws. */
export const wsPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    await app.register(websocket, {
      options: { maxPayload: MAX_MESSAGE_BYTES },
      // Sockets are closed by our own preClose hook, after telling their rooms.
      preClose: () => {},
    });
    const sessions = new Set<Session>();
    app.decorate('sessions', sessions);
    const makeContext: ContextFactory = (session) => ({ app, config, rooms: app.rooms, session });

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

    app.get('/ws', { websocket: true }, (socket, request) => {
      const session = new Session(socket, request.log, config.wsMessagesPerSecond, config.chatMessagesPerMinute);
      sessions.add(session);
      alive.set(socket, true);
      socket.on('pong', () => alive.set(socket, true));
      session.log.debug({ ip: request.ip }, 'socket open');
      const helloTimer = setTimeout(() => {
        if (session.state === 'new') session.close(WsCloseCode.HELLO_TIMEOUT, 'hello timeout');
      }, config.helloTimeoutMs);

      socket.on('message', (raw, isBinary) => {
        dispatch(makeContext, session, raw, isBinary).catch((error: unknown) =>
          session.log.error({ err: error }, 'dispatch failed'),
        );
      });
      socket.on('error', (error) => session.log.debug({ err: error }, 'socket error'));
      socket.on('close', (code) => {
        clearTimeout(helloTimer);
        sessions.delete(session);
        const wasJoined = session.state === 'joined';
        session.state = 'closed';
        session.log.debug({ code }, 'socket closed');
        session.room?.detach(session, wasJoined ? CloseReason.DISCONNECTED : CloseReason.LEFT).catch((error: unknown) =>
          session.log.error({ err: error }, 'detach failed'),
        );
        if (session.projectId) {
          app.hub.disconnect(session, session.projectId).catch((error: unknown) =>
            session.log.warn({ err: error }, 'presence not cleared'),
          );
        }
      });
    });

    // Shutdown: tell every room its peers are going, so that presence in
    // Redis is cleared before the Redis client closes (onClose).
    app.addHook('preClose', async () => {
      const detaches: Promise<void>[] = [];
      for (const session of sessions) {
        session.close(WsCloseCode.GOING_AWAY, 'server shutting down');
        if (session.room) detaches.push(session.room.detach(session, CloseReason.SHUTDOWN));
        if (session.projectId) detaches.push(app.hub.disconnect(session, session.projectId));
      }
      await Promise.allSettled(detaches);
    });
  },
  { name: 'ws', dependencies: ['sfu', 'redis', 'projects'] },
);
