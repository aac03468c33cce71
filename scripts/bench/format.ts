/** Plain-text tables for the terminal: right-aligned numbers, left-aligned words. */
import type { Table } from './types.js';

function cell(value: string | number): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function formatTable(table: Table): string {
  const header = table.columns.map(String);
  const body = table.rows.map((row) => row.map(cell));
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((row) => row[i]?.length ?? 0)));
  const numeric = header.map((_, i) => table.rows.every((row) => typeof row[i] === 'number'));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [table.title, line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
