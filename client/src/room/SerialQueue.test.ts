import { describe, expect, it } from 'vitest';
import { SerialQueue } from './SerialQueue';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SerialQueue', () => {
  it('runs tasks one at a time, in order', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const gate = deferred();
    const a = queue.push(async () => {
      log.push('a start');
      await gate.promise;
      log.push('a end');
    });
    const b = queue.push(async () => {
      log.push('b');
    });
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    expect(queue.size).toBe(2);
    gate.resolve();
    await Promise.all([a, b]);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('keeps going after a failing task, which rejects only its own promise', async () => {
    const queue = new SerialQueue();
    const failing = queue.push(() => Promise.reject(new Error('consume failed')));
    const next = queue.push(() => Promise.resolve(42));
    await expect(failing).rejects.toThrow('consume failed');
    await expect(next).resolves.toBe(42);
    await Promise.resolve();
    expect(queue.size).toBe(0);
  });
});
