import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { authPlugin } from './plugins/auth.js';
import { clusterPlugin } from './plugins/cluster.js';
import { redactUrl, scrubSecrets } from './edge/redact.js';
import { edgePlugin } from './plugins/edge.js';
import { markupPlugin } from './plugins/markup.js';
import { clientErrorHandler, frameworkErrors, httpErrorsPlugin } from './plugins/httpErrors.js';
import { metricsPlugin } from './plugins/metrics.js';
import { minutesPlugin } from './plugins/minutes.js';
import { projectsPlugin } from './plugins/projects.js';
import { recordingPlugin } from './plugins/recording.js';
import { redisPlugin } from './plugins/redis.js';
import { sfuPlugin } from './plugins/sfu.js';
import { turnPlugin } from './plugins/turn.js';
import { wsPlugin } from './plugins/ws.js';
import { RoomRegistry } from './rooms/RoomRegistry.js';
import { clientRoutes } from './routes/client.js';
import { documentRoutes } from './routes/documents.js';
import { screenStillRoutes } from './routes/screenStills.js';
import { embedRoutes } from './routes/embed.js';
import { healthRoutes } from './routes/health.js';
import { invitationRoutes } from './routes/invitations.js';
import { metricsRoutes } from './routes/metrics.js';
import { planningRoutes } from './routes/planning.js';
import { ROUTER_MAX_PARAM_LENGTH } from './routes/params.js';
import { projectRoutes } from './routes/projects.js';

export type { Config } from './config.js';

/**
 * Builds the whole service on a real config: Redis, the mediasoup workers,
 * the WebSocket signaling, health routes and the client. server.ts listens;
 * tests call buildApp() and then listen on port 0 or inject.
 */
/** `url` as it may be logged: invitation codes and tokens replaced (edge/redact.ts). */
export const redactQuery = redactUrl;

export interface BuildOptions {
  /** Where log lines go instead of stdout (a test reading what is logged). */
  logStream?: DestinationStream;
  /**
   * The clock of the planned meetings' reminders (default Date.now): a test
   * moves it to a meeting's start instead of waiting for the minute to come.
   */
  clock?: () => number;
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  // Tokens of the server's own, redacted wherever a client puts them in a URL or a log field.
  const ownSecrets = [config.adminToken, config.metricsToken].filter((s): s is string => s !== undefined);
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
          // A resume secret (hello.resume) takes a session over.
          'resume.secret',
          '*.resume.secret',
          'data.resume.secret',
        ],
        censor: '[redacted]',
      },
      // Request lines (debug level) without what a misbehaving client may put in a query string.
      serializers: {
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: redactUrl(request.url, ownSecrets),
          remoteAddress: request.ip,
        }),
      },
      // The server's own tokens never reach a log line, whatever field a client put them in
      // (the HTTP fuzz test once saw the metrics token come back as a project id).
      ...(ownSecrets.length > 0 ? { hooks: { streamWrite: (line: string) => scrubSecrets(line, ownSecrets) } } : {}),
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // Behind a reverse proxy, per-IP limits need the client's address, not the proxy's.
    trustProxy: config.edge.trustProxy,
    // Large enough for the protocol's largest message; HTTP APIs set their own limits.
    bodyLimit: 1024 * 1024,
    // The longest path parameter any route's schema accepts, plus one (routes/params.ts).
    routerOptions: { maxParamLength: ROUTER_MAX_PARAM_LENGTH },
    // Errors of the router and of the HTTP parser, in the documented shape (plugins/httpErrors.ts).
    frameworkErrors,
    clientErrorHandler,
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
  // One error handler and one not-found handler for every route.
  await app.register(httpErrorsPlugin, { maxParamLength: ROUTER_MAX_PARAM_LENGTH });
  await app.register(redisPlugin, { config });
  await app.register(projectsPlugin, { config, nodeId });
  await app.register(sfuPlugin, { config });
  await app.register(turnPlugin, { config });
  await app.register(clusterPlugin, { config });
  await app.register(markupPlugin);
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
  // After a Redis outage: who is in the meetings held here, written again.
  app.redisLink.on('restored', () => {
    app.rooms.resyncPresence().catch((error: unknown) => app.log.warn({ err: error }, 'meeting presence not resynchronised'));
  });
  await app.register(metricsPlugin);
  await app.register(wsPlugin, { config });
  await app.register(healthRoutes);
  await app.register(metricsRoutes, { token: config.metricsToken });
  await app.register(embedRoutes, { origins: config.embedOrigins });
  await app.register(projectRoutes);
  await app.register(invitationRoutes, { config });
  await app.register(documentRoutes, { config });
  await app.register(screenStillRoutes);
  await app.register(planningRoutes, { config, ...(options.clock ? { clock: options.clock } : {}) });
  await app.register(minutesPlugin, { config });
  await app.register(recordingPlugin, { config });
  await app.register(clientRoutes, { clientDir: config.clientDir });
  return app;
}
