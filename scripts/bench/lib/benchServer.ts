/**
 * Chantier for the signaling benchmark: lib/chantier.ts's server process on
 * loopback, with a throwaway redis-server started here so that its pid is
 * known too (Redis's CPU is part of what a join or a chat message costs).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../sfu/src/logger.js';
import type { MintOptions } from '../../../signaling/src/auth/tokens.js';
import { startEmbeddedRedis } from '../../../signaling/src/redis/embedded.js';
import { startChantier } from './chantier.js';
import { atExit, killNow } from './cleanup.js';

export interface BenchServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The Node process of the server. */
  pid: number;
  /** Its mediasoup workers, read now. */
  workerPids(): number[];
  redisPid: number;
  token(options: Partial<MintOptions> & Pick<MintOptions, 'userId' | 'projectId'>): Promise<string>;
  stop(): Promise<void>;
}

/**
 * `env` adds to or overrides lib/chantier.ts's defaults (limits a benchmark
 * must raise, LOG_LEVEL...); `nodeFlags` replaces the production Node flags.
 */
export async function startBenchServer(env: Record<string, string> = {}, nodeFlags?: readonly string[]): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-bench-redis-'));
  const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
  const forgetRedis = atExit(() => killNow(redis.pid));
  const stopRedis = async (): Promise<void> => {
    await redis.stop();
    forgetRedis();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const server = await startChantier({ redisUrl: `unix://${redis.socketPath}`, env, ...(nodeFlags ? { nodeFlags } : {}) });
    return {
      url: server.url,
      pid: server.pid,
      workerPids: server.workerPids,
      redisPid: redis.pid,
      token: server.token,
      async stop() {
        await server.stop();
        await stopRedis();
      },
    };
  } catch (error) {
    await stopRedis();
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
