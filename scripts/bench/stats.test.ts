import { describe, expect, it } from 'vitest';
import { median, spread } from './stats.js';

describe('median', () => {
  it('is the middle value of an odd count and the mean of the two middle ones of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('sorts a never-reached time (+Infinity) last, and gives it when most runs never reached', () => {
    expect(median([Number.POSITIVE_INFINITY, 1, 2])).toBe(2);
    expect(median([Number.POSITIVE_INFINITY, 1, Number.POSITIVE_INFINITY])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('spread', () => {
  it('leaves out and counts the values never measured', () => {
    expect(spread([5, null, 1, Number.NaN, 3])).toEqual({ median: 3, min: 1, max: 5, count: 3, missing: 2 });
    expect(spread([4, 2])).toMatchObject({ median: 3, count: 2, missing: 0 });
  });
});
