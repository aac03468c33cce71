/**
 * coturn's config file, written from ../turnserver.conf.template: the
 * settings checked (ports, addresses, TLS files) and rendered.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), '..', 'turnserver.conf.template');

/** Listening on this address means every interface: the config then has no listening-ip line. */
export const ALL_INTERFACES = '0.0.0.0';

/**
 * TLS ciphers for TLS 1.2 (Mozilla's "intermediate" list, ECDHE only). coturn
 * 4.6.1 (Debian 12) speaks TLS 1.2 at most: TLS 1.3 came with 4.6.2.
 */
export const TLS_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface CoturnTls {
  /** TCP port of TURN over TLS (`turns:`); 443 in a deployment without a TLS front. */
  readonly port: number;
  /** PEM certificate (a full chain is fine: the server's first). */
  readonly certFile: string;
  /** PEM private key, not encrypted. */
  readonly keyFile: string;
}

export interface CoturnSettings {
  readonly secret: string;
  readonly realm: string;
  /** An address of this machine, or ALL_INTERFACES. */
  readonly listeningIp: string;
  /** Local address relayed traffic leaves from; unset: coturn picks, per client, the address it came in on. */
  readonly relayIp?: string | undefined;
  /**
   * Behind NAT (a cloud VM, docker): the public address written into relayed
   * candidates, as `public` or `public/private` (coturn's `external-ip`).
   */
  readonly externalIp?: string | undefined;
  readonly port: number;
  readonly minPort: number;
  readonly maxPort: number;
  /** Unset: TURN over UDP and TCP only (`no-tls`). */
  readonly tls?: CoturnTls | undefined;
  /** Let clients relay to 127.0.0.0/8 (tests, where mediasoup listens on loopback). Never in production. */
  readonly allowLoopbackPeers?: boolean | undefined;
  /**
   * Peer addresses (`ip` or `ip-ip`) allowed although a denied range of the
   * template holds them: the SFU's address when it is a private one (a LAN
   * server, a docker network).
   */
  readonly allowedPeerIps?: readonly string[] | undefined;
  /** Concurrent allocations per user id, and in all. */
  readonly userQuota: number;
  readonly totalQuota: number;
  /** Holds the user db and the pid file. */
  readonly dir: string;
  /** More config lines, one directive each. */
  readonly extraLines?: readonly string[] | undefined;
}

/** A wrong setting, found before coturn starts. */
export class CoturnConfigError extends Error {
  override name = 'CoturnConfigError';
}

function checkPort(name: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CoturnConfigError(`coturn ${name} must be a port number, got ${port}`);
  return String(port);
}

function checkIp(name: string, ip: string): string {
  if (isIP(ip) === 0) throw new CoturnConfigError(`coturn ${name} must be an IP address, got "${ip}"`);
  return ip;
}

/** `ip` or `ip-ip`, as coturn's allowed-peer-ip takes it. */
function checkIpRange(name: string, range: string): string {
  const ips = range.split('-');
  if (ips.length > 2) throw new CoturnConfigError(`coturn ${name}: "${range}" is not an address or a range a-b`);
  for (const ip of ips) checkIp(name, ip);
  return range;
}

/** The config file's text: every placeholder of the template filled. */
export function renderCoturnConfig(settings: CoturnSettings, template = readFileSync(TEMPLATE, 'utf8')): string {
  const { tls } = settings;
  if (settings.listeningIp !== ALL_INTERFACES) checkIp('listeningIp', settings.listeningIp);
  if (settings.relayIp !== undefined) checkIp('relayIp', settings.relayIp);
  if (settings.externalIp !== undefined) {
    const parts = settings.externalIp.split('/');
    if (parts.length > 2) throw new CoturnConfigError(`coturn externalIp must be "public" or "public/private", got "${settings.externalIp}"`);
    for (const ip of parts) checkIp('externalIp', ip);
  }
  checkPort('port', settings.port);
  checkPort('minPort', settings.minPort);
  checkPort('maxPort', settings.maxPort);
  if (settings.minPort > settings.maxPort) throw new CoturnConfigError('coturn minPort is above maxPort');
  if (tls) {
    checkPort('tls.port', tls.port);
    if (tls.port === settings.port) throw new CoturnConfigError('coturn tls.port must differ from the plain TURN port');
  }
  for (const [name, quota] of [['userQuota', settings.userQuota], ['totalQuota', settings.totalQuota]] as const) {
    if (!Number.isInteger(quota) || quota < 0) throw new CoturnConfigError(`coturn ${name} must be a whole number ≥ 0 (0: no limit)`);
  }
  const allowed = (settings.allowedPeerIps ?? []).map((range) => checkIpRange('allowedPeerIps', range));
  // coturn trims blanks and '=' after the directive name and strips quotes: a
  // secret with those would differ from the one the signaling server signs with.
  for (const [name, value] of [['secret', settings.secret], ['realm', settings.realm]] as const) {
    if (!/^[!#-<>-~][!#-~]*$/.test(value)) throw new CoturnConfigError(`coturn ${name} must be printable ASCII without spaces or quotes, not starting with =`);
  }

  // Scalars go inside a line; blocks (arrays) replace a line of their own.
  const values: Record<string, string | readonly string[]> = {
    secret: settings.secret,
    realm: settings.realm,
    port: String(settings.port),
    minPort: String(settings.minPort),
    maxPort: String(settings.maxPort),
    userQuota: String(settings.userQuota),
    totalQuota: String(settings.totalQuota),
    dir: settings.dir,
    listening: [
      ...(settings.listeningIp === ALL_INTERFACES ? [] : [`listening-ip=${settings.listeningIp}`]),
      ...(settings.relayIp === undefined ? [] : [`relay-ip=${settings.relayIp}`]),
      ...(settings.externalIp === undefined ? [] : [`external-ip=${settings.externalIp}`]),
    ],
    tls: tls
      ? [
          `tls-listening-port=${tls.port}`,
          `cert=${tls.certFile}`,
          `pkey=${tls.keyFile}`,
          `cipher-list=${TLS_CIPHERS}`,
          'no-tlsv1',
          'no-tlsv1_1',
        ]
      : ['no-tls'],
    peers: [
      // coturn checks allow-loopback-peers before its denied ranges: a denied
      // 127/8 would override it, so loopback is denied only when not allowed.
      settings.allowLoopbackPeers ? 'allow-loopback-peers' : 'denied-peer-ip=127.0.0.0-127.255.255.255',
      ...allowed.map((range) => `allowed-peer-ip=${range}`),
    ],
    extra: settings.extraLines ?? [],
  };
  for (const [name, value] of Object.entries(values)) {
    // A newline in a value would smuggle in another directive (and coturn reads no control characters).
    for (const item of typeof value === 'string' ? [value] : value) {
      if (/[\u0000-\u001f\u007f]/.test(item)) throw new CoturnConfigError(`coturn setting ${name} contains a newline or control character`);
    }
  }
  const lookup = (name: string): string | readonly string[] => {
    const value = values[name];
    if (value === undefined) throw new CoturnConfigError(`unknown placeholder {{${name}}} in the coturn template`);
    return value;
  };
  const out: string[] = [];
  for (const line of template.split('\n')) {
    const alone = /^\s*\{\{(\w+)\}\}\s*$/.exec(line);
    const block = alone && lookup(alone[1]!);
    if (typeof block === 'object' && block !== null) {
      out.push(...block);
      continue;
    }
    out.push(
      line.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
        const value = lookup(name);
        if (typeof value !== 'string') throw new CoturnConfigError(`placeholder {{${name}}} must stand alone on its line`);
        return value;
      }),
    );
  }
  return out.join('\n');
}

/**
 * Reads the certificate and key coturn will be given, so that a wrong path or
 * pair fails with a clear message instead of coturn starting without TLS
 * (which it does, with an error line in its log). Returns the certificate.
 */
export function checkTlsFiles(tls: CoturnTls, now = new Date()): X509Certificate {
  const read = (what: string, file: string): Buffer => {
    try {
      accessSync(file, constants.R_OK);
      return readFileSync(file);
    } catch (error) {
      throw new CoturnConfigError(`TURN TLS ${what} ${file} cannot be read: ${(error as Error).message}`);
    }
  };
  const certPem = read('certificate', tls.certFile);
  const keyPem = read('key', tls.keyFile);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch (error) {
    throw new CoturnConfigError(`TURN TLS certificate ${tls.certFile} is not a PEM certificate: ${(error as Error).message}`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch (error) {
    throw new CoturnConfigError(`TURN TLS key ${tls.keyFile} is not an unencrypted PEM private key: ${(error as Error).message}`);
  }
  if (!cert.checkPrivateKey(key)) throw new CoturnConfigError(`TURN TLS key ${tls.keyFile} does not match certificate ${tls.certFile}`);
  if (new Date(cert.validTo) < now) throw new CoturnConfigError(`TURN TLS certificate ${tls.certFile} expired on ${cert.validTo}`);
  return cert;
}
