/**
 * A process's event loop and garbage collector over one benchmark step: how
 * late its loop ran (an event-loop delay histogram) and what its GC paused.
 * For the server, read from its /metrics before and after the step
 * (prom-client's default `nodejs_eventloop_lag_*`, a monitorEventLoopDelay
 * histogram reset at each scrape, and the server's own
 * `chantier_gc_pause_seconds` by kind, signaling/src/metrics/gcPauses.ts); for a load generator,
 * measured in the process itself (`measureLoop`). Pure but for measureLoop:
 * unit-tested in loopFigures.test.ts.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { readHistogram } from './promHistogram.js';

/**
 * monitorEventLoopDelay samples with a timer of this period (prom-client's
 * default precision, used here too); each sample is the time between two of
 * its callbacks, so an idle loop reads this much. Figures below are what
 * comes on top of it: how late the loop was.
 */
export const LOOP_SAMPLE_MS = 10;

export interface LoopFigures {
  /** Event-loop delay beyond the sampling period, ms. */
  delayP50Ms: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** GC pauses over the step: how many, their total, how many lasted over 10 ms. */
  gcCount: number;
  gcMs: number;
  gcOver10Ms: number;
  /** Of the total, what mark-compact (major and incremental marking steps) took. */
  gcMajorMs: number;
}

const beyond = (sampleMs: number): number => Math.max(0, sampleMs - LOOP_SAMPLE_MS);

function gauge(exposition: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(exposition);
  return match ? Number(match[1]) : Number.NaN;
}

interface GcTotals {
  count: number;
  seconds: number;
  over10ms: number;
  majorSeconds: number;
}

function gcTotals(exposition: string): GcTotals {
  const totals: GcTotals = { count: 0, seconds: 0, over10ms: 0, majorSeconds: 0 };
  for (const [kind, series] of readHistogram(exposition, 'chantier_gc_pause_seconds', 'kind')) {
    totals.count += series.count;
    totals.seconds += series.sum;
    if (kind === 'major' || kind === 'incremental') totals.majorSeconds += series.sum;
    const upTo10ms = series.buckets.find((b) => b.le === 0.01)?.count ?? 0;
    totals.over10ms += series.count - upTo10ms;
  }
  return totals;
}

/**
 * The server's figures over a step from two scrapes of its /metrics: the
 * loop's gauges of the scrape after the step (its histogram was reset by the
 * scrape before), the GC's counters as the difference of the two.
 */
export function serverLoopFigures(before: string, after: string): LoopFigures {
  const a = gcTotals(before);
  const b = gcTotals(after);
  return {
    delayP50Ms: beyond(gauge(after, 'nodejs_eventloop_lag_p50_seconds') * 1000),
    delayP99Ms: beyond(gauge(after, 'nodejs_eventloop_lag_p99_seconds') * 1000),
    delayMaxMs: beyond(gauge(after, 'nodejs_eventloop_lag_max_seconds') * 1000),
    gcCount: b.count - a.count,
    gcMs: (b.seconds - a.seconds) * 1000,
    gcOver10Ms: b.over10ms - a.over10ms,
    gcMajorMs: (b.majorSeconds - a.majorSeconds) * 1000,
  };
}

/** The worse of several processes' figures (the load generators'), each figure on its own. */
export function worstLoop(figures: readonly LoopFigures[]): LoopFigures {
  const max = (pick: (f: LoopFigures) => number): number => Math.max(...figures.map(pick));
  return {
    delayP50Ms: max((f) => f.delayP50Ms),
    delayP99Ms: max((f) => f.delayP99Ms),
    delayMaxMs: max((f) => f.delayMaxMs),
    gcCount: max((f) => f.gcCount),
    gcMs: max((f) => f.gcMs),
    gcOver10Ms: max((f) => f.gcOver10Ms),
    gcMajorMs: max((f) => f.gcMajorMs),
  };
}

const MAJOR_KINDS = new Set([constants.NODE_PERFORMANCE_GC_MAJOR, constants.NODE_PERFORMANCE_GC_INCREMENTAL]);

/** Measures this process's loop and GC from now until the returned function is called. */
export function measureLoop(): () => LoopFigures {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  const gc = { count: 0, ms: 0, over10: 0, majorMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++;
      gc.ms += entry.duration;
      if (entry.duration > 10) gc.over10++;
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind !== undefined && MAJOR_KINDS.has(kind)) gc.majorMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  histogram.enable();
  return () => {
    histogram.disable();
    observer.disconnect();
    const ms = (ns: number): number => beyond(ns / 1e6);
    return {
      delayP50Ms: ms(histogram.percentile(50)),
      delayP99Ms: ms(histogram.percentile(99)),
      delayMaxMs: ms(histogram.max),
      gcCount: gc.count,
      gcMs: gc.ms,
      gcOver10Ms: gc.over10,
      gcMajorMs: gc.majorMs,
    };
  };
}
