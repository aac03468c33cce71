/**
 * redis/bounded.ts against a real redis-server of the test's own: killed
 * (connection refused), stalled (SIGSTOP: connected, silent) and back. Every
 * command, script and MULTI/EXEC fails with UNAVAILABLE instead of waiting,
 * Redis's own error replies pass as they are, and the client works again on
 * its own once Redis is back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createClient, ErrorReply } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKillableRedis, type KillableRedis } from '../../../test/killableRedis.js';
import { AppError } from '../errors.js';
import type { RedisClient } from './client.js';
import { ErrorCode } from '../protocol/index.js';
import { bounded, boundedClientOptions, closeWithin } from './bounded.js';
import { RedisLink } from './RedisLink.js';

const TIMEOUT_MS = 500;
/** An answer, not a hang: the bound plus what a loaded machine may add. */
const LIMIT_MS = TIMEOUT_MS + 2_000;

let server: KillableRedis;
let raw: RedisClient;
let redis: RedisClient;
let link: RedisLink;

async function outcome(run: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await run();
    return { ms: performance.now() - started, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}

function expectUnavailable(result: { ms: number; error: unknown }): void {
  expect(result.error).toBeInstanceOf(AppError);
  expect((result.error as AppError).code).toBe(ErrorCode.UNAVAILABLE);
  expect(result.ms).toBeLessThan(LIMIT_MS);
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

const works = async (): Promise<boolean> => {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
};

beforeAll(async () => {
  server = await startKillableRedis();
  const { socket, ...options } = boundedClientOptions(TIMEOUT_MS);
  raw = createClient({ ...options, url: server.url, socket });
  link = new RedisLink(raw, pino({ level: 'silent' }));
  await raw.connect();
  redis = bounded(raw, TIMEOUT_MS);
});
afterAll(async () => {
  await closeWithin(raw, TIMEOUT_MS);
  await server.stop();
});

describe('bounded Redis client', () => {
  it('passes answers and Redis’s own error replies through', async () => {
    await redis.set('k', 'v');
    expect(await redis.get('k')).toBe('v');
    expect(await redis.multi().set('a', '1').incr('a').exec()).toEqual(['OK', 2]);
    const refused = await outcome(() => redis.incr('k'));
    expect(refused.error).toBeInstanceOf(ErrorReply);
    const script = await outcome(() => redis.eval("return redis.call('INCR', KEYS[1])", { keys: ['k'] }));
    expect(script.error).toBeInstanceOf(ErrorReply);
  });

  it('does not call Redis unavailable when this process stalled past the bound while the answer came', async () => {
    // A burst of synchronous work here (the HTTP fuzz test's 200 requests at
    // once, a GC pause): the timer and Redis's answer are ready together when
    // the loop comes back; the answer must win. Found by the HTTP fuzz test.
    const pending = [redis.get('k'), redis.eval('return 1'), redis.multi().get('k').exec()];
    const until = Date.now() + TIMEOUT_MS * 2;
    while (Date.now() < until) {
      // busy: the event loop cannot run
    }
    expect(await Promise.all(pending)).toEqual(['v', 1, ['v']]);
  });

  it('answers UNAVAILABLE at once while Redis is down, and works again when it is back', async () => {
    const restored = new Promise<number>((resolve) => link.once('restored', resolve));
    await server.kill();
    await waitUntil(async () => !link.up, 5_000);
    expectUnavailable(await outcome(() => redis.get('k')));
    expectUnavailable(await outcome(() => redis.eval('return 1')));
    expectUnavailable(await outcome(() => redis.multi().set('k', 'x').expire('k', 10).exec()));
    expectUnavailable(await outcome(() => redis.ping()));

    await server.restart();
    await waitUntil(works, 15_000);
    expect(await restored).toBeGreaterThan(0);
    // The append-only file kept what was written before the kill.
    expect(await redis.get('k')).toBe('v');
    expect(await redis.multi().incr('a').exec()).toEqual([3]);
  });

  it('answers UNAVAILABLE after the bound when Redis is connected but silent', async () => {
    server.pause();
    try {
      const single = await outcome(() => redis.get('k'));
      expectUnavailable(single);
      expect(single.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expectUnavailable(await outcome(() => redis.multi().get('k').get('a').exec()));
      expectUnavailable(await outcome(() => redis.eval('return 1')));
    } finally {
      server.resume();
    }
    await waitUntil(works, 15_000);
    expect(await redis.get('k')).toBe('v');
  });

  it('closes within the bound while Redis is silent', async () => {
    const other = createClient({ ...boundedClientOptions(TIMEOUT_MS), url: server.url });
    other.on('error', () => {});
    await other.connect();
    server.pause();
    try {
      // A command in flight: close() alone would wait for its answer.
      const pending = other.get('k').catch(() => undefined);
      const started = performance.now();
      await closeWithin(other, TIMEOUT_MS);
      expect(performance.now() - started).toBeLessThan(LIMIT_MS);
      await pending;
    } finally {
      server.resume();
    }
  });
});
