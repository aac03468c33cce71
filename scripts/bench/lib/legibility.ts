/**
 * Time to legibility of a shared plan (issue 21): how long after the share's
 * first frame, or after the sharer's page changes, the viewer's picture
 * reaches 30 dB luma PSNR against the plan, sampled back to back (each
 * sample ~0.1-0.3 s: a 1920x1080 frame drawn, read and compared in the
 * viewer's page), and the targets printed beside the figures.
 */
import type { Page } from 'puppeteer-core';
import { framePsnrSample, type PlanView } from '../../../test/screenShare.js';
import { median } from '../stats.js';
import type { Table } from '../types.js';

export const LEGIBLE_DB = 30;

/** Issue 21's targets; the still bitrate is this branch's own bound (the issue says "low"). */
export const TARGETS = {
  /** s from the first full-size frame on the viewer. */
  firstLegibleS: 1.5,
  /** s from the sharer's page change. */
  pageChangeS: 1.5,
  /** s from the click, the viewer behind the net lab's weak link. */
  weakLinkS: 3,
  /** kb/s of a still plan once sharp. */
  stillKbps: 100,
} as const;

export interface Legibility {
  /** ms from `since` to the end of the first sample at or above LEGIBLE_DB; null if not within the bound. */
  ms: number | null;
  samples: Array<{ atMs: number; psnr: number }>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Samples the viewer's picture until it is legible or `timeoutMs` after
 * `since`. A sample counts at the time its picture was read from the stage
 * (framePsnrSample): the PSNR's computation after it (0.1-0.5 s on a loaded
 * host) no longer counts, as it did until 2026-12-07.
 * Before the stage shows a full-size picture, samples are skipped.
 */
export async function timeToLegible(viewer: Page, view: PlanView, since: number, timeoutMs: number): Promise<Legibility> {
  const samples: Legibility['samples'] = [];
  while (Date.now() - since < timeoutMs) {
    let psnr: number;
    let at: number;
    try {
      ({ psnr, at } = await framePsnrSample(viewer, view));
    } catch {
      await sleep(100); // no stage video yet, or not at full size
      continue;
    }
    // When the picture was read from the stage, not when its PSNR was done (0.1-0.5 s later).
    const atMs = at - since;
    samples.push({ atMs, psnr });
    if (psnr >= LEGIBLE_DB) return { ms: atMs, samples };
  }
  return { ms: null, samples };
}

export const verdict = (value: number | null, target: number): string =>
  value === null || !Number.isFinite(value) ? 'MISSED (never)' : value <= target ? 'met' : 'MISSED';

export interface TargetRow {
  what: string;
  /** One figure per run (null: never within the bound). */
  runs: ReadonlyArray<number | null>;
  target: number;
  unit: string;
}

/** Every run's figure, the median (never counts as infinite) and met / MISSED against the target. */
export function targetsTable(title: string, rows: readonly TargetRow[]): Table {
  const runs = Math.max(0, ...rows.map((r) => r.runs.length));
  return {
    title,
    headline: true,
    columns: ['figure', ...Array.from({ length: runs }, (_, i) => `run ${i + 1}`), 'median', 'target', 'verdict'],
    rows: rows.map((row) => {
      const m = row.runs.length > 0 ? median(row.runs.map((v) => v ?? Number.POSITIVE_INFINITY)) : Number.NaN;
      const shown = Number.isFinite(m) ? m : null;
      return [
        row.what,
        ...Array.from({ length: runs }, (_, i) => row.runs[i] ?? '—'),
        shown ?? '—',
        `≤ ${row.target} ${row.unit}`,
        verdict(shown, row.target),
      ];
    }),
  };
}
