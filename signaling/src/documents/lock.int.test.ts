import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../../test/provided.js';
import type { RedisClient } from '../redis/client.js';
import { LockTimeoutError, withLock } from './lock.js';

let redis: RedisClient;
const prefix = `test:${randomBytes(4).toString('hex')}:lock:`;

beforeAll(async () => {
  redis = createClient({ socket: { path: inject('redisUrl').slice('unix://'.length), tls: false } });
  await redis.connect();
});
afterAll(async () => {
  await redis.close();
});

const key = (name: string): string => `${prefix}${name}`;

describe('withLock', () => {
  it("runs one holder at a time and returns each one's result", async () => {
    const events: string[] = [];
    const holder = (name: string, ms: number) =>
      withLock(redis, key('serial'), { ttlMs: 5000, waitMs: 5000, retryMs: 5 }, async () => {
        events.push(`${name} in`);
        await sleep(ms);
        events.push(`${name} out`);
        return name;
      });
    const results = await Promise.all([holder('a', 50), holder('b', 10), holder('c', 10)]);
    expect(results).toEqual(['a', 'b', 'c']);
    // Never two "in" in a row: no overlap.
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]?.endsWith(' in')).toBe(true);
      expect(events[i + 1]).toBe(events[i]?.replace(' in', ' out'));
    }
    expect(await redis.exists(key('serial'))).toBe(0);
  });

  it('releases the lock when the work throws', async () => {
    await expect(
      withLock(redis, key('throws'), { ttlMs: 5000, waitMs: 100 }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await redis.exists(key('throws'))).toBe(0);
  });

  it('gives up with LockTimeoutError while another holder keeps it', async () => {
    await redis.set(key('held'), 'someone-else', { expiration: { type: 'PX', value: 5000 } });
    await expect(
      withLock(redis, key('held'), { ttlMs: 1000, waitMs: 80, retryMs: 10 }, async () => 'never'),
    ).rejects.toBeInstanceOf(LockTimeoutError);
    expect(await redis.get(key('held'))).toBe('someone-else');
  });

  it('never releases a lock it no longer holds (its own expired and someone else took it)', async () => {
    await withLock(redis, key('expired'), { ttlMs: 50, waitMs: 100 }, async () => {
      await sleep(120); // our lock expires meanwhile...
      await redis.set(key('expired'), 'next-holder', { expiration: { type: 'PX', value: 5000 } }); // ...and is taken
    });
    expect(await redis.get(key('expired'))).toBe('next-holder');
  });

  it('takes a lock left by a crashed holder once it expires', async () => {
    await redis.set(key('crashed'), 'dead-node', { expiration: { type: 'PX', value: 60 } });
    const result = await withLock(redis, key('crashed'), { ttlMs: 1000, waitMs: 2000, retryMs: 10 }, async () => 'got it');
    expect(result).toBe('got it');
  });
});
