/**
 * Runs coturn (`turnserver`) in the foreground with a config written from
 * ../turnserver.conf.template, waits until it answers STUN, and stops it by
 * its pid. Used by tests now and by `npm start` later.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), '..', 'turnserver.conf.template');

export interface CoturnSettings {
  readonly secret: string;
  readonly realm: string;
  readonly listeningIp: string;
  readonly relayIp: string;
  readonly port: number;
  readonly minPort: number;
  readonly maxPort: number;
  /** Holds the user db and the pid file. */
  readonly dir: string;
  /** More config lines, e.g. `allow-loopback-peers` for tests on 127.0.0.1. */
  readonly extraLines?: readonly string[];
}

/** The config file's text: every placeholder of the template filled. */
export function renderCoturnConfig(settings: CoturnSettings, template = readFileSync(TEMPLATE, 'utf8')): string {
  const values: Record<string, string> = {
    secret: settings.secret,
    realm: settings.realm,
    listeningIp: settings.listeningIp,
    relayIp: settings.relayIp,
    port: String(settings.port),
    minPort: String(settings.minPort),
    maxPort: String(settings.maxPort),
    dir: settings.dir,
    extra: (settings.extraLines ?? []).join('\n'),
  };
  for (const [name, value] of Object.entries(values)) {
    // A newline in a value would smuggle in another directive.
    if (/[\r\n]/.test(value) && name !== 'extra') throw new Error(`coturn setting ${name} contains a newline`);
  }
  return template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`unknown placeholder {{${name}}} in the coturn template`);
    return value;
  });
}

/** A port free on `host` for both TCP and UDP (TURN listens on both). */
export async function freeUdpTcpPort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket('udp4');
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
  const socket = createSocket('udp4');
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

export interface StartCoturnOptions {
  secret: string;
  realm?: string;
  /** Default 127.0.0.1 for both. */
  listeningIp?: string;
  relayIp?: string;
  /** Default: a free port. */
  port?: number;
  /** Relay port range; default 100 ports at a random place in 50000–59899. */
  minPort?: number;
  maxPort?: number;
  /** Let peers on loopback be relayed to (tests: mediasoup listens on 127.0.0.1). */
  allowLoopbackPeers?: boolean;
  /** Default `turnserver` on the PATH. */
  bin?: string;
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

  /** turn: URL of this server for one transport. */
  url(transport: 'udp' | 'tcp'): string {
    return `turn:${this.settings.listeningIp}:${this.settings.port}?transport=${transport}`;
  }

  static async start(options: StartCoturnOptions): Promise<Coturn> {
    const dir = mkdtempSync(join(tmpdir(), 'chantier-coturn-'));
    const listeningIp = options.listeningIp ?? '127.0.0.1';
    const minPort = options.minPort ?? 50000 + 100 * Math.floor(Math.random() * 99);
    const settings: CoturnSettings = {
      secret: options.secret,
      realm: options.realm ?? 'chantier',
      listeningIp,
      relayIp: options.relayIp ?? listeningIp,
      port: options.port ?? (await freeUdpTcpPort(listeningIp)),
      minPort,
      maxPort: options.maxPort ?? minPort + 99,
      dir,
      extraLines: options.allowLoopbackPeers ? ['allow-loopback-peers'] : [],
    };
    const configFile = join(dir, 'turnserver.conf');
    writeFileSync(configFile, renderCoturnConfig(settings), { mode: 0o600 });
    const child = spawn(options.bin ?? 'turnserver', ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const coturn = new Coturn(child, settings, configFile);
    let output = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      output = (output + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code));
    let spawnError: Error | undefined;
    child.once('error', (error) => (spawnError = error));

    const deadline = Date.now() + (options.startTimeoutMs ?? 10_000);
    for (;;) {
      if (spawnError || exitCode !== undefined) {
        await coturn.stop();
        throw new Error(`turnserver did not start (${spawnError?.message ?? `exit ${exitCode}`}): ${output}`);
      }
      if (await stunBindingAnswers(listeningIp, settings.port)) return coturn;
      if (Date.now() > deadline) {
        await coturn.stop();
        throw new Error(`turnserver did not answer STUN on ${listeningIp}:${settings.port} in time: ${output}`);
      }
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
