/**
 * Chantier for a benchmark: its own throwaway redis-server (Unix socket in a
 * temp dir) and the server as an OS process on loopback
 * (test/serverProcess.ts, what `npm start` runs), so that the load generator
 * never shares the server's event loop and the server's CPU and memory can be
 * read from /proc by pid. `env` adds to or overrides the defaults (limits a
 * benchmark must raise, MEDIASOUP_WORKERS, LOG_LEVEL...).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../sfu/src/logger.js';
import { startEmbeddedRedis } from '../../../signaling/src/redis/embedded.js';
import { TEST_JWT_SECRET } from '../../../test/config.js';
import { startServerProcess } from '../../../test/serverProcess.js';

export interface BenchServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Signs access tokens the server accepts (mintAccessToken's secret). */
  jwtSecret: string;
  /** The Node process of the server (its mediasoup workers are its children). */
  pid: number;
  redisPid: number;
  stop(): Promise<void>;
}

export async function startBenchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-bench-server-'));
  const redis = await startEmbeddedRedis({ dir: join(dir, 'redis'), log: silentLogger, ephemeral: true });
  try {
    const server = await startServerProcess({
      REDIS_URL: `unix://${redis.socketPath}`,
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'warn',
      ...env,
    });
    return {
      url: server.url,
      jwtSecret: TEST_JWT_SECRET,
      pid: server.child.pid ?? -1,
      redisPid: redis.pid,
      async stop() {
        await server.kill('SIGTERM');
        await redis.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Resident memory of one process (not its children), in bytes; 0 once it is gone. */
export function rssBytes(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Direct children of a process (the server's mediasoup workers). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((p) => p !== '')
      .map(Number);
  } catch {
    return [];
  }
}
