import { describe, expect, it } from 'vitest';
import { IpRate } from './IpRate.js';

describe('IpRate', () => {
  it('allows a minute of burst per address, then says how long to wait', () => {
    let now = 1_000_000;
    const rate = new IpRate(3, () => now);
    expect([rate.take('a'), rate.take('a'), rate.take('a')]).toEqual([0, 0, 0]);
    expect(rate.take('a')).toBe(20_000);
    // Another address has its own bucket.
    expect(rate.take('b')).toBe(0);
    now += 20_000;
    expect(rate.take('a')).toBe(0);
    expect(rate.take('a')).toBe(20_000);
  });

  it('forgets refilled buckets', () => {
    let now = 0;
    const rate = new IpRate(60, () => now);
    rate.take('a');
    rate.take('b');
    now += 500;
    rate.sweep();
    expect(rate.size).toBe(2);
    now += 1_000;
    rate.sweep();
    expect(rate.size).toBe(0);
  });
});
