/**
 * The embedded redis-server's durability (REDIS_APPENDFSYNC): a real
 * redis-server started the way `npm start` starts it, asked what it runs with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../sfu/src/logger.js';
import { startEmbeddedRedis, type EmbeddedRedis } from './embedded.js';

let redis: EmbeddedRedis | undefined;
let dir: string | undefined;

afterEach(async () => {
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  redis = undefined;
  dir = undefined;
});

async function settings(options: { appendfsync?: 'always' | 'everysec' }): Promise<Record<string, string>> {
  dir = mkdtempSync(join(tmpdir(), 'chantier-embedded-redis-'));
  redis = await startEmbeddedRedis({ dir, log: silentLogger, ...options });
  const client = createClient({ socket: { path: redis.socketPath, tls: false } });
  await client.connect();
  try {
    return { ...(await client.configGet('appendonly')), ...(await client.configGet('appendfsync')) };
  } finally {
    await client.close();
  }
}

describe('embedded redis-server', () => {
  it('keeps an append-only file fsynced every second by default', async () => {
    expect(await settings({})).toEqual({ appendonly: 'yes', appendfsync: 'everysec' });
  });

  it('fsyncs before answering each write with appendfsync always', async () => {
    expect(await settings({ appendfsync: 'always' })).toEqual({ appendonly: 'yes', appendfsync: 'always' });
  });
});
