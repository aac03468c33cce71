import { describe, expect, it } from 'vitest';
import { percentiles, quantile, summarize } from './quantiles.js';

describe('quantile', () => {
  it('interpolates between the nearest ranks', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
  });

  it('puts p95 of 20 values between the 19th and the 20th', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 10); // 10 … 200
    expect(quantile(values, 0.95)).toBeCloseTo(190 + 0.05 * 10, 10);
    expect(quantile(values, 0)).toBe(10);
    expect(quantile(values, 1)).toBe(200);
  });

  it('ignores missing values and gives NaN when none is left', () => {
    expect(quantile([null, 5, Number.NaN, 7], 0.5)).toBe(6);
    expect(quantile([null], 0.5)).toBeNaN();
    expect(quantile([], 0.95)).toBeNaN();
  });

  it('refuses a p outside [0, 1]', () => {
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(() => quantile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('counts only measured values', () => {
    expect(summarize([300, null, 100, 200])).toEqual({ count: 3, p50: 200, p95: 290, min: 100, max: 300 });
  });

  it('is all NaN without values', () => {
    const s = summarize([null, null]);
    expect(s.count).toBe(0);
    expect([s.p50, s.p95, s.min, s.max].every(Number.isNaN)).toBe(true);
  });
});

describe('percentiles', () => {
  it('merges the parts and gives the same quantiles as quantile()', () => {
    const a = Float64Array.from([5, 1, 9, Number.NaN]);
    const b = [3, 7, Number.POSITIVE_INFINITY];
    const all = [5, 1, 9, 3, 7];
    expect(percentiles([a, b])).toEqual({ count: 5, p50: quantile(all, 0.5), p95: quantile(all, 0.95), p99: quantile(all, 0.99), max: 9 });
    expect(percentiles([a, b]).p50).toBe(5);
  });

  it('is NaN with no finite sample', () => {
    expect(percentiles([[], [Number.NaN]]).p50).toBeNaN();
    expect(percentiles([]).count).toBe(0);
  });
});
