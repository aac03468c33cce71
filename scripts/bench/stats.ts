/** Small helpers shared by benchmarks: order statistics, bounded waits. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects if `work` has no result within `ms` (the work itself is left to its own cleanup). */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Values that were measured (a never-reached time is left out and counted in `missing`). */
  count: number;
  missing: number;
}

/**
 * The middle value, or the mean of the two middle ones (infinities sort as numbers do: a
 * never-reached time counted as +Infinity is the median when most runs never reached it).
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median, min and max of the finite values; NaN everywhere when there is none. */
export function spread(values: ReadonlyArray<number | null>): Spread {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  const missing = values.length - finite.length;
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, count: 0, missing };
  return { median: median(finite), min: finite[0]!, max: finite.at(-1)!, count: finite.length, missing };
}
