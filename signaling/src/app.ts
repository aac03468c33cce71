import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { authPlugin } from './plugins/auth.js';
import { clusterPlugin } from './plugins/cluster.js';
import { edgePlugin } from './plugins/edge.js';
import { metricsPlugin } from './plugins/metrics.js';
import { minutesPlugin } from './plugins/minutes.js';
import { projectsPlugin } from './plugins/projects.js';
import { redisPlugin } from './plugins/redis.js';
import { sfuPlugin } from './plugins/sfu.js';
import { turnPlugin } from './plugins/turn.js';
import { wsPlugin } from './plugins/ws.js';
import { RoomRegistry } from './rooms/RoomRegistry.js';
import { clientRoutes } from './routes/client.js';
import { documentRoutes } from './routes/documents.js';
import { embedRoutes } from './routes/embed.js';
import { healthRoutes } from './routes/health.js';
import { invitationRoutes } from './routes/invitations.js';
import { metricsRoutes } from './routes/metrics.js';
import { planningRoutes } from './routes/planning.js';
import { projectRoutes } from './routes/projects.js';

export type { Config } from './config.js';

/**
 * Builds the whole service on a real config: Redis, the mediasoup workers,
 * the WebSocket signaling, health routes and the client. server.ts listens;
 * tests call buildApp() and then listen on port 0 or inject.
 */
/** Query parameters whose values never reach a log line. */
const SECRET_QUERY = /([?&](?:token|access_token|jwt|secret|resume)=)[^&#]*/gi;

/** Paths that carry a secret: an invitation link's code (the link itself and its API), a calendar feed's secret. */
const SECRET_PATH = /^(\/(?:api\/invitations|i|api\/calendar)\/)[^/?#]+/;

/** `url` with the values of token-like query parameters, invitation codes and calendar feed secrets replaced. */
export function redactQuery(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]').replace(SECRET_PATH, '$1[redacted]');
}

export interface BuildOptions {
  /** Where log lines go instead of stdout (a test reading what is logged). */
  logStream?: DestinationStream;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          // @fastify/multipart logs busboy's options, request headers included, at trace level.
          '*.headers.authorization',
          '*.headers.cookie',
          'headers.authorization',
          'token',
          '*.token',
          'data.token',
        ],
        censor: '[redacted]',
      },
      // Request lines (debug level) without what a misbehaving client may put in a query string.
      serializers: {
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: redactQuery(request.url),
          remoteAddress: request.ip,
        }),
      },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // Behind a reverse proxy, per-IP limits need the client's address, not the proxy's.
    trustProxy: config.edge.trustProxy,
    // Large enough for the protocol's largest message; HTTP APIs set their own limits.
    bodyLimit: 1024 * 1024,
    // On close, end every connection, not only the idle ones: a keep-alive
    // connection whose request was answered before its body was read to the
    // end (a multipart upload's closing boundary) never counts as idle, and
    // close() then waited for the client to hang up. Sockets and meetings are
    // closed by their own onClose hooks first.
    forceCloseConnections: true,
    // One log line per lifecycle transition, not per request: request lines
    // only at debug level.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
  });
  const nodeId = config.cluster.nodeId;

  await app.register(authPlugin, { config });
  // Before every route: its hooks (headers, rate limits, the WebSocket's checks) apply to all of them.
  await app.register(edgePlugin, { config });
  await app.register(redisPlugin, { config });
  await app.register(projectsPlugin, { config, nodeId });
  await app.register(sfuPlugin, { config });
  await app.register(turnPlugin, { config });
  await app.register(clusterPlugin, { config });
  app.decorate(
    'rooms',
    new RoomRegistry({
      sfu: app.sfu,
      presence: app.meetingPresence,
      hub: app.hub,
      journal: app.journal,
      log: app.log,
      nodeId,
      guestLobby: config.guestLobby,
      nodes: app.nodes,
      state: app.meetingState,
    }),
  );
  await app.register(metricsPlugin);
  await app.register(wsPlugin, { config });
  await app.register(healthRoutes);
  await app.register(metricsRoutes, { token: config.metricsToken });
  await app.register(embedRoutes, { origins: config.embedOrigins });
  await app.register(projectRoutes);
  await app.register(invitationRoutes, { config });
  await app.register(documentRoutes, { config });
  await app.register(planningRoutes, { config });
  await app.register(minutesPlugin, { config });
  await app.register(clientRoutes, { clientDir: config.clientDir });
  return app;
}
