/** Order statistics of a benchmark's samples (pure: unit-tested in quantiles.test.ts). */

/**
 * The p-quantile (0 ≤ p ≤ 1) of the finite values, interpolated linearly
 * between the two nearest ranks (R's type 7, numpy's default): p50 of
 * [1, 2, 3, 4] is 2.5, p95 of 20 values lies between the 19th and the 20th.
 * NaN when there is no finite value.
 */
export function quantile(values: ReadonlyArray<number | null>, p: number): number {
  return quantileOfSorted(values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b), p);
}

/** quantile() of values already sorted ascending and finite. */
function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be within [0, 1], got ${p}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

export function summarize(values: ReadonlyArray<number | null>): Summary {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return {
    count: finite.length,
    p50: quantile(finite, 0.5),
    p95: quantile(finite, 0.95),
    min: finite.length > 0 ? Math.min(...finite) : Number.NaN,
    max: finite.length > 0 ? Math.max(...finite) : Number.NaN,
  };
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * The same quantiles over very many samples kept in typed arrays (one per
 * load generator; hundreds of thousands of latencies): merged and sorted in a
 * Float64Array instead of an array of numbers. NaN when there is no finite value.
 */
export function percentiles(parts: ReadonlyArray<ArrayLike<number>>): Percentiles {
  const all = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  const sorted = all.filter(Number.isFinite).sort();
  const at = (p: number) => quantileOfSorted(sorted, p);
  return { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
}
