/**
 * Runs coturn (`turnserver`) in the foreground with a config written from
 * ../turnserver.conf.template, waits until it answers STUN (and TLS, when it
 * has a certificate), and stops it by its pid. Used by tests and by the
 * signaling server's embedded TURN (see ../README.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ALL_INTERFACES, checkTlsFiles, renderCoturnConfig, type CoturnSettings, type CoturnTls } from './coturnConfig.js';
import { freeUdpTcpPort, stunBindingAnswers, tlsHandshakeAnswers } from './probes.js';

export * from './coturnConfig.js';
export * from './probes.js';

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
