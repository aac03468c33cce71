/**
 * A Prometheus histogram read back from a server's exposition text (GET
 * /metrics), per value of one label, with quantiles estimated the way
 * Prometheus's histogram_quantile does: linearly within the bucket that holds
 * the rank (pure: unit-tested in promHistogram.test.ts).
 */

export interface HistogramSeries {
  count: number;
  sum: number;
  /** Cumulative counts by upper bound, ascending, +Inf last. */
  buckets: Array<{ le: number; count: number }>;
}

const SAMPLE = /^(\w+?)(_bucket|_sum|_count)\{([^}]*)\} (\S+)$/;

function labelsOf(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const match of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels.set(match[1]!, match[2]!);
  return labels;
}

/** The series of histogram `name`, keyed by the value of `label`. */
export function readHistogram(exposition: string, name: string, label: string): Map<string, HistogramSeries> {
  const series = new Map<string, HistogramSeries>();
  for (const line of exposition.split('\n')) {
    const match = SAMPLE.exec(line.trim());
    if (!match || match[1] !== name) continue;
    const labels = labelsOf(match[3]!);
    const key = labels.get(label);
    if (key === undefined) continue;
    const entry = series.get(key) ?? { count: 0, sum: 0, buckets: [] };
    series.set(key, entry);
    const value = Number(match[4]);
    if (match[2] === '_count') entry.count = value;
    else if (match[2] === '_sum') entry.sum = value;
    else entry.buckets.push({ le: labels.get('le') === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.get('le')), count: value });
  }
  for (const entry of series.values()) entry.buckets.sort((a, b) => a.le - b.le);
  return series;
}

/** The q-quantile (0..1) estimated from the buckets; NaN without observations; the last finite bound if it falls in +Inf. */
export function histogramQuantile(series: HistogramSeries, q: number): number {
  const total = series.buckets.at(-1)?.count ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const { le, count } of series.buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerBound;
      return count === lowerCount ? le : lowerBound + ((le - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}
