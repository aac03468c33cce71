import { describe, expect, it } from 'vitest';
import { randomId } from './randomId.js';

describe('randomId', () => {
  it('gives base64url ids of the asked length, never twice the same, across refills of the pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = randomId(9);
      expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
    expect(Buffer.from(randomId(18), 'base64url')).toHaveLength(18);
  });

  it('uses every bit: each of the 48 bits of 6-byte ids is set in some and clear in others', () => {
    let or = 0n;
    let and = (1n << 48n) - 1n;
    for (let i = 0; i < 200; i++) {
      const value = BigInt(`0x${Buffer.from(randomId(6), 'base64url').toString('hex')}`);
      or |= value;
      and &= value;
    }
    expect(or).toBe((1n << 48n) - 1n);
    expect(and).toBe(0n);
  });

  it('refuses a size outside 1..256', () => {
    expect(() => randomId(0)).toThrow(RangeError);
    expect(() => randomId(257)).toThrow(RangeError);
  });
});
