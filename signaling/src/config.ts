/**
 * The one place that reads the environment. Parsed and validated once at
 * start-up, frozen, and passed to buildApp(); nothing else reads process.env.
 * Every variable is documented in README.md.
 */
import { availableParallelism, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SfuConfig } from '@chantier/sfu';
import type { TurnSettings } from '@chantier/turn';
import { clusterConfig, type ClusterSettings } from './config/cluster.js';
import { jwtConfig, type JwtSettings } from './config/jwt.js';
import { ConfigError, int, oneOf, origins, persistentSecret, type Env } from './config/parse.js';
import { publicUrlHost, turnConfig, type TurnMode, type TurnServerSettings } from './config/turn.js';
import { isKnownZone } from './planning/recurrence.js';
import { recordingConfig, type RecordingConfig } from './recording/config.js';

export { ConfigError } from './config/parse.js';
export type { ClusterSettings } from './config/cluster.js';
export type { JwtSettings } from './config/jwt.js';
export type { TurnMode, TurnServerSettings } from './config/turn.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Base URL people open (printed demo link). */
  readonly publicUrl: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where the embedded Redis, the JWT secret and (later) documents live. */
  readonly dataDir: string;
  /** Unset: start an embedded redis-server under dataDir. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key this process writes (tests use one per run). */
  readonly redisKeyPrefix: string;
  /**
   * The embedded redis-server's appendfsync (REDIS_APPENDFSYNC): 'always'
   * fsyncs each write before Redis answers (an acknowledged chat message
   * survives a power cut), 'everysec' once a second (up to a second of them
   * lost). An external Redis (REDIS_URL) keeps its own setting.
   */
  readonly redisAppendfsync: 'always' | 'everysec';
  /**
   * The longest any Redis command may take (REDIS_TIMEOUT_MS): past it, or at
   * once while Redis is unreachable, the request answers UNAVAILABLE (see
   * redis/bounded.ts). Also bounds the Redis client's close on shutdown.
   */
  readonly redisTimeoutMs: number;
  /** HS256 secret that signs access tokens. */
  readonly jwtSecret: string;
  /**
   * How access tokens are verified (signaling/src/auth/tokens.ts): enabled
   * algorithms, the JWKS URL of the platform's public keys (RS256/ES256), the
   * expected issuer and audience (checked when set), the clock leeway.
   */
  readonly jwt: JwtSettings;
  /** Bearer token of the admin HTTP API (create any project); unset: no admin API. */
  readonly adminToken: string | undefined;
  /**
   * Bearer token of GET /metrics (Prometheus; METRICS_TOKEN, 32+ characters);
   * unset: /metrics answers NOT_FOUND.
   */
  readonly metricsToken: string | undefined;
  /** Largest document upload, in bytes. */
  readonly maxUploadBytes: number;
  /** Where document bytes are stored (content-addressed), under dataDir by default. */
  readonly documentsDir: string;
  /** TrueType fonts of the published minutes' PDF: DejaVuSans.ttf and its Bold, Oblique, BoldOblique (Debian's fonts-dejavu-core). */
  readonly minutesFontDir: string;
  /** Chat messages a user may post per minute (per connection). */
  readonly chatMessagesPerMinute: number;
  /** A connection not seen for this long is dropped from presence (heartbeats come every third of it). */
  readonly presenceTtlMs: number;
  /** Built client served at /, if present. */
  readonly clientDir: string;
  /** Close a socket that has not sent a valid hello after this long. */
  readonly helloTimeoutMs: number;
  /** Messages per second per socket (burst = 2 s worth). */
  readonly wsMessagesPerSecond: number;
  /**
   * A meeting peer whose socket is lost is kept this long (its media, its
   * place in the room) so that it can resume; only then do others see it leave.
   */
  readonly peerGraceMs: number;
  /** How long a call rings before it counts as missed. */
  readonly callRingMs: number;
  /** Planned meetings (planning/): the default zone, and when reminders go out. */
  readonly planning: {
    /** DEFAULT_TIME_ZONE: the zone of projects that chose none (IANA name). */
    readonly defaultTimeZone: string;
    /** REMINDER_LEAD_MS: how long before a planned meeting its invitees are reminded. */
    readonly reminderLeadMs: number;
    /** REMINDER_TICK_MS: how often each node looks for due reminders. */
    readonly reminderTickMs: number;
  };
  /**
   * Lifetime of the access token an invitation link gives (INVITATION_SESSION_TTL_S),
   * never longer than the link's own lifetime (routes/invitations.ts).
   */
  readonly invitationSessionTtlS: number;
  /**
   * Whether a new meeting makes guests wait in the lobby until a moderator
   * admits them (GUEST_LOBBY on|off); moderators change it per meeting.
   */
  readonly guestLobby: boolean;
  /**
   * Origins allowed to embed Chantier in a frame (CSP frame-ancestors), to
   * open its WebSocket from their pages and to hand it fresh tokens by
   * postMessage (EMBED_ORIGINS, comma-separated scheme://host[:port]);
   * empty: none, Chantier cannot be framed.
   */
  readonly embedOrigins: readonly string[];
  /** Per-IP limits of the edge (plugins/edge.ts); per node, not shared through Redis. */
  readonly edge: EdgeLimits;
  /**
   * This process in a cluster of nodes sharing one Redis (cluster/NodeRegistry.ts):
   * its id (NODE_ID; default random, stable for the process), the URL clients
   * reach it at (NODE_URL; default PUBLIC_URL), and every node's URL
   * (CLUSTER_URLS, comma-separated origins), whose pages may open this node's
   * WebSocket (Origin check, CSP connect-src).
   */
  readonly cluster: ClusterSettings;
  /** Demo project and room printed at start-up for a first run. */
  readonly demo: { readonly projectId: string; readonly roomId: string } | undefined;
  readonly sfu: SfuConfig;
  /** Recording meetings (recording/config.ts). */
  readonly recording: RecordingConfig;
  /**
   * TURN: 'off' (none), 'external' (a coturn run elsewhere, TURN_URLS), or
   * 'embedded' (this process runs coturn itself, with `turnServer`).
   */
  readonly turnMode: TurnMode;
  /** TURN servers handed to browsers with short-lived credentials; unset: none. */
  readonly turn: TurnSettings | undefined;
  /**
   * The coturn to run: by this process when turnMode is 'embedded', by
   * `npm run coturn` (the compose file's coturn service) otherwise. Unset
   * when no TURN secret is known.
   */
  readonly turnServer: TurnServerSettings | undefined;
}

/** Per client address, counted in this process. */
export interface EdgeLimits {
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (TRUST_PROXY). */
  readonly trustProxy: boolean;
  /** HTTP API requests (/api/*) per minute. */
  readonly httpRequestsPerMinute: number;
  /** Document uploads per minute. */
  readonly uploadsPerMinute: number;
  /** WebSockets open at once. */
  readonly wsConnections: number;
  /** New WebSockets per minute. */
  readonly wsConnectsPerMinute: number;
  /** `join` requests per minute. */
  readonly joinsPerMinute: number;
  /** `chatSend` requests per minute (all of the address's sockets together). */
  readonly chatMessagesPerMinute: number;
}

/** First non-internal IPv4 address, so that phones on the LAN can reach the media ports. */
function lanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return undefined;
}

function timeZone(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!isKnownZone(raw)) throw new ConfigError(`${name} must be an IANA time zone such as Europe/Paris, got "${raw}"`);
  return raw;
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const dataDir = resolve(env.DATA_DIR || join(REPO_ROOT, '.data'));
  const jwtSecret = env.JWT_SECRET || persistentSecret(dataDir);
  if (jwtSecret.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters');
  if (env.ADMIN_TOKEN && env.ADMIN_TOKEN.length < 32) throw new ConfigError('ADMIN_TOKEN must be at least 32 characters');
  if (env.METRICS_TOKEN && !/^[\x21-\x7e]{32,}$/.test(env.METRICS_TOKEN)) {
    throw new ConfigError('METRICS_TOKEN must be at least 32 printable characters without spaces');
  }

  const listenIp = env.RTC_LISTEN_IP || '0.0.0.0';
  const announcedAddress =
    env.RTC_ANNOUNCED_ADDRESS || (listenIp === '0.0.0.0' ? (lanAddress() ?? '127.0.0.1') : undefined);

  const turn = turnConfig(env, dataDir, announcedAddress ?? listenIp, publicUrlHost(env, port));
  const demoProject = env.DEMO_PROJECT ?? 'demo';
  const config: Config = {
    host,
    port,
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    dataDir,
    redisUrl: env.REDIS_URL || undefined,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'chantier:',
    redisAppendfsync: oneOf(env, 'REDIS_APPENDFSYNC', ['always', 'everysec'], 'everysec'),
    redisTimeoutMs: int(env, 'REDIS_TIMEOUT_MS', 1_000, 50, 60_000),
    jwtSecret,
    jwt: jwtConfig(env),
    adminToken: env.ADMIN_TOKEN || undefined,
    metricsToken: env.METRICS_TOKEN || undefined,
    maxUploadBytes: int(env, 'MAX_UPLOAD_BYTES', 200 * 1024 * 1024, 1024, 10 * 1024 * 1024 * 1024),
    documentsDir: resolve(env.DOCUMENTS_DIR || join(dataDir, 'documents')),
    minutesFontDir: resolve(env.MINUTES_FONT_DIR || '/usr/share/fonts/truetype/dejavu'),
    chatMessagesPerMinute: int(env, 'CHAT_MESSAGES_PER_MINUTE', 30, 1, 10_000),
    presenceTtlMs: int(env, 'PRESENCE_TTL_MS', 30_000, 1_000, 600_000),
    clientDir: resolve(env.CLIENT_DIR || join(REPO_ROOT, 'client', 'dist')),
    helloTimeoutMs: int(env, 'HELLO_TIMEOUT_MS', 10_000, 100, 600_000),
    wsMessagesPerSecond: int(env, 'WS_MESSAGES_PER_SECOND', 50, 1, 10_000),
    peerGraceMs: int(env, 'PEER_GRACE_MS', 30_000, 0, 600_000),
    callRingMs: int(env, 'CALL_RING_MS', 30_000, 1_000, 600_000),
    planning: {
      defaultTimeZone: timeZone(env, 'DEFAULT_TIME_ZONE', 'Europe/Paris'),
      reminderLeadMs: int(env, 'REMINDER_LEAD_MS', 10 * 60_000, 1_000, 24 * 3600_000),
      reminderTickMs: int(env, 'REMINDER_TICK_MS', 5_000, 100, 60_000),
    },
    invitationSessionTtlS: int(env, 'INVITATION_SESSION_TTL_S', 12 * 3600, 60, 7 * 24 * 3600),
    guestLobby: oneOf(env, 'GUEST_LOBBY', ['on', 'off'], 'on') === 'on',
    embedOrigins: origins(env, 'EMBED_ORIGINS'),
    edge: {
      trustProxy: oneOf(env, 'TRUST_PROXY', ['true', 'false'], 'false') === 'true',
      httpRequestsPerMinute: int(env, 'HTTP_REQUESTS_PER_MINUTE', 1200, 1, 1_000_000),
      uploadsPerMinute: int(env, 'UPLOADS_PER_MINUTE', 30, 1, 100_000),
      wsConnections: int(env, 'WS_CONNECTIONS_PER_IP', 200, 1, 1_000_000),
      wsConnectsPerMinute: int(env, 'WS_CONNECTS_PER_MINUTE', 300, 1, 1_000_000),
      joinsPerMinute: int(env, 'JOINS_PER_MINUTE', 120, 1, 1_000_000),
      chatMessagesPerMinute: int(env, 'CHAT_MESSAGES_PER_MINUTE_PER_IP', 300, 1, 1_000_000),
    },
    cluster: clusterConfig(env, port),
    recording: recordingConfig(env, dataDir, (name, fallback, min, max) => int(env, name, fallback, min, max), (m) => new ConfigError(m)),
    demo: demoProject ? { projectId: demoProject, roomId: env.DEMO_ROOM || 'reunion' } : undefined,
    ...turn,
    sfu: {
      numWorkers: int(env, 'MEDIASOUP_WORKERS', availableParallelism(), 1, 256),
      listenIp,
      announcedAddress,
      port: int(env, 'RTC_PORT', 40000, 0, 65535),
      initialAvailableOutgoingBitrate: int(env, 'RTC_INITIAL_BITRATE', 1_000_000, 100_000, 100_000_000),
      workerLogLevel: oneOf(env, 'MEDIASOUP_LOG_LEVEL', ['debug', 'warn', 'error', 'none'], 'warn'),
      maxPeersPerRoom: int(env, 'MAX_PEERS_PER_ROOM', 50, 1, 1000),
      maxConsumersPerWorker: int(env, 'SFU_MAX_CONSUMERS_PER_WORKER', 500, 1, 100_000),
      socketBufferBytes: int(env, 'RTC_SOCKET_BUFFER_BYTES', 4 * 1024 * 1024, 64 * 1024, 256 * 1024 * 1024),
      forwardedVoices: int(env, 'FORWARDED_VOICES', 3, 1, 50),
    },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
