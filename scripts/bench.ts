/**
 * Runs the benchmarks of scripts/bench/, one after the other, printing each
 * one's tables, then a summary of the comparisons worth quoting (the tables
 * marked `headline`), and writing all results to bench-results/<timestamp>.json.
 *   npm run bench                   the default set: capacity and cost, Chantier
 *                                   against Janus, and the worker's SRTP before/after
 *                                   (under 10 minutes on 2 quiet cores)
 *   npm run bench -- screenshare    the ones named
 *   npm run bench -- all            every benchmark (the feature ones take longer)
 * A benchmark prints figures; it asserts nothing (see STYLE.md).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable } from './bench/format.js';
import { isBenchModule, type BenchModule, type BenchResult } from './bench/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = join(here, 'bench');
const resultsDir = join(here, '..', 'bench-results');
/** Files of scripts/bench/ that are helpers, not benchmarks. Shared helpers go to scripts/bench/lib/, never listed here. */
const HELPERS = new Set(['types', 'format', 'cpu', 'stats']);
/**
 * What `npm run bench` runs without names: issue 8's capacity figures and issue 9's SRTP
 * before/after, under 10 minutes together; the feature benchmarks run by name or with `all`.
 */
const DEFAULT_SET = ['join', 'forwarding', 'signaling', 'forwarding-srtp'];

function available(): string[] {
  return readdirSync(benchDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => entry.name.slice(0, -'.ts'.length))
    .filter((name) => !HELPERS.has(name))
    .sort();
}

async function load(name: string): Promise<BenchModule> {
  const module: unknown = await import(join(benchDir, `${name}.ts`));
  if (!isBenchModule(module)) throw new Error(`scripts/bench/${name}.ts does not export name, description and run()`);
  return module;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function main(): Promise<number> {
  const all = available();
  const args = process.argv.slice(2);
  const asked = args.includes('all') ? all : args.length > 0 ? args : DEFAULT_SET;
  const unknown = asked.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    print(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
    return 2;
  }
  const names = asked;
  const headlines: string[] = [];
  const startedAt = new Date();
  const results: Record<string, BenchResult | { error: string }> = {};
  let failed = 0;
  for (const name of names) {
    const module = await load(name);
    print(`\n=== ${module.name}: ${module.description}\n`);
    const began = Date.now();
    try {
      const result = await module.run();
      results[module.name] = result;
      for (const table of result.tables) print(`${formatTable(table)}\n`);
      for (const note of result.notes) print(`  · ${note}`);
      for (const table of result.tables) if (table.headline) headlines.push(formatTable(table));
      print(`  (${module.name}: ${Math.round((Date.now() - began) / 1000)} s)`);
    } catch (error) {
      failed++;
      results[module.name] = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      print(`${module.name} failed: ${String(error)}`);
    }
  }
  const seconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  if (headlines.length > 0) {
    print(`\n=== Summary (${names.join(', ')}; ${Math.floor(seconds / 60)} min ${seconds % 60} s)\n`);
    for (const text of headlines) print(`${text}\n`);
  }
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' };
  writeFileSync(file, `${JSON.stringify({ startedAt: startedAt.toISOString(), seconds, machine, results }, null, 2)}\n`);
  print(`\nresults: ${file}`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
