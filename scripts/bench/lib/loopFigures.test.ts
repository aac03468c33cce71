import { describe, expect, it } from 'vitest';
import { serverLoopFigures, worstLoop } from './loopFigures.js';

const gcLines = (minor: { count: number; sum: number; upTo10ms: number }, major: { count: number; sum: number; upTo10ms: number }): string =>
  [
    `chantier_gc_pause_seconds_bucket{le="0.01",kind="minor"} ${minor.upTo10ms}`,
    `chantier_gc_pause_seconds_bucket{le="+Inf",kind="minor"} ${minor.count}`,
    `chantier_gc_pause_seconds_sum{kind="minor"} ${minor.sum}`,
    `chantier_gc_pause_seconds_count{kind="minor"} ${minor.count}`,
    `chantier_gc_pause_seconds_bucket{le="0.01",kind="major"} ${major.upTo10ms}`,
    `chantier_gc_pause_seconds_bucket{le="+Inf",kind="major"} ${major.count}`,
    `chantier_gc_pause_seconds_sum{kind="major"} ${major.sum}`,
    `chantier_gc_pause_seconds_count{kind="major"} ${major.count}`,
  ].join('\n');

describe('serverLoopFigures', () => {
  it("takes the loop's delay beyond the 10-ms sampling timer from the later scrape, and the GC as the difference", () => {
    const before = ['nodejs_eventloop_lag_p50_seconds 0.0101', gcLines({ count: 10, sum: 0.02, upTo10ms: 10 }, { count: 1, sum: 0.005, upTo10ms: 1 })].join('\n');
    const after = [
      'nodejs_eventloop_lag_p50_seconds 0.0105',
      'nodejs_eventloop_lag_p99_seconds 0.042',
      'nodejs_eventloop_lag_max_seconds 0.15',
      gcLines({ count: 30, sum: 0.08, upTo10ms: 29 }, { count: 3, sum: 0.105, upTo10ms: 2 }),
    ].join('\n');
    const f = serverLoopFigures(before, after);
    expect(f.delayP50Ms).toBeCloseTo(0.5, 6);
    expect(f.delayP99Ms).toBeCloseTo(32, 6);
    expect(f.delayMaxMs).toBeCloseTo(140, 6);
    expect(f.gcCount).toBe(22);
    expect(f.gcMs).toBeCloseTo(160, 6);
    expect(f.gcOver10Ms).toBe(2);
    expect(f.gcMajorMs).toBeCloseTo(100, 6);
  });

  it('never reads a delay below zero (a timer early by rounding)', () => {
    expect(serverLoopFigures('', 'nodejs_eventloop_lag_p50_seconds 0.0099').delayP50Ms).toBe(0);
  });
});

describe('worstLoop', () => {
  it('takes the worst of each figure on its own', () => {
    const a = { delayP50Ms: 1, delayP99Ms: 20, delayMaxMs: 30, gcCount: 5, gcMs: 10, gcOver10Ms: 0, gcMajorMs: 0 };
    const b = { delayP50Ms: 2, delayP99Ms: 10, delayMaxMs: 50, gcCount: 3, gcMs: 12, gcOver10Ms: 1, gcMajorMs: 4 };
    expect(worstLoop([a, b])).toEqual({ delayP50Ms: 2, delayP99Ms: 20, delayMaxMs: 50, gcCount: 5, gcMs: 12, gcOver10Ms: 1, gcMajorMs: 4 });
  });
});
