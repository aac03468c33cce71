/** TURN: what browsers are told (TURN_URLS, TURN_SECRET) and the coturn to run (TURN_*). */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { TurnSettings } from '@chantier/turn';
import { ConfigError, int, isLoopback, localAddresses, oneOf, persistentSecret, type Env } from './parse.js';

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

export function publicUrlHost(env: Env, port: number): string {
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

export function turnConfig(
  env: Env,
  dataDir: string,
  rtcAddress: string,
  publicHost: string,
): { turnMode: TurnMode; turn: TurnSettings | undefined; turnServer: TurnServerSettings | undefined } {
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
