import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../redis/client.js';

export interface LockOptions {
  /** The lock expires by itself after this long, so a crashed holder cannot block others for ever. */
  ttlMs: number;
  /** Give up acquiring after this long. */
  waitMs: number;
  /** Pause between attempts. */
  retryMs?: number;
}

/** The lock stayed taken for longer than `waitMs`. */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
  constructor(readonly key: string) {
    super(`lock ${key} still held after waiting`);
  }
}

// Deletes the key only if it still holds our token: a holder whose lock
// expired (and was taken by someone else) must not release the new holder's.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Runs `fn` while holding a Redis lock: SET key <random token> NX PX ttl,
 * retried until `waitMs`, released by compare-and-delete. Shared by every
 * node on the same Redis. The lock is advisory and time-bounded: work under
 * it must be short (a few Redis commands, a rename), well under `ttlMs`.
 */
export async function withLock<T>(
  redis: RedisClient,
  key: string,
  options: LockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const token = randomBytes(16).toString('base64url');
  const deadline = Date.now() + options.waitMs;
  const retryMs = options.retryMs ?? 25;
  for (;;) {
    const taken = await redis.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: options.ttlMs } });
    if (taken === 'OK') break;
    if (Date.now() >= deadline) throw new LockTimeoutError(key);
    // Jitter, so that waiters do not retry in lockstep.
    await sleep(retryMs * (0.5 + Math.random()));
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, { keys: [key], arguments: [token] });
  }
}
