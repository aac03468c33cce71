/**
 * The one place that reads the environment. Parsed and validated once at
 * start-up, frozen, and passed to buildApp(); nothing else reads process.env.
 * Every variable is documented in README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SfuConfig } from '@chantier/sfu';
import type { TurnSettings } from '@chantier/turn';

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
  /** HS256 secret that signs access tokens. */
  readonly jwtSecret: string;
  /** Bearer token of the admin HTTP API (create any project); unset: no admin API. */
  readonly adminToken: string | undefined;
  /** Largest document upload, in bytes. */
  readonly maxUploadBytes: number;
  /** Where document bytes are stored (content-addressed), under dataDir by default. */
  readonly documentsDir: string;
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
  /** Demo project and room printed at start-up for a first run. */
  readonly demo: { readonly projectId: string; readonly roomId: string } | undefined;
  readonly sfu: SfuConfig;
  /** TURN servers handed to browsers with short-lived credentials; unset: none. */
  readonly turn: TurnSettings | undefined;
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
function persistentSecret(dataDir: string): string {
  const file = join(dataDir, 'jwt-secret');
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

  const listenIp = env.RTC_LISTEN_IP || '0.0.0.0';
  const announcedAddress =
    env.RTC_ANNOUNCED_ADDRESS || (listenIp === '0.0.0.0' ? (lanAddress() ?? '127.0.0.1') : undefined);

  const demoProject = env.DEMO_PROJECT ?? 'demo';
  const config: Config = {
    host,
    port,
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    dataDir,
    redisUrl: env.REDIS_URL || undefined,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'chantier:',
    jwtSecret,
    adminToken: env.ADMIN_TOKEN || undefined,
    maxUploadBytes: int(env, 'MAX_UPLOAD_BYTES', 200 * 1024 * 1024, 1024, 10 * 1024 * 1024 * 1024),
    documentsDir: resolve(env.DOCUMENTS_DIR || join(dataDir, 'documents')),
    chatMessagesPerMinute: int(env, 'CHAT_MESSAGES_PER_MINUTE', 30, 1, 10_000),
    presenceTtlMs: int(env, 'PRESENCE_TTL_MS', 30_000, 1_000, 600_000),
    clientDir: resolve(env.CLIENT_DIR || join(REPO_ROOT, 'client', 'dist')),
    helloTimeoutMs: int(env, 'HELLO_TIMEOUT_MS', 10_000, 100, 600_000),
    wsMessagesPerSecond: int(env, 'WS_MESSAGES_PER_SECOND', 50, 1, 10_000),
    peerGraceMs: int(env, 'PEER_GRACE_MS', 30_000, 0, 600_000),
    callRingMs: int(env, 'CALL_RING_MS', 30_000, 1_000, 600_000),
    demo: demoProject ? { projectId: demoProject, roomId: env.DEMO_ROOM || 'reunion' } : undefined,
    turn: turnSettings(env),
    sfu: {
      numWorkers: int(env, 'MEDIASOUP_WORKERS', availableParallelism(), 1, 256),
      listenIp,
      announcedAddress,
      port: int(env, 'RTC_PORT', 40000, 0, 65535),
      initialAvailableOutgoingBitrate: int(env, 'RTC_INITIAL_BITRATE', 1_000_000, 100_000, 100_000_000),
      workerLogLevel: oneOf(env, 'MEDIASOUP_LOG_LEVEL', ['debug', 'warn', 'error', 'none'], 'warn'),
      maxPeersPerRoom: int(env, 'MAX_PEERS_PER_ROOM', 50, 1, 1000),
    },
  };
  return deepFreeze(config);
}

/** turn:/turns: URI of RFC 7065: a host (name, IPv4 or [IPv6]), an optional port and transport. */
const TURN_URL = /^turns?:(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?(?:\?transport=(?:udp|tcp))?$/;

/**
 * Default lifetime of a TURN credential: 12 h. Credentials are not renewed
 * during a meeting yet, and coturn refuses an allocation's refreshes once its
 * credential has expired, so the lifetime must outlast the longest meeting
 * (a site meeting can run a working day). Capped at 24 h, the TURN REST
 * draft's recommendation, so that a leaked credential does not last longer.
 */
const TURN_CREDENTIAL_TTL_DEFAULT_S = 12 * 3600;

function turnSettings(env: Env): TurnSettings | undefined {
  const urls = (env.TURN_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  const credentialTtlS = int(env, 'TURN_CREDENTIAL_TTL_S', TURN_CREDENTIAL_TTL_DEFAULT_S, 60, 86_400);
  if (urls.length === 0) {
    if (env.TURN_SECRET) throw new ConfigError('TURN_SECRET is set but TURN_URLS is empty');
    return undefined;
  }
  for (const url of urls) {
    if (!TURN_URL.test(url)) {
      throw new ConfigError(`TURN_URLS: "${url}" is not a turn: or turns: URL (turn:host[:port][?transport=udp|tcp])`);
    }
  }
  const secret = env.TURN_SECRET ?? '';
  if (secret.length < 32) throw new ConfigError('TURN_SECRET must be at least 32 characters when TURN_URLS is set');
  return { urls, secret, credentialTtlS };
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
