/**
 * Chantier as a separate OS process, the compiled server that `npm start` runs
 * (`node <SERVER_NODE_FLAGS> --conditions=chantier-build signaling/build/server.js`,
 * built again first if a source changed), for tests that kill a server with SIGKILL or run
 * two servers on one Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { inject } from 'vitest';
import { SERVER_NODE_FLAGS } from '../signaling/src/nodeFlags.js';
import { TEST_JWT_SECRET } from './config.js';
import { SERVER_ENTRY, ensureServerBuild } from './serverBuild.js';
import './provided.js';
import { testTempDir } from './tempDir.js';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ProcessOptions {
  /** Node's own options before the script (e.g. --inspect=127.0.0.1:0, --max-old-space-size). */
  nodeArgs?: string[];
  /** Every line the process writes to stdout / stderr (pino's JSON lines go to stdout). */
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
}

/**
 * A watchdog beside each server, outside both processes: when this test
 * process is gone (a vitest worker killed after a time-out, a run
 * interrupted) it sends the server SIGTERM, then SIGKILL 15 s later. A
 * server whose Redis and worker are gone can hang in its exit with its main
 * thread blocked, where no timer of its own would fire (three such orphans
 * were found after a run). It ends by itself once the server has exited.
 */
function watchOrphan(serverPid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${serverPid} 2>/dev/null; do sleep 1; done
kill -0 ${serverPid} 2>/dev/null || exit 0
kill -TERM ${serverPid}; sleep 15; kill -KILL ${serverPid} 2>/dev/null; exit 0`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

export async function startServerProcess(env: Record<string, string>, options: ProcessOptions = {}): Promise<ServerProcess> {
  ensureServerBuild();
  // The process's own data dir, removed once it has exited; one the test gives (env.DATA_DIR) is the test's.
  const ownDataDir = env.DATA_DIR === undefined ? testTempDir('chantier-proc') : null;
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...(options.nodeArgs ?? []), '--conditions=chantier-build', SERVER_ENTRY], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...(ownDataDir ? { DATA_DIR: ownDataDir } : {}),
      REDIS_URL: inject('redisUrl'),
      JWT_SECRET: TEST_JWT_SECRET,
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_PORT: '0',
      MEDIASOUP_WORKERS: '1',
      DEMO_PROJECT: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) watchOrphan(child.pid);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
      resolve(code);
    }),
  );
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  if (options.onStderr) createInterface({ input: child.stderr! }).on('line', options.onStderr);
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: a start took over 30 s on the shared 2-core machine at load 24 (under tsx then).
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr.join('')}`)), 90_000);
    void exited.then((code) => reject(new Error(`server exited (${code}): ${stderr.join('')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      options.onStdout?.(line);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return {
    url,
    child,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
