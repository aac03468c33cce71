/**
 * One real redis-server for the integration and browser tests of a run
 * (Debian's redis-server, throwaway: no persistence, a Unix socket in a temp
 * dir, so no port can collide). Tests isolate themselves by key prefix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { silentLogger } from '../sfu/src/logger.js';
import { startEmbeddedRedis } from '../signaling/src/redis/embedded.js';
import './provided.js';
import { ensureServerBuild } from './serverBuild.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The compiled server of the server-process tests, built here once if a source changed: two
  // integration files run at once, and both would otherwise rebuild it at the same time.
  ensureServerBuild();
  // Every temp dir the project's tests make (test/tempDir.ts) goes under this root, removed with it.
  const tempRoot = mkdtempSync(join(tmpdir(), 'chantier-test-run-'));
  const dir = mkdtempSync(join(tempRoot, 'redis-'));
  const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
  project.provide('redisUrl', `unix://${redis.socketPath}`);
  project.provide('tempRoot', tempRoot);
  return async () => {
    await redis.stop();
    rmSync(tempRoot, { recursive: true, force: true });
  };
}
