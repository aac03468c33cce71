/**
 * Where a page's main thread spends a window of time: a Chromium trace
 * (puppeteer's page.tracing) read back as the renderer main thread's tasks,
 * longest first, each with the script functions that ran longest inside it.
 * For diagnosis in benches (JOIN_TRACE=1), never for a pass/fail.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'puppeteer-core';

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
  'blink.user_timing',
  'toplevel',
];

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { functionName?: string; url?: string; lineNumber?: number; frame?: string } };
}

export interface TracedTask {
  /** ms from the window's start. */
  at: number;
  ms: number;
  /** The longest pieces of work inside it (function calls, layout, style, parse...). */
  inside: string[];
}

export async function startPageTrace(page: Page, path: string): Promise<void> {
  await page.tracing.start({ path, categories: CATEGORIES });
}

/** Stops the trace and reads the main thread's tasks between two user-timing marks' times. */
export async function stopPageTrace(page: Page, path: string, fromMark: string, toMark: string): Promise<TracedTask[]> {
  await page.tracing.stop();
  const { traceEvents } = JSON.parse(await readFile(path, 'utf8')) as { traceEvents: TraceEvent[] };
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain' && traceEvents.some((m) => m.pid === e.pid && m.name === fromMark));
  if (!main) return [];
  const onMain = traceEvents.filter((e) => e.pid === main.pid && e.tid === main.tid);
  const markTs = (name: string) => onMain.find((e) => e.name === name && e.cat.includes('blink.user_timing'))?.ts;
  const from = markTs(fromMark);
  const to = markTs(toMark) ?? Math.max(...onMain.map((e) => e.ts));
  if (from === undefined) return [];
  const complete = onMain.filter((e) => e.ph === 'X' && e.dur !== undefined && e.ts + e.dur! >= from && e.ts <= to);
  const tasks = complete.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  return tasks
    .filter((t) => t.dur! >= 4_000)
    .map((t) => {
      const end = t.ts + t.dur!;
      const inside = complete
        .filter((e) => e !== t && e.ts >= t.ts && e.ts + e.dur! <= end && !e.name.includes('RunTask') && e.dur! >= 2_000)
        .sort((a, b) => b.dur! - a.dur!)
        .slice(0, 4)
        .map((e) => {
          const d = e.args?.data;
          const what = d?.functionName || d?.url ? `${d.functionName || '(anonymous)'} ${(d.url ?? '').split('/').pop()}:${d.lineNumber ?? ''}` : '';
          return `${e.name}${what ? ` ${what}` : ''} ${(e.dur! / 1000).toFixed(1)}`;
        });
      return { at: (t.ts - from) / 1000, ms: t.dur! / 1000, inside };
    })
    .sort((a, b) => a.at - b.at);
}
