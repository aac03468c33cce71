/** What a benchmark module of scripts/bench/ is and gives back (run by scripts/bench.ts). */

export interface Table {
  title: string;
  columns: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<string | number>>;
  /** Printed again in the summary at the end of `npm run bench` (the comparisons worth quoting). */
  headline?: boolean;
}

export interface BenchResult {
  /** Printed in order: figures, then ratios. */
  tables: Table[];
  /** Conditions and caveats printed under the tables. */
  notes: string[];
  /** Everything measured, for the JSON file. */
  data: unknown;
}

export interface BenchModule {
  name: string;
  description: string;
  run(): Promise<BenchResult>;
}

export function isBenchModule(value: unknown): value is BenchModule {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.name === 'string' && typeof candidate.description === 'string' && typeof candidate.run === 'function';
}
