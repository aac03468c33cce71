/**
 * Every pause of this process's garbage collector, by kind, as a histogram
 * (`chantier_gc_pause_seconds`). prom-client's default
 * `nodejs_gc_duration_seconds` observes only the first entry of each batch
 * its PerformanceObserver is handed (prom-client 15.1.3, lib/metrics/gc.js):
 * under load, when several collections come between two of its callbacks, it
 * undercounts just when pauses matter. This one observes them all, in buckets
 * fine enough to tell pauses over 10 and 50 ms (the chat's tail, issue 20).
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { Histogram, type Registry } from 'prom-client';

export const GC_PAUSE_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

const KINDS: ReadonlyMap<number, string> = new Map([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/** Observes each entry of a batch (a 'gc' PerformanceEntry: duration in ms, detail.kind). */
export function observeGcEntries(histogram: Histogram<'kind'>, entries: readonly PerformanceEntry[]): void {
  for (const entry of entries) {
    const kind = KINDS.get((entry as { detail?: { kind?: number } | null }).detail?.kind ?? -1) ?? 'other';
    histogram.observe({ kind }, entry.duration / 1000);
  }
}

/** Registers the histogram and starts observing; returns what stops it. */
export function trackGcPauses(registry: Registry): () => void {
  const histogram = new Histogram<'kind'>({
    name: 'chantier_gc_pause_seconds',
    help: 'Garbage collection pauses of this process, every one, by kind (minor, major, incremental, weakcb)',
    labelNames: ['kind'],
    buckets: GC_PAUSE_BUCKETS_S,
    registers: [registry],
  });
  const observer = new PerformanceObserver((list) => observeGcEntries(histogram, list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
