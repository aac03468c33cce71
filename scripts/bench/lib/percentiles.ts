/** Order statistics of many latencies (nearest rank on a sorted copy). */

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of the finite values of all `parts` together; NaN when there is none. */
export function percentiles(parts: ReadonlyArray<ArrayLike<number>>): Percentiles {
  const total = parts.reduce((n, part) => n + part.length, 0);
  const all = new Float64Array(total);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  const sorted = all.filter(Number.isFinite).sort();
  const rank = (p: number): number =>
    sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { count: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99), max: rank(100) };
}
