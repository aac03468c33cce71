import { constants, type PerformanceEntry } from 'node:perf_hooks';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseExposition, sumOf } from './exposition.js';
import { GC_PAUSE_BUCKETS_S, observeGcEntries } from './gcPauses.js';

const entry = (kind: number, duration: number) => ({ entryType: 'gc', duration, detail: { kind } }) as unknown as PerformanceEntry;

describe('observeGcEntries', () => {
  it('observes every entry of a batch, by kind, in seconds', async () => {
    const registry = new Registry();
    const histogram = new Histogram<'kind'>({ name: 'gc_test_seconds', help: 'test', labelNames: ['kind'], buckets: GC_PAUSE_BUCKETS_S, registers: [registry] });
    // One callback handed three collections (prom-client's own observer would count the first only).
    observeGcEntries(histogram, [
      entry(constants.NODE_PERFORMANCE_GC_MINOR, 2),
      entry(constants.NODE_PERFORMANCE_GC_MINOR, 3),
      entry(constants.NODE_PERFORMANCE_GC_MAJOR, 60),
    ]);
    const s = parseExposition(await registry.metrics());
    expect(sumOf(s, 'gc_test_seconds_count', { kind: 'minor' })).toBe(2);
    expect(sumOf(s, 'gc_test_seconds_sum', { kind: 'minor' })).toBeCloseTo(0.005, 6);
    expect(sumOf(s, 'gc_test_seconds_count', { kind: 'major' })).toBe(1);
    expect(sumOf(s, 'gc_test_seconds_bucket', { kind: 'major', le: '0.05' })).toBe(0);
    expect(sumOf(s, 'gc_test_seconds_bucket', { kind: 'major', le: '0.1' })).toBe(1);
  });
});
