/**
 * The server's V8 heap as its /metrics shows it (prom-client's default
 * `nodejs_heap_space_size_{total,used}_bytes` by space and
 * `nodejs_external_memory_bytes`): what of its RSS the heap holds, space by
 * space, committed against used (pure: unit-tested in heapReading.test.ts).
 */
import { parseExposition } from '../../../signaling/src/metrics/exposition.js';

export interface HeapReading {
  /** Committed (size_total) and used MB by V8 space: new, old, code, map, large_object... */
  committedMB: Record<string, number>;
  usedMB: Record<string, number>;
  /** Memory of JavaScript objects outside the heap (Buffers, ArrayBuffers), MB. */
  externalMB: number;
}

const MB = 1024 * 1024;

export function heapReading(exposition: string): HeapReading {
  const reading: HeapReading = { committedMB: {}, usedMB: {}, externalMB: 0 };
  for (const sample of parseExposition(exposition)) {
    const space = sample.labels.space;
    if (sample.name === 'nodejs_heap_space_size_total_bytes' && space) reading.committedMB[space] = sample.value / MB;
    else if (sample.name === 'nodejs_heap_space_size_used_bytes' && space) reading.usedMB[space] = sample.value / MB;
    else if (sample.name === 'nodejs_external_memory_bytes') reading.externalMB = sample.value / MB;
  }
  return reading;
}

/** "new 16.0/0.4, old 40.1/37.2…": committed/used MB of each space that holds at least 0.1 MB. */
export function describeHeap(reading: HeapReading): string {
  return Object.entries(reading.committedMB)
    .filter(([, mb]) => mb >= 0.1)
    .map(([space, mb]) => `${space} ${mb.toFixed(1)}/${(reading.usedMB[space] ?? 0).toFixed(1)}`)
    .join(', ');
}
