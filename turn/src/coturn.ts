/**
 * Runs coturn (`turnserver`) in the foreground with a config written from
 * ../turnserver.conf.template, waits until it answers STUN (and TLS, when it
 * has a certificate), and stops it by its pid. Used by tests and by the
 * signaling server's embedded TURN (see ../README.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { connect as tlsConnect } from 'node:tls';
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

/** A port free on `host` for both TCP and UDP (TURN listens on both). */
export async function freeUdpTcpPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, host, () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
    udp.close();
    if (tcpFree) return port;
  }
  throw new Error('no port free for both UDP and TCP');
}

/**
 * Whether nothing listens on `host:port`, UDP or TCP. coturn binds with
 * SO_REUSEPORT, so a second coturn on a taken port starts "fine" and shares
 * the first one's traffic; the STUN probe then answers from the first. Ask
 * before starting instead. Binding 0.0.0.0 also catches a listener on one address.
 */
export async function udpTcpPortFree(host: string, port: number): Promise<boolean> {
  const udp = createSocket('udp4');
  const udpFree = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind(port, host, () => resolve(true));
  });
  udp.close();
  if (!udpFree) return false;
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** One STUN Binding request over UDP; true when a Binding success response comes back in time. */
export async function stunBindingAnswers(host: string, port: number, timeoutMs = 300): Promise<boolean> {
  const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
  const transactionId = randomBytes(12);
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), transactionId]);
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      socket.on('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      socket.on('message', (msg) => {
        if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(transactionId)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      socket.send(request, port, host);
    });
  } finally {
    socket.close();
  }
}

/** True when a TLS handshake with `host:port` completes in time (any certificate: this is a liveness probe). */
export async function tlsHandshakeAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Host part of a TURN URI: IPv6 addresses go in brackets (RFC 7065). */
function uriHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

export type TurnTransport = 'udp' | 'tcp' | 'tls';

export interface StartCoturnOptions {
  secret: string;
  /** Default 'chantier'. */
  realm?: string;
  /** Default 127.0.0.1; ALL_INTERFACES ('0.0.0.0') listens on every interface. */
  listeningIp?: string;
  /** Default: listeningIp, or unset (coturn picks) when listening on every interface. */
  relayIp?: string;
  /** `public` or `public/private`: see CoturnSettings.externalIp. */
  externalIp?: string;
  /** Default: a free port. */
  port?: number;
  /** TURN over TLS on tls.port with this certificate; the files are checked before coturn starts. */
  tls?: CoturnTls;
  /** Relay port range; default 100 ports at a random place in 50000–59899. */
  minPort?: number;
  maxPort?: number;
  /** Let peers on loopback be relayed to (tests: mediasoup listens on 127.0.0.1). */
  allowLoopbackPeers?: boolean;
  /** See CoturnSettings.allowedPeerIps. */
  allowedPeerIps?: readonly string[];
  /**
   * Default 24: a participant holds 2 peer connections (send, receive) × one
   * allocation per TURN URL (3), on maybe two devices, with room for ICE restarts.
   */
  userQuota?: number;
  /** Default: one allocation per relay port (coturn cannot hold more anyway). */
  totalQuota?: number;
  /** More config lines (tests). */
  extraLines?: readonly string[];
  /** Default `turnserver` on the PATH. */
  bin?: string;
  /** coturn's -v: among other things, the username of each allocation in the log (tests). */
  verbose?: boolean;
  /** Called with each line coturn prints. */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export class Coturn {
  /** Settles when the process has exited, whatever the reason. */
  readonly exited: Promise<void>;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly settings: CoturnSettings,
    readonly configFile: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** False once the process has exited (crashed, killed or stopped). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get port(): number {
    return this.settings.port;
  }

  /** TURN-over-TLS port, or undefined without TLS. */
  get tlsPort(): number | undefined {
    return this.settings.tls?.port;
  }

  /** An address of this machine coturn answers on: the listening IP, or loopback when it listens on all. */
  get localHost(): string {
    return this.settings.listeningIp === ALL_INTERFACES ? '127.0.0.1' : this.settings.listeningIp;
  }

  /**
   * URI of this server for one transport, as browsers reach it at `host`
   * (default: localHost). 'tls' is `turns:host:tlsPort?transport=tcp`.
   */
  url(transport: TurnTransport, host: string = this.localHost): string {
    if (transport !== 'tls') return `turn:${uriHost(host)}:${this.settings.port}?transport=${transport}`;
    if (!this.settings.tls) throw new Error('this coturn has no TLS');
    return `turns:${uriHost(host)}:${this.settings.tls.port}?transport=tcp`;
  }

  /**
   * Every URI of this server for browsers that reach it at `host`: UDP, TCP,
   * and TLS when coturn has a certificate. `publicTlsPort`: TLS is ended in
   * front of coturn (a TLS proxy on 443 forwarding plain TCP to `port`), so
   * give a turns: URI on that port even though coturn itself has no TLS.
   */
  urls(host: string = this.localHost, options: { publicTlsPort?: number } = {}): string[] {
    const urls = [this.url('udp', host), this.url('tcp', host)];
    if (options.publicTlsPort !== undefined) urls.push(`turns:${uriHost(host)}:${options.publicTlsPort}?transport=tcp`);
    else if (this.settings.tls) urls.push(this.url('tls', host));
    return urls;
  }

  static async start(options: StartCoturnOptions): Promise<Coturn> {
    if (options.tls) checkTlsFiles(options.tls);
    const listeningIp = options.listeningIp ?? '127.0.0.1';
    const minPort = options.minPort ?? 50000 + 100 * Math.floor(Math.random() * 99);
    const maxPort = options.maxPort ?? minPort + 99;
    const port = options.port ?? (await freeUdpTcpPort(listeningIp));
    const dir = mkdtempSync(join(tmpdir(), 'chantier-coturn-'));
    const settings: CoturnSettings = {
      secret: options.secret,
      realm: options.realm ?? 'chantier',
      listeningIp,
      relayIp: options.relayIp ?? (listeningIp === ALL_INTERFACES ? undefined : listeningIp),
      externalIp: options.externalIp,
      port,
      minPort,
      maxPort,
      tls: options.tls,
      allowLoopbackPeers: options.allowLoopbackPeers ?? false,
      allowedPeerIps: options.allowedPeerIps,
      userQuota: options.userQuota ?? 24,
      totalQuota: options.totalQuota ?? maxPort - minPort + 1,
      dir,
      extraLines: options.extraLines,
    };
    const configFile = join(dir, 'turnserver.conf');
    try {
      writeFileSync(configFile, renderCoturnConfig(settings), { mode: 0o600 });
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    const child = spawn(options.bin ?? 'turnserver', ['-c', configFile, ...(options.verbose ? ['-v'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    const coturn = new Coturn(child, settings, configFile);
    let output = '';
    // Whole lines, even when a line arrives in two chunks.
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        output = (output + line + '\n').slice(-4000);
        if (line.trim()) options.onLog?.(line);
      });
    }
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code));
    let spawnError: Error | undefined;
    child.once('error', (error) => (spawnError = error));

    // Ready when it answers STUN and, with TLS, completes a handshake (coturn
    // keeps running without TLS when it cannot load the certificate).
    const probeHost = coturn.localHost;
    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    let stunUp = false;
    for (;;) {
      if (spawnError || exitCode !== undefined) {
        await coturn.stop();
        throw new Error(`turnserver did not start (${spawnError?.message ?? `exit ${exitCode}`}): ${output}`);
      }
      stunUp ||= await stunBindingAnswers(probeHost, settings.port);
      if (stunUp && (!settings.tls || (await tlsHandshakeAnswers(probeHost, settings.tls.port)))) return coturn;
      if (Date.now() > deadline) {
        await coturn.stop();
        const what = stunUp ? `TLS on ${probeHost}:${settings.tls!.port}` : `STUN on ${probeHost}:${settings.port}`;
        throw new Error(`turnserver did not answer ${what} in time: ${output}`);
      }
      if (stunUp) await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM by pid, SIGKILL after 3 s; removes the temp dir. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.terminate();
    return this.stopping;
  }

  private async terminate(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined) {
      process.kill(this.child.pid, 'SIGTERM');
      const killer = setTimeout(() => {
        if (this.child.exitCode === null && this.child.signalCode === null) process.kill(this.child.pid!, 'SIGKILL');
      }, 3000);
      await this.exited;
      clearTimeout(killer);
    }
    rmSync(this.settings.dir, { recursive: true, force: true });
  }
}
