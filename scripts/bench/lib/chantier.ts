/**
 * Chantier as an OS process for side-by-side benchmarks (what `npm start`
 * runs: the compiled server, signaling/build/server.js), usable outside vitest,
 * inside the benchmark namespace like Janus: HTTP, WebSocket and mediasoup's
 * WebRtcServer all bound to the namespace address. Like
 * test/serverProcess.ts (which stays as it is for the tests: it reads the
 * run's Redis through vitest's inject), but with the pids a benchmark needs
 * for CPU: Node's and its mediasoup workers'.
 *
 * Redis: a throwaway redis-server on a unix socket, started here unless one
 * is given (a unix socket crosses network namespaces), so that the Node
 * process tree is Node and its workers only.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../sfu/src/logger.js';
import { mintAccessToken, type MintOptions } from '../../../signaling/src/auth/tokens.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../../signaling/src/redis/embedded.js';
import { atExit, killNow } from './cleanup.js';
import type { BenchNetns } from './netns.js';

/** Chantier's HTTP port inside a benchmark namespace. */
export const CHANTIER_NS_PORT = 3000;

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ChantierServer {
  /** http://<ip>:<port> (the namespace's address, or 127.0.0.1 without a namespace). */
  url: string;
  /** Node's pid (signaling and the SFU's controller). */
  pid: number;
  /** The mediasoup workers' pids (children of Node running mediasoup-worker), read now. */
  workerPids(): number[];
  /** An access token for this server (role member by default). */
  token(options: Partial<MintOptions> & Pick<MintOptions, 'userId' | 'projectId'>): Promise<string>;
  /** The last lines the server wrote, for failure messages. */
  logTail(): string;
  stop(): Promise<void>;
}

export interface ChantierOptions {
  /** Run inside this namespace, bound to its address (default: loopback in the root namespace). */
  netns?: BenchNetns;
  /** A Redis URL (default: a throwaway redis-server started here). */
  redisUrl?: string;
  /** More environment (MEDIASOUP_WORKERS, LOG_LEVEL…). */
  env?: Record<string, string>;
}

/** Children of `pid` whose command is mediasoup's worker. */
export function mediasoupWorkerPids(pid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('mediasoup-worker')) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** A TCP port of 127.0.0.1 free right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startChantier(options: ChantierOptions = {}): Promise<ChantierServer> {
  const ip = options.netns?.nsIp ?? '127.0.0.1';
  // Readiness is polled on /healthz, so the port must be known: fixed in the
  // benchmark's own namespace (nothing else listens there), else a free one.
  const port = options.netns ? CHANTIER_NS_PORT : await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'chantier-bench-server-'));
  let redis: EmbeddedRedis | null = null;
  let redisUrl = options.redisUrl;
  if (!redisUrl) {
    redis = await startEmbeddedRedis({ dir: join(dataDir, 'redis'), log: silentLogger, ephemeral: true });
    redisUrl = `unix://${redis.socketPath}`;
  }
  const forgetRedis = atExit(() => {
    killNow(redis?.pid);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const jwtSecret = randomBytes(32).toString('hex');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    HOST: ip,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `bench:${randomBytes(4).toString('hex')}:`,
    JWT_SECRET: jwtSecret,
    RTC_LISTEN_IP: ip,
    RTC_PORT: '0',
    MEDIASOUP_WORKERS: '1',
    DEMO_PROJECT: '',
    ...options.env,
  };
  // What `npm start` runs (the compiled server, scripts/build-server.mjs, built by setup.sh); tsx when not built.
  const compiled = existsSync(join(REPO_ROOT, 'signaling', 'build', 'server.js'));
  const node = [
    process.execPath,
    compiled ? ['--conditions=chantier-build', 'signaling/build/server.js'] : ['--import', 'tsx', 'signaling/src/server.ts'],
  ] as const;
  const [command, args] = options.netns ? options.netns.wrap(node[0], [...node[1]]) : [node[0], [...node[1]]];
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('chantier did not start');
  // Workers die with Node (mediasoup watches its parent's pipe); Node must not outlive the run.
  const forgetNode = atExit(() => killNow(pid));
  let tail: string[] = [];
  const keep = (line: string): void => {
    tail = [...tail, line].slice(-30);
  };
  createInterface({ input: child.stderr }).on('line', keep);
  createInterface({ input: child.stdout }).on('line', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const logTail = (): string => tail.join('\n');
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    }
    forgetNode();
    await redis?.stop().catch(() => {});
    forgetRedis();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const url = `http://${ip}:${port}`;
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`chantier exited during start-up:\n${logTail()}`);
      const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`chantier did not answer ${url}/healthz within 60 s:\n${logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return {
      url,
      pid,
      workerPids: () => mediasoupWorkerPids(pid),
      token: (o) =>
        mintAccessToken({ displayName: o.userId, role: 'member', ...o }, jwtSecret),
      logTail,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
