/**
 * The embedded default: when REDIS_URL is unset, Chantier runs its own
 * redis-server (Debian's package) in the foreground as a child process, with
 * an append-only file under <dataDir>/redis, listening on a Unix socket only
 * (no TCP port to collide with or to expose). It is stopped on shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import type { Logger } from '@chantier/sfu';

export interface EmbeddedRedis {
  /** Unix socket path to give to the redis client. */
  readonly socketPath: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  dir: string;
  log: Logger;
  /** Throwaway instance: no persistence (tests). */
  ephemeral?: boolean;
  /**
   * When the append-only file reaches the disk (config REDIS_APPENDFSYNC):
   * 'always' before each write is answered, 'everysec' (default) once a second.
   */
  appendfsync?: 'always' | 'everysec';
  binary?: string;
}

/** A redis-server left behind by a Chantier that was killed: its parent is gone (reparented). */
function orphanPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('redis-server')) return undefined;
    const ppid = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    if (ppid === '1' || ppid === '0') return pid;
    throw new Error(
      `a redis-server (pid ${pid}) of another running Chantier uses ${pidFile}; stop it, or set DATA_DIR or REDIS_URL`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Waits until the redis-server `child` answers PING (its dataset loaded) on its Unix socket or URL. */
export async function waitForPing(target: { path: string } | { url: string }, child: ChildProcess, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (!('path' in target) || existsSync(target.path)) {
      const client =
        'path' in target
          ? createClient({ socket: { path: target.path, tls: false, reconnectStrategy: false } })
          : createClient({ url: target.url, socket: { reconnectStrategy: false } });
      client.on('error', () => {});
      try {
        await client.connect();
        await client.ping();
        await client.close();
        return;
      } catch (error) {
        lastError = error;
        client.destroy();
      }
    }
    await sleep(50);
  }
  throw new Error(`redis-server did not answer within ${deadlineMs} ms: ${String(lastError)}`);
}

export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dir = options.dir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socketPath = join(dir, 'redis.sock');
  const pidFile = join(dir, 'redis.pid');
  const orphan = orphanPid(pidFile);
  if (orphan !== undefined) {
    options.log.warn({ pid: orphan }, 'stopping a redis-server left by a previous run');
    process.kill(orphan, 'SIGTERM');
    for (let i = 0; i < 100 && existsSync(`/proc/${orphan}`); i++) await sleep(50);
  }
  rmSync(socketPath, { force: true });

  const args = [
    '--port', '0',
    '--unixsocket', socketPath,
    '--unixsocketperm', '700',
    '--dir', dir,
    '--pidfile', pidFile,
    '--daemonize', 'no',
    '--loglevel', 'warning',
    '--logfile', '',
    ...(options.ephemeral
      ? ['--save', '', '--appendonly', 'no']
      : ['--appendonly', 'yes', '--appendfsync', options.appendfsync ?? 'everysec', '--save', '3600 1 300 100']),
  ];
  // Its own process group: a Ctrl-C in the terminal reaches Chantier, which
  // then stops Redis last, after clearing presence, instead of both at once.
  const child = spawn(options.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new Error(`cannot start redis-server (${error.message}); run npm run setup, or set REDIS_URL`)),
    );
  });
  await spawned;
  const redisLog = options.log.child({ component: 'redis-server', redisPid: child.pid });
  // redis-server prints its start-up banner at "warning" level too: only
  // real warnings go to warn, the rest to debug.
  const forward = (chunk: Buffer): void => {
    for (const raw of chunk.toString().split('\n')) {
      const line = raw.trim();
      if (!line) continue;
      if (/WARNING|error|failed/i.test(line)) redisLog.warn(line);
      else redisLog.debug(line);
    }
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) options.log.error({ code, signal }, 'embedded redis-server exited unexpectedly');
  });
  try {
    await waitForPing({ path: socketPath }, child, 10_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  options.log.info(
    { socketPath, pid: child.pid, persistent: !options.ephemeral, ...(options.ephemeral ? {} : { appendfsync: options.appendfsync ?? 'everysec' }) },
    'embedded redis-server started',
  );

  return {
    socketPath,
    pid: child.pid ?? -1,
    async stop() {
      if (stopping) return;
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // SIGTERM makes redis-server flush the append-only file before exiting.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
