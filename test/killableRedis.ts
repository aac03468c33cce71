/**
 * A redis-server of the test's own, to kill and start again (the run's shared
 * one from globalSetup.ts must never be killed): TCP on a free loopback port,
 * its data in a temp dir with the append-only file on, restarted on the same
 * port and directory. `appendfsync always` (REDIS_APPENDFSYNC=always): the
 * tests check that nothing acknowledged is lost across a SIGKILL, which
 * everysec does not promise (Redis holds writes back while a slow sync runs;
 * seen on this machine: a MULTI acknowledged just before the kill was gone).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForPing } from '../signaling/src/redis/embedded.js';
import { freePort } from './cluster.js';

export interface KillableRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Whether the server runs now. */
  readonly running: boolean;
  /** SIGKILL: no goodbye, no flush (the append-only file keeps what was written). */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: connected, but answering nothing (a stalled Redis). */
  pause(): void;
  resume(): void;
  /** Starts it again on the same port and data dir; resolves once it answers PING (dataset loaded). */
  restart(): Promise<void>;
  /** Stops it for good and removes its data. */
  stop(): Promise<void>;
}

function launch(port: number, dir: string): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--daemonize', 'no',
      '--appendonly', 'yes',
      '--appendfsync', 'always',
      '--save', '',
      '--loglevel', 'warning',
      '--logfile', '',
    ],
    { stdio: 'ignore' },
  );
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startKillableRedis(): Promise<KillableRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'chantier-outage-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined = launch(port, dir);
  await waitForPing({ url }, child, 15_000);
  return {
    url,
    port,
    dir,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async kill() {
      if (!child) return;
      const dying = child;
      child = undefined;
      dying.kill('SIGKILL');
      await exited(dying);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async restart() {
      if (child) throw new Error('redis-server is running');
      child = launch(port, dir);
      await waitForPing({ url }, child, 15_000);
    },
    async stop() {
      const last = child;
      child = undefined;
      if (last) {
        last.kill('SIGCONT');
        last.kill('SIGKILL');
        await exited(last);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
