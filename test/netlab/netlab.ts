/**
 * A network namespace behind an emulated link, for tests and benchmarks that
 * need a participant on a weak or cut network.
 *
 *   root namespace                       namespace <nsName>
 *   server, other browsers               one Chromium
 *   <rootTun> hostIp  <── linkemu.py ──>  <nsTun> peerIp
 *
 * The link is a user-space process (linkemu.py: rate with a bounded queue,
 * delay, random loss, up/down) because these machines' kernels lack netem;
 * see the comment at the top of linkemu.py. Addresses come from 198.18.0.0/15
 * (RFC 2544's benchmarking range), never anything routable. Names carry the
 * run's pid, so that runs never collide, and a lab of a run that died is
 * removed by the next one (`removeLeftovers`). Needs root, `ip` (iproute2)
 * and python3.
 */
import { execFile, execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { removeOrphanNamespaces } from './leftovers.js';

const run = promisify(execFile);
const EMULATOR = join(dirname(fileURLToPath(import.meta.url)), 'linkemu.py');
/** Debian's interpreter first: the emulator needs nothing but the standard library. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const NS_PREFIX = 'chtn-';
const COMMAND_TIMEOUT_MS = 5_000;

export interface LinkSettings {
  /** Bottleneck rate in kbit/s; 0: unlimited. */
  rateKbit?: number;
  /** Fixed one-way delay in ms. */
  delayMs?: number;
  /** Random loss, in percent of packets. */
  lossPct?: number;
  /** The bottleneck's buffer (tail drop beyond); null: 200 ms at the rate. */
  queueBytes?: number | null;
  /** Which way: 'down' is towards the namespace. Default both. */
  direction?: 'both' | 'up' | 'down';
}

export interface DirectionStats {
  packets: number;
  bytes: number;
  delivered: number;
  deliveredBytes: number;
  lossDropped: number;
  queueDropped: number;
  downDropped: number;
  writeErrors: number;
  rateKbit: number;
  delayMs: number;
  lossPct: number;
  queueBytes: number | null;
}

export interface LinkStats {
  linkUp: boolean;
  /** Packets not between the two lab addresses (dropped). */
  foreign: number;
  /** From the namespace to the root namespace. */
  up: DirectionStats;
  /** From the root namespace to the namespace. */
  down: DirectionStats;
}

export interface NetLab {
  nsName: string;
  /** The root side's address: servers under test listen here. */
  hostIp: string;
  /** The namespace side's address. */
  peerIp: string;
  set(settings: LinkSettings): Promise<void>;
  down(): Promise<void>;
  up(): Promise<void>;
  stats(): Promise<LinkStats>;
  /** Runs a command inside the namespace (bounded by `timeoutMs`). */
  exec(command: string, args: string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  /** Removes the namespace and stops the link. Idempotent. */
  close(): Promise<void>;
}

let labsMade = 0;

/** Deletes namespaces of this prefix left by runs whose process is gone (their TUN devices died with their link). */
export function removeLeftovers(): Promise<string[]> {
  return removeOrphanNamespaces(NS_PREFIX);
}

function ipv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A /30 of 198.18.0.0/15 that no interface uses yet, picked from the pid so that concurrent runs differ. */
async function freeBlock(): Promise<{ hostIp: string; peerIp: string }> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show']);
  const base = (198 << 24) | (18 << 16);
  const blocks = (1 << 17) / 4;
  const first = (process.pid * 7 + labsMade * 131) % blocks;
  for (let i = 0; i < blocks; i++) {
    const block = base + ((first + i) % blocks) * 4;
    const hostIp = ipv4(block + 1);
    const peerIp = ipv4(block + 2);
    if (!stdout.includes(` ${hostIp}`) && !stdout.includes(` ${peerIp}`)) return { hostIp, peerIp };
  }
  throw new Error('no free address block in 198.18.0.0/15');
}

export async function createNetLab(): Promise<NetLab> {
  if (process.getuid?.() !== 0) throw new Error('createNetLab needs root (network namespaces, TUN devices)');
  await removeLeftovers();
  const n = ++labsMade;
  const nsName = `${NS_PREFIX}${process.pid}-${n}`;
  const rootTun = `chts${process.pid}x${n}`;
  const nsTun = `chtc${process.pid}x${n}`;
  if (rootTun.length > 15) throw new Error(`interface name too long: ${rootTun}`);
  const { hostIp, peerIp } = await freeBlock();

  let child: ChildProcessByStdio<Writable, Readable, Readable> | null = null;
  let closed = false;
  let stderr = '';
  const waiting = new Map<number, { resolve(value: Record<string, unknown>): void; reject(error: Error): void }>();
  let nextId = 0;
  let ready: ((value: void) => void) | null = null;

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    process.removeListener('exit', onExit);
    child?.stdin.end(); // the emulator exits when its stdin closes
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      const timer = setTimeout(() => child?.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(timer);
    }
    await run('ip', ['netns', 'del', nsName]).catch(() => {});
  };
  // The run ends without afterAll (a crash, Ctrl-C): still remove the namespace.
  const onExit = (): void => {
    try {
      execFileSync('ip', ['netns', 'del', nsName], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  process.on('exit', onExit);

  try {
    await run('ip', ['netns', 'add', nsName]);
    const started = spawn(PYTHON, [EMULATOR, rootTun, nsTun, hostIp, peerIp], { stdio: ['pipe', 'pipe', 'pipe'] });
    child = started;
    started.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const isReady = new Promise<void>((resolve, reject) => {
      ready = resolve;
      started.once('exit', (code) => {
        const error = new Error(`link emulator exited (${code}): ${stderr}`);
        reject(error);
        for (const w of waiting.values()) w.reject(error);
        waiting.clear();
      });
    });
    createInterface({ input: started.stdout }).on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (message.ready === true) ready?.();
      const pending = typeof message.id === 'number' ? waiting.get(message.id) : undefined;
      if (!pending) return;
      waiting.delete(message.id as number);
      if (message.ok === true) pending.resolve(message);
      else pending.reject(new Error(`link emulator: ${String(message.error)}`));
    });
    await Promise.race([
      isReady,
      new Promise((_, reject) => setTimeout(() => reject(new Error('link emulator not ready in 5 s')), 5_000)),
    ]);

    await run('ip', ['link', 'set', nsTun, 'netns', nsName]);
    await run('ip', ['addr', 'add', hostIp, 'peer', peerIp, 'dev', rootTun]);
    await run('ip', ['link', 'set', rootTun, 'up']);
    await run('ip', ['-n', nsName, 'addr', 'add', peerIp, 'peer', hostIp, 'dev', nsTun]);
    await run('ip', ['-n', nsName, 'link', 'set', nsTun, 'up']);
    await run('ip', ['-n', nsName, 'link', 'set', 'lo', 'up']);
  } catch (error) {
    await close();
    throw error;
  }

  const command = (message: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (closed || !child) return Promise.reject(new Error('net lab closed'));
    const id = ++nextId;
    const stdin = child.stdin;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`link emulator did not answer ${JSON.stringify(message)}`));
      }, COMMAND_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      stdin.write(`${JSON.stringify({ ...message, id })}\n`);
    });
  };

  return {
    nsName,
    hostIp,
    peerIp,
    async set(settings) {
      const { direction = 'both', ...rest } = settings;
      await command({ cmd: 'set', dir: direction, ...rest });
    },
    async down() {
      await command({ cmd: 'down' });
    },
    async up() {
      await command({ cmd: 'up' });
    },
    async stats() {
      const { id: _id, ok: _ok, ...stats } = await command({ cmd: 'stats' });
      return stats as unknown as LinkStats;
    },
    exec: (file, args, timeoutMs = 30_000) =>
      run('ip', ['netns', 'exec', nsName, file, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL' }),
    close,
  };
}
