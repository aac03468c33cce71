import { describe, expect, it } from 'vitest';
import { targetsTable, verdict } from './legibility.js';

describe('verdict', () => {
  it('is met at or under the target, MISSED over it or when never reached', () => {
    expect(verdict(1.5, 1.5)).toBe('met');
    expect(verdict(0.4, 1.5)).toBe('met');
    expect(verdict(1.51, 1.5)).toBe('MISSED');
    expect(verdict(null, 1.5)).toBe('MISSED (never)');
    expect(verdict(Number.NaN, 1.5)).toBe('MISSED (never)');
  });
});

describe('targetsTable', () => {
  it('prints each run, the median and the verdict beside the target', () => {
    const table = targetsTable('t', [
      { what: 'first', runs: [0.9, 2.1, 1.2], target: 1.5, unit: 's' },
      { what: 'page', runs: [null, 3, null], target: 1.5, unit: 's' },
      { what: 'still', runs: [20, 40], target: 100, unit: 'kb/s' },
    ]);
    expect(table.columns).toEqual(['figure', 'run 1', 'run 2', 'run 3', 'median', 'target', 'verdict']);
    expect(table.rows[0]).toEqual(['first', 0.9, 2.1, 1.2, 1.2, '≤ 1.5 s', 'met']);
    // Two runs of three never legible: the median is "never".
    expect(table.rows[1]).toEqual(['page', '—', 3, '—', '—', '≤ 1.5 s', 'MISSED (never)']);
    expect(table.rows[2]).toEqual(['still', 20, 40, '—', 30, '≤ 100 kb/s', 'met']);
  });
});
