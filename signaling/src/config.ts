/**
 * The one place that reads the environment. Parsed and validated once at
 * start-up, frozen, and passed to buildApp(); nothing else reads process.env.
 * Every variable is documented in README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, hostname, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SfuConfig } from '@chantier/sfu';
import type { TurnSettings } from '@chantier/turn';
import { TOKEN_ALGORITHMS, type TokenAlgorithm } from './auth/tokens.js';
import { isKnownZone } from './planning/recurrence.js';
import { recordingConfig, type RecordingConfig } from './recording/config.js';

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
  readonly jwt: {
    readonly algorithms: readonly TokenAlgorithm[];
    readonly jwksUrl: string | undefined;
    readonly issuer: string | undefined;
    readonly audience: string | undefined;
    readonly clockToleranceS: number;
  };
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

export interface ClusterSettings {
  readonly nodeId: string;
  readonly nodeUrl: string;
  readonly clusterUrls: readonly string[];
}

export type TurnMode = 'off' | 'external' | 'embedded';

/** How to run coturn; turn/src/coturn.ts renders it into coturn's config file. */
export interface TurnServerSettings {
  /** Shared with the signaling server (TURN REST credentials). */
  readonly secret: string;
  readonly realm: string;
  /** '0.0.0.0': every interface. */
  readonly listenIp: string;
  /** UDP and TCP port (3478). */
  readonly port: number;
  /** Relay ports, one per allocation. */
  readonly minPort: number;
  readonly maxPort: number;
  /** The public address put in relayed candidates when coturn is behind NAT or in a container. */
  readonly externalIp: string | undefined;
  /** TURN over TLS (turns:), when a certificate is given. */
  readonly tls: { readonly port: number; readonly certFile: string; readonly keyFile: string } | undefined;
  /**
   * The address relays are opened from; unset: every address coturn finds.
   * Default: the SFU's announced address when it is one of this machine's.
   */
  readonly relayIp: string | undefined;
  /** Relay to loopback peers: the SFU announces 127.0.0.1 (a machine without a LAN address). */
  readonly allowLoopbackPeers: boolean;
  /**
   * Peers allowed although in a range coturn's template denies (private
   * networks): the SFU's own address, so that a LAN or docker deployment relays.
   */
  readonly allowedPeerIps: readonly string[];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function timeZone(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!isKnownZone(raw)) throw new ConfigError(`${name} must be an IANA time zone such as Europe/Paris, got "${raw}"`);
  return raw;
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1';
}

/** Every address of this machine's interfaces. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((a) => a.address));
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

/** Reads the secret from the data dir, creating it on first start, so tokens survive restarts. */
function persistentSecret(dataDir: string, name = 'jwt-secret'): string {
  const file = join(dataDir, name);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch {
    // first start: fall through and create it
  }
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
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

function jwtConfig(env: Env): Config['jwt'] {
  let jwksUrl: string | undefined;
  if (env.JWT_JWKS_URL) {
    let url: URL;
    try {
      url = new URL(env.JWT_JWKS_URL);
    } catch {
      throw new ConfigError(`JWT_JWKS_URL must be a URL, got "${env.JWT_JWKS_URL}"`);
    }
    // Keys fetched in clear could be swapped on the way: https, except on this machine (tests).
    const loopback = url.hostname === 'localhost' || isLoopback(url.hostname.replace(/^\[|\]$/g, ''));
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new ConfigError('JWT_JWKS_URL must be an https: URL (http: only on a loopback address)');
    }
    jwksUrl = url.href;
  }
  const algorithms = env.JWT_ALGORITHMS
    ? [...new Set(env.JWT_ALGORITHMS.split(',').map((a) => a.trim()).filter((a) => a !== ''))]
    : jwksUrl
      ? ['RS256', 'ES256']
      : ['HS256'];
  if (algorithms.length === 0) throw new ConfigError('JWT_ALGORITHMS must name at least one algorithm');
  for (const alg of algorithms) {
    if (!(TOKEN_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new ConfigError(`JWT_ALGORITHMS: "${alg}" is not one of ${TOKEN_ALGORITHMS.join(', ')}`);
    }
  }
  if (!jwksUrl && algorithms.some((a) => a !== 'HS256')) {
    throw new ConfigError('JWT_ALGORITHMS: RS256 and ES256 need JWT_JWKS_URL');
  }
  return {
    algorithms: algorithms as TokenAlgorithm[],
    jwksUrl,
    issuer: env.JWT_ISSUER || undefined,
    audience: env.JWT_AUDIENCE || undefined,
    clockToleranceS: int(env, 'JWT_CLOCK_TOLERANCE_S', 30, 0, 300),
  };
}

/** A comma-separated list of origins (scheme://host[:port]), each checked and normalised. */
function origins(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '')
    .map((o) => {
      let url: URL;
      try {
        url = new URL(o);
      } catch {
        throw new ConfigError(`${name}: "${o}" is not an origin (https://host[:port])`);
      }
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search || url.hash || url.username) {
        throw new ConfigError(`${name}: "${o}" is not an origin (https://host[:port], no path)`);
      }
      return url.origin;
    });
}

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

function clusterConfig(env: Env, port: number): ClusterSettings {
  const nodeId = env.NODE_ID || `${hostname().replace(/[^A-Za-z0-9._-]/g, '').slice(0, 40) || 'node'}-${process.pid}-${randomBytes(3).toString('hex')}`;
  if (!NODE_ID.test(nodeId)) throw new ConfigError(`NODE_ID must be 1-64 characters of A-Z a-z 0-9 . _ -, got "${nodeId}"`);
  const nodeUrl = env.NODE_URL
    ? origins({ NODE_URL: env.NODE_URL }, 'NODE_URL')[0]!
    : new URL(env.PUBLIC_URL || `http://localhost:${port}`).origin;
  const clusterUrls = origins(env, 'CLUSTER_URLS');
  // A node missing from the list would send its clients to URLs that reject its pages' origin.
  if (clusterUrls.length > 0 && !clusterUrls.includes(nodeUrl)) {
    throw new ConfigError(`CLUSTER_URLS must list this node's own URL (NODE_URL, default PUBLIC_URL): ${nodeUrl}`);
  }
  return { nodeId, nodeUrl, clusterUrls };
}

/** turn:/turns: URI of RFC 7065: a host (name, IPv4 or [IPv6]), an optional port and transport. */
const TURN_URL = /^turns?:(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?(?:\?transport=(?:udp|tcp))?$/;

/**
 * Default lifetime of a TURN credential: 12 h. A meeting socket is sent fresh
 * ones at three quarters of the lifetime (coturn refuses an allocation's
 * refreshes once its credential has expired). Capped at 24 h, the TURN REST
 * draft's recommendation, so that a leaked credential does not last longer.
 */
const TURN_CREDENTIAL_TTL_DEFAULT_S = 12 * 3600;

const DEFAULT_TURN_RELAY_PORTS = '49160-49400';
const COTURN_SAFE_VALUE = /^[!#-<>-~][!#-~]*$/;

function publicUrlHost(env: Env, port: number): string {
  try {
    return new URL(env.PUBLIC_URL || `http://localhost:${port}`).hostname;
  } catch {
    throw new ConfigError(`PUBLIC_URL must be a URL, got "${env.PUBLIC_URL}"`);
  }
}

function portRange(env: Env, name: string, fallback: string): { minPort: number; maxPort: number } {
  const raw = env[name] || fallback;
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(raw.trim());
  const minPort = Number(match?.[1]);
  const maxPort = Number(match?.[2]);
  if (!match || minPort < 1024 || maxPort > 65535 || minPort > maxPort) {
    throw new ConfigError(`${name} must be a port range like 49160-49400 (1024-65535), got "${raw}"`);
  }
  return { minPort, maxPort };
}

function turnConfig(
  env: Env,
  dataDir: string,
  rtcAddress: string,
  publicHost: string,
): Pick<Config, 'turnMode' | 'turn' | 'turnServer'> {
  const urlsFromEnv = (env.TURN_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  const turnMode = oneOf<TurnMode>(env, 'TURN_MODE', ['off', 'external', 'embedded'], urlsFromEnv.length > 0 ? 'external' : 'off');
  const credentialTtlS = int(env, 'TURN_CREDENTIAL_TTL_S', TURN_CREDENTIAL_TTL_DEFAULT_S, 10, 86_400);
  for (const url of urlsFromEnv) {
    if (!TURN_URL.test(url)) {
      throw new ConfigError(`TURN_URLS: "${url}" is not a turn: or turns: URL (turn:host[:port][?transport=udp|tcp])`);
    }
  }
  if (turnMode === 'external' && urlsFromEnv.length === 0) throw new ConfigError('TURN_MODE=external needs TURN_URLS');
  if (turnMode === 'off' && env.TURN_SECRET && urlsFromEnv.length === 0) {
    throw new ConfigError('TURN_SECRET is set but TURN_URLS is empty (set TURN_URLS, or TURN_MODE=embedded)');
  }
  if (env.TURN_SECRET !== undefined && env.TURN_SECRET.length < 32) {
    throw new ConfigError('TURN_SECRET must be at least 32 characters');
  }
  // coturn's config reader trims blanks, strips quotes and a leading '=':
  // such a secret would differ in coturn and every credential would get 401.
  for (const name of ['TURN_SECRET', 'TURN_REALM']) {
    const value = env[name];
    if (value && !COTURN_SAFE_VALUE.test(value)) {
      throw new ConfigError(`${name} must be printable ASCII without spaces or quotes, not starting with =`);
    }
  }
  if (turnMode === 'external' && !env.TURN_SECRET) {
    throw new ConfigError('TURN_SECRET must be at least 32 characters when TURN_URLS is set');
  }
  // Embedded: the secret survives restarts in the data dir, as the JWT secret does.
  const secret = env.TURN_SECRET || (turnMode === 'embedded' ? persistentSecret(dataDir, 'turn-secret') : undefined);

  const port = int(env, 'TURN_PORT', 3478, 1, 65535);
  const tlsCert = env.TURN_TLS_CERT || undefined;
  const tlsKey = env.TURN_TLS_KEY || undefined;
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new ConfigError('TURN_TLS_CERT and TURN_TLS_KEY go together');
  const tls = tlsCert && tlsKey ? { port: int(env, 'TURN_TLS_PORT', 5349, 1, 65535), certFile: resolve(tlsCert), keyFile: resolve(tlsKey) } : undefined;
  if (tls && tls.port === port) throw new ConfigError('TURN_TLS_PORT must differ from TURN_PORT');
  const externalIp = env.TURN_EXTERNAL_IP || undefined;
  if (externalIp !== undefined && !externalIp.split('/').every((ip, i, all) => all.length <= 2 && isIP(ip) !== 0)) {
    throw new ConfigError(`TURN_EXTERNAL_IP must be an IP address (or public/private), got "${externalIp}"`);
  }
  if (env.TURN_RELAY_IP && isIP(env.TURN_RELAY_IP) === 0) {
    throw new ConfigError(`TURN_RELAY_IP must be an IP address, got "${env.TURN_RELAY_IP}"`);
  }
  const turnServer: TurnServerSettings | undefined = secret
    ? {
        secret,
        realm: env.TURN_REALM || publicHost,
        listenIp: env.TURN_LISTEN_IP || '0.0.0.0',
        port,
        ...portRange(env, 'TURN_RELAY_PORTS', DEFAULT_TURN_RELAY_PORTS),
        externalIp,
        tls,
        relayIp: env.TURN_RELAY_IP || (localAddresses().includes(rtcAddress) && !isLoopback(rtcAddress) ? rtcAddress : undefined),
        allowLoopbackPeers: isLoopback(rtcAddress),
        allowedPeerIps: isIP(rtcAddress) !== 0 && !isLoopback(rtcAddress) ? [rtcAddress] : [],
      }
    : undefined;

  let turn: TurnSettings | undefined;
  if (turnMode === 'external') {
    turn = { urls: urlsFromEnv, secret: secret!, credentialTtlS };
  } else if (turnMode === 'embedded') {
    // What browsers are told: TURN_URLS if given, else this machine's RTC address on coturn's ports.
    const host = env.TURN_HOST || rtcAddress;
    const hostPart = host.includes(':') ? `[${host}]` : host;
    const urls =
      urlsFromEnv.length > 0
        ? urlsFromEnv
        : [
            `turn:${hostPart}:${port}?transport=udp`,
            `turn:${hostPart}:${port}?transport=tcp`,
            ...(tls ? [`turns:${hostPart}:${tls.port}?transport=tcp`] : []),
          ];
    turn = { urls, secret: secret!, credentialTtlS };
  }
  return { turnMode, turn, turnServer };
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
