import { TypeCompiler } from '@sinclair/typebox/compiler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareStreamIds,
  decimalAtMostSource,
  formatStreamId,
  isStreamId,
  nextStreamId,
  parseStreamId,
  previousStreamId,
  STREAM_ID_PART_MAX,
  StreamId,
} from './streamId.js';

const MAX = STREAM_ID_PART_MAX;
const schema = TypeCompiler.Compile(StreamId);

describe('stream ids', () => {
  it('accepts what Redis writes, up to 2^64 - 1 on both sides', () => {
    for (const id of ['0-0', '0-1', '1-0', '1795940384211-0', '1795940384211-12', `${MAX}-${MAX}`, `${MAX}-0`, `0-${MAX}`, `${MAX - 1n}-9`]) {
      expect(isStreamId(id), id).toBe(true);
      expect(schema.Check(id), id).toBe(true);
      expect(formatStreamId(parseStreamId(id)!)).toBe(id);
    }
  });

  it('refuses what Redis refuses, and spellings that are not canonical', () => {
    const nines = '9'.repeat(20);
    for (const id of [
      `${nines}-${nines}`, `${nines}-1`, `${MAX + 1n}-0`, `0-${MAX + 1n}`, `${'1'.repeat(21)}-0`,
      '007-1', '1-01', '00-0', '+1-0', ' 1-0', '1-0 ', '1', '1-', '-1', '1-2-3', '', '١-0', '1_0', '0x1-0', '-1-0',
    ]) {
      expect(isStreamId(id), id).toBe(false);
      expect(schema.Check(id), id).toBe(false);
      expect(parseStreamId(id), id).toBeUndefined();
    }
    expect(parseStreamId(12)).toBeUndefined();
  });

  it('the pattern agrees with the numbers, for any pair of decimals around the bound', () => {
    const part = fc.oneof(fc.bigInt({ min: 0n, max: MAX * 11n }), fc.bigInt({ min: MAX - 1000n, max: MAX + 1000n }), fc.bigInt({ min: 0n, max: 1000n }));
    fc.assert(
      fc.property(part, part, (ms, seq) => {
        const id = `${ms}-${seq}`;
        const inRange = ms <= MAX && seq <= MAX;
        expect(isStreamId(id)).toBe(inRange);
        expect(schema.Check(id)).toBe(inRange);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('builds the decimal pattern for any bound', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 25n }), fc.bigInt({ min: 0n, max: 10n ** 25n }), fc.bigInt({ min: -1000n, max: 1000n }), (max, far, delta) => {
        const re = new RegExp(`^${decimalAtMostSource(max)}$`);
        for (const n of [far, max + delta, max, max + 1n]) if (n >= 0n) expect(re.test(String(n)), `${n} <= ${max}`).toBe(n <= max);
      }),
      // A pattern compiled per run: few runs, each bound's 26 digit positions are covered anyway.
      { numRuns: 200 },
    );
  }, 60_000);

  it('orders ids numerically and steps to the next and previous id', () => {
    const a = parseStreamId('9-0')!;
    const b = parseStreamId('10-0')!;
    expect(compareStreamIds(a, b)).toBe(-1);
    expect(compareStreamIds(b, a)).toBe(1);
    expect(compareStreamIds(a, a)).toBe(0);
    expect(formatStreamId(nextStreamId(parseStreamId(`5-${MAX}`)!)!)).toBe('6-0');
    expect(formatStreamId(previousStreamId(parseStreamId('6-0')!)!)).toBe(`5-${MAX}`);
    expect(nextStreamId(parseStreamId(`${MAX}-${MAX}`)!)).toBeUndefined();
    expect(previousStreamId(parseStreamId('0-0')!)).toBeUndefined();
  });
});
