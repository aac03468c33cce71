/**
 * Screen sharing codecs, measured: the legibility test's set-up (real tab
 * capture of the 1920x1080 test plan, the real client and server, loopback;
 * the plan in a tab of its own beside the meeting's, as a person shares
 * their PDF viewer's tab; SCREENSHARE_TAB=meeting: the plan over the
 * meeting's own tab, as before 2026-12-07)
 * once per codec, forced with the client's local override, then the default
 * codec at other bitrate caps. Each run has two phases:
 *   still      the plan does not move: time to a legible and a sharp frame,
 *              and what a still screen costs once sharp;
 *   scrolling  the plan scrolls at 100 px/s (someone panning a drawing):
 *              frame rate, bitrate and legibility of moving text, where the
 *              cap and the codec matter.
 * For each phase, over a window after a warm-up: the codec negotiated, the
 * resolution received, frame rate, bitrate (inbound-rtp bytes), the luma
 * PSNR of captured frames (once a second), and the CPU used by the sharer's
 * and the viewer's browsers.
 *
 * Each configuration runs REPEATS times (fresh browsers, a fresh room) and
 * the tables show medians. Every wait is bounded; a run that hangs is
 * abandoned after RUN_TIMEOUT_MS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BITRATE_OVERRIDE_KEY, CODEC_OVERRIDE_KEY } from '../../client/src/room/screenTuning.js';
import { SCREEN_CODECS, SCREEN_MAX_BITRATE } from '../../client/src/room/producerOptions.js';
import { silentLogger } from '../../sfu/src/logger.js';
import { startEmbeddedRedis } from '../../signaling/src/redis/embedded.js';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import {
  framePsnr,
  joinAsSharer,
  joinMeeting,
  launchSharerBrowser,
  openPlanTab,
  screenStats,
  sendStats,
  showNextSheet,
  showPlan,
  startScrolling,
  startSharing,
  waitForFullResolution,
  type MeetingPage,
} from '../../test/screenShare.js';
import { machineBusySeconds, treeCpuSeconds } from './cpu.js';
import { LEGIBLE_DB, TARGETS, targetsTable, timeToLegible } from './lib/legibility.js';
import { measureWeakLinkShare, WEAK_LINK, type WeakLinkRun } from './lib/weakLinkShare.js';
import type { BenchResult, Table } from './types.js';
import { sleep, withTimeout } from './stats.js';

export const name = 'screenshare';
export const description = 'screen share of a 1920x1080 plan: VP9, VP8, H264, and bitrate caps (real tab capture, loopback)';

const CODECS = ['video/VP9', 'video/VP8', 'video/H264'] as const;
/** Other caps tried with the default codec (the default cap is run with every codec). */
const OTHER_BITRATES = [1_000_000, 1_500_000] as const;
const WARM_UP_MS = 5_000;
const WINDOW_MS = 10_000;
const SCROLL_WARM_UP_MS = 2_000;
const SCROLL_PX_PER_S = 100;
const FIRST_FRAME_TIMEOUT_MS = 15_000;
/** Bound of each wait for a legible picture (after the first frame, after a page change). */
const LEGIBLE_TIMEOUT_MS = 15_000;
const RUN_TIMEOUT_MS = 120_000;
/** Runs per configuration; the tables show the median of each figure (two cores make single runs noisy). */
const REPEATS = 3;
/** A run starts once the rest of the machine uses less than this (another test run, a build)... */
const QUIET_CPU = 0.25;
/** ...or after this long (SCREENSHARE_QUIET_WAIT_S), flagged in its 'other CPU' column. */
const QUIET_WAIT_MS = Number(process.env.SCREENSHARE_QUIET_WAIT_S ?? 180) * 1000;
/** SCREENSHARE_CASES=legibility: only the default codec and cap, and the weak link (issue 21's figures). */
const LEGIBILITY_ONLY = process.env.SCREENSHARE_CASES === 'legibility';
/** SCREENSHARE_TAB=meeting: share the meeting's own tab with the plan over it, not a tab of its own. */
const PLAN_TAB = process.env.SCREENSHARE_TAB !== 'meeting';
/** SCREENSHARE_WEAK=0: leave out the weak-link runs (a quick before/after of the loopback figures). */
const WEAK_LINK_RUNS = process.env.SCREENSHARE_WEAK === '0' ? 0 : null;
/** A run that fails (a page that did not load in time on a busy machine) is tried once more. */
const ATTEMPTS = 2;
const SHARP_DB = 40;

type Timeline = Array<{ atMs: number; psnr: number }>;

/** One phase's window. */
interface Phase {
  fps: number;
  kbps: number;
  /** Luma PSNR of the frames sampled in the window: the last one, and the worst. */
  psnr: number;
  worstPsnr: number;
  /** Share of one core over the window. */
  sharerCpu: number;
  viewerCpu: number;
  /** The server: this process (the app and the benchmark itself), its mediasoup worker and Redis. */
  serverCpu: number;
  /** Everything else on the machine: a run with much here was disturbed. */
  otherCpu: number;
  /** The sender's qualityLimitationReason and encoder target (kb/s) at the end of the window. */
  limitation: string;
  targetKbps: number;
}

interface Run {
  codecAsked: string;
  maxBitrate: number;
  /** As the viewer's inbound-rtp reports it. */
  codec: string;
  width: number;
  height: number;
  /** From the click on the share button to the first 1920x1080 frame decoded. */
  firstFrameMs: number;
  /** From the first frame to the first sample at or above 30 dB (back to back) / 40 dB (once a second); null if never. */
  legibleMs: number | null;
  sharpMs: number | null;
  /** From the sharer's page change (the next sheet) to the first sample at or above 30 dB. */
  pageChangeMs: number | null;
  still: Phase;
  scrolling: Phase;
  /** PSNR once a second from the first frame (still phase), then while scrolling. */
  stillTimeline: Timeline;
  scrollTimeline: Timeline;
}

function pidOf(browser: TestBrowser): number {
  const pid = browser.browser.process()?.pid;
  if (pid === undefined) throw new Error('browser without a process');
  return pid;
}

/** Waits, bounded, until the machine outside this process is nearly idle; returns how busy it was (cores). */
async function waitForQuiet(): Promise<number> {
  const deadline = Date.now() + QUIET_WAIT_MS;
  for (;;) {
    const machine = machineBusySeconds();
    const self = treeCpuSeconds(process.pid);
    await sleep(3_000);
    const other = (machineBusySeconds() - machine - (treeCpuSeconds(process.pid) - self)) / 3;
    if (other < QUIET_CPU || Date.now() > deadline) return other;
    process.stderr.write(`[bench] the machine is busy (${Math.round(other * 100)} % of a core outside the benchmark), waiting\n`);
  }
}

const plus = (ms: number | null, offset: number): number | null => (ms === null ? null : ms + offset);

function firstAt(timeline: Timeline, threshold: number): number | null {
  return timeline.find((sample) => sample.psnr >= threshold)?.atMs ?? null;
}

interface Snapshot {
  at: number;
  framesDecoded: number;
  bytesReceived: number;
  sharerCpu: number;
  viewerCpu: number;
  /** This process and all it started: the server, its worker, Redis, and both browsers. */
  selfCpu: number;
  machineCpu: number;
}

interface Parties {
  sharer: MeetingPage;
  viewer: MeetingPage;
  sharerBrowser: TestBrowser;
  viewerBrowser: TestBrowser;
}

async function snapshot(p: Parties): Promise<Snapshot> {
  const stats = await screenStats(p.viewer.page, p.sharer.peerId);
  if (!stats) throw new Error('the share vanished');
  return {
    at: Date.now(),
    framesDecoded: stats.framesDecoded,
    bytesReceived: stats.bytesReceived,
    sharerCpu: treeCpuSeconds(pidOf(p.sharerBrowser)),
    viewerCpu: treeCpuSeconds(pidOf(p.viewerBrowser)),
    selfCpu: treeCpuSeconds(process.pid),
    machineCpu: machineBusySeconds(),
  };
}

/**
 * Samples PSNR once a second for `warmUpMs + WINDOW_MS`, and the counters
 * at the start and end of the window (after the warm-up).
 */
async function observe(p: Parties, warmUpMs: number, scrolled: boolean): Promise<{ phase: Phase; timeline: Timeline }> {
  const t0 = Date.now();
  const timeline: Timeline = [];
  let start: Snapshot | null = null;
  while (Date.now() - t0 < warmUpMs + WINDOW_MS) {
    const tick = Date.now();
    if (!start && tick - t0 >= warmUpMs) start = await snapshot(p);
    timeline.push({ atMs: tick - t0, psnr: await framePsnr(p.viewer.page, scrolled ? 'scrolled' : 'plan') });
    await sleep(Math.max(0, 1000 - (Date.now() - tick)));
  }
  const end = await snapshot(p);
  if (!start) throw new Error('window never started');
  const sent = (await sendStats(p.sharer.page)).find((s) => s.source === 'screen');
  const seconds = (end.at - start.at) / 1000;
  const inWindow = timeline.filter((sample) => sample.atMs >= warmUpMs).map((sample) => sample.psnr);
  return {
    timeline,
    phase: {
      fps: (end.framesDecoded - start.framesDecoded) / seconds,
      kbps: ((end.bytesReceived - start.bytesReceived) * 8) / seconds / 1000,
      psnr: inWindow.at(-1) ?? 0,
      worstPsnr: Math.min(...inWindow),
      sharerCpu: (end.sharerCpu - start.sharerCpu) / seconds,
      viewerCpu: (end.viewerCpu - start.viewerCpu) / seconds,
      // The browsers are children of this process: take them out of its tree.
      serverCpu: (end.selfCpu - start.selfCpu - (end.sharerCpu - start.sharerCpu) - (end.viewerCpu - start.viewerCpu)) / seconds,
      otherCpu: (end.machineCpu - start.machineCpu - (end.selfCpu - start.selfCpu)) / seconds,
      limitation: sent?.qualityLimitationReason ?? '?',
      targetKbps: (sent?.targetBitrate ?? 0) / 1000,
    },
  };
}

async function measure(app: TestApp, codecAsked: string, maxBitrate: number): Promise<Run> {
  const [sharerBrowser, viewerBrowser] = await Promise.all([launchSharerBrowser({ planTab: PLAN_TAB }), launchBrowser()]);
  try {
    const place = { app, projectId: 'bench', roomId: `share-${codecAsked.slice(6).toLowerCase()}-${maxBitrate}` };
    const sharer = await joinAsSharer(sharerBrowser, place, 'Sharer', {
      localStorage: { [CODEC_OVERRIDE_KEY]: codecAsked, [BITRATE_OVERRIDE_KEY]: String(maxBitrate) },
      planTab: PLAN_TAB,
    });
    const viewer = await joinMeeting(viewerBrowser, place, 'Viewer');
    await viewer.page.waitForSelector(`[data-testid="tile"][data-peer-id="${sharer.peerId}"]`, { timeout: 15_000 });
    // Where the plan is: the shared tab.
    const plan = PLAN_TAB ? await openPlanTab(sharer) : sharer.page;
    if (!PLAN_TAB) await showPlan(plan);
    const parties: Parties = { sharer, viewer, sharerBrowser, viewerBrowser };

    const clicked = Date.now();
    await startSharing(sharer);
    const first = await waitForFullResolution(viewer.page, sharer.peerId, clicked, FIRST_FRAME_TIMEOUT_MS);
    const firstFrameAt = clicked + first.elapsedMs;
    const legible = await timeToLegible(viewer.page, 'plan', firstFrameAt, LEGIBLE_TIMEOUT_MS);
    const stillFrom = Date.now() - firstFrameAt;
    const still = await observe(parties, WARM_UP_MS, false);
    // The next sheet of the set, once the first is sharp; then back, still, before scrolling.
    await showNextSheet(plan);
    const pageChange = await timeToLegible(viewer.page, 'next-sheet', Date.now(), LEGIBLE_TIMEOUT_MS);
    await showNextSheet(plan);
    await startScrolling(plan, SCROLL_PX_PER_S);
    const scrolling = await observe(parties, SCROLL_WARM_UP_MS, true);
    const last = await screenStats(viewer.page, sharer.peerId);
    return {
      codecAsked,
      maxBitrate,
      codec: last?.codec ?? '?',
      width: last?.frameWidth ?? 0,
      height: last?.frameHeight ?? 0,
      firstFrameMs: first.elapsedMs,
      legibleMs: legible.ms,
      sharpMs: legible.samples.find((sample) => sample.psnr >= SHARP_DB)?.atMs ?? plus(firstAt(still.timeline, SHARP_DB), stillFrom),
      pageChangeMs: pageChange.ms,
      still: still.phase,
      scrolling: scrolling.phase,
      stillTimeline: still.timeline,
      scrollTimeline: scrolling.timeline,
    };
  } finally {
    await Promise.all([sharerBrowser.close(), viewerBrowser.close()]);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** null (never reached) sorts above every time, and stays null when it is the median. */
function medianTime(values: ReadonlyArray<number | null>): number | null {
  const m = median(values.map((v) => v ?? Number.POSITIVE_INFINITY));
  return Number.isFinite(m) ? m : null;
}

function medianPhase(phases: readonly Phase[]): Phase {
  const of = (pick: (phase: Phase) => number): number => median(phases.map(pick));
  const limitations = [...new Set(phases.map((p) => p.limitation))];
  return {
    fps: of((p) => p.fps),
    kbps: of((p) => p.kbps),
    psnr: of((p) => p.psnr),
    worstPsnr: of((p) => p.worstPsnr),
    sharerCpu: of((p) => p.sharerCpu),
    viewerCpu: of((p) => p.viewerCpu),
    serverCpu: of((p) => p.serverCpu),
    otherCpu: of((p) => p.otherCpu),
    limitation: limitations.join('/'),
    targetKbps: of((p) => p.targetKbps),
  };
}

/** Figure by figure, the median of the runs of one configuration. */
function medianRun(runs: readonly Run[]): Run {
  const first = runs[0]!;
  const codecs = [...new Set(runs.map((r) => r.codec))];
  return {
    ...first,
    codec: codecs.join('/'),
    firstFrameMs: median(runs.map((r) => r.firstFrameMs)),
    legibleMs: medianTime(runs.map((r) => r.legibleMs)),
    sharpMs: medianTime(runs.map((r) => r.sharpMs)),
    pageChangeMs: medianTime(runs.map((r) => r.pageChangeMs)),
    still: medianPhase(runs.map((r) => r.still)),
    scrolling: medianPhase(runs.map((r) => r.scrolling)),
  };
}

const seconds = (ms: number | null): number => (ms === null ? Number.NaN : ms / 1000);

function stillFigures(title: string, runs: readonly Run[]): Table {
  return {
    title,
    columns: ['codec', 'cap kb/s', 'received', 'first frame s', '≥30 dB s', '≥40 dB s', 'page change ≥30 dB s', 'PSNR dB', 'fps', 'kb/s', 'sharer CPU %', 'viewer CPU %', 'server CPU %', 'other CPU %'],
    rows: runs.map((r) => [
      r.codec,
      r.maxBitrate / 1000,
      `${r.width}x${r.height}`,
      r.firstFrameMs / 1000,
      seconds(r.legibleMs),
      seconds(r.sharpMs),
      seconds(r.pageChangeMs),
      r.still.psnr,
      r.still.fps,
      r.still.kbps,
      r.still.sharerCpu * 100,
      r.still.viewerCpu * 100,
      r.still.serverCpu * 100,
      r.still.otherCpu * 100,
    ]),
  };
}

function scrollFigures(title: string, runs: readonly Run[]): Table {
  return {
    title,
    columns: ['codec', 'cap kb/s', 'fps', 'kb/s', 'target kb/s', 'PSNR dB', 'worst dB', 'sharer CPU %', 'viewer CPU %', 'server CPU %', 'other CPU %', 'limited by'],
    rows: runs.map((r) => [
      r.codec,
      r.maxBitrate / 1000,
      r.scrolling.fps,
      r.scrolling.kbps,
      r.scrolling.targetKbps,
      r.scrolling.psnr,
      r.scrolling.worstPsnr,
      r.scrolling.sharerCpu * 100,
      r.scrolling.viewerCpu * 100,
      r.scrolling.serverCpu * 100,
      r.scrolling.otherCpu * 100,
      r.scrolling.limitation,
    ]),
  };
}

/** Each run against the reference; PSNR as a difference, since decibels are already a ratio. */
function ratios(title: string, runs: readonly Run[], reference: Run): Table {
  const ratio = (a: number, b: number): number => (b > 0 ? a / b : Number.NaN);
  return {
    title,
    columns: ['codec', 'cap kb/s', 'first frame ×', '≥40 dB time ×', 'still kb/s ×', 'scroll fps ×', 'scroll kb/s ×', 'scroll PSNR Δ dB', 'scroll sharer CPU ×'],
    rows: runs.map((r) => [
      r.codec,
      r.maxBitrate / 1000,
      ratio(r.firstFrameMs, reference.firstFrameMs),
      ratio(seconds(r.sharpMs), seconds(reference.sharpMs)),
      ratio(r.still.kbps, reference.still.kbps),
      ratio(r.scrolling.fps, reference.scrolling.fps),
      ratio(r.scrolling.kbps, reference.scrolling.kbps),
      r.scrolling.psnr - reference.scrolling.psnr,
      ratio(r.scrolling.sharerCpu, reference.scrolling.sharerCpu),
    ]),
  };
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-bench-redis-'));
  const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
  let app: TestApp | null = null;
  try {
    app = await startTestApp({ MEDIASOUP_WORKERS: '1' }, `unix://${redis.socketPath}`);
    const started = app;
    const allRuns: Run[] = [];
    const runsOf = new Map<string, Run[]>();
    const configuration = async (codec: string, bitrate: number): Promise<Run> => {
      const runs: Run[] = [];
      runsOf.set(`${codec} ${bitrate}`, runs);
      for (let i = 0; i < REPEATS; i++) {
        for (let attempt = 1; ; attempt++) {
          await waitForQuiet();
          try {
            runs.push(await withTimeout(measure(started, codec, bitrate), RUN_TIMEOUT_MS, `${codec} at ${bitrate} b/s`));
            break;
          } catch (error) {
            if (attempt >= ATTEMPTS) throw error;
            process.stderr.write(`[bench] ${codec} ${bitrate / 1000} kb/s run ${i + 1} failed, once more: ${String(error)}\n`);
          }
        }
        process.stderr.write(`[bench] ${codec} ${bitrate / 1000} kb/s run ${i + 1}/${REPEATS} done\n`);
      }
      allRuns.push(...runs);
      return medianRun(runs);
    };

    const defaultCodec = SCREEN_CODECS[0] ?? 'video/VP9';
    const byCodec: Run[] = [];
    for (const codec of LEGIBILITY_ONLY ? [defaultCodec] : CODECS) byCodec.push(await configuration(codec, SCREEN_MAX_BITRATE));
    const reference = byCodec.find((r) => r.codecAsked === defaultCodec) ?? byCodec[0]!;
    const byBitrate: Run[] = [reference];
    for (const bitrate of LEGIBILITY_ONLY ? [] : OTHER_BITRATES) byBitrate.push(await configuration(defaultCodec, bitrate));
    byBitrate.sort((a, b) => a.maxBitrate - b.maxBitrate);

    const weakRuns: WeakLinkRun[] = [];
    for (let i = 0; i < (WEAK_LINK_RUNS ?? REPEATS); i++) {
      await waitForQuiet();
      weakRuns.push(await withTimeout(measureWeakLinkShare(`unix://${redis.socketPath}`, i), RUN_TIMEOUT_MS, 'weak link share'));
      process.stderr.write(`[bench] weak link run ${i + 1}/${REPEATS} done\n`);
    }

    const defaults = runsOf.get(`${defaultCodec} ${SCREEN_MAX_BITRATE}`) ?? [];
    const s = (ms: number | null): number | null => (ms === null ? null : ms / 1000);
    const targets = targetsTable(`Issue 21 targets: a still plan shared (${reference.codec}, ${SCREEN_MAX_BITRATE / 1000} kb/s cap)`, [
      { what: `≥${LEGIBLE_DB} dB after the first frame`, runs: defaults.map((r) => s(r.legibleMs)), target: TARGETS.firstLegibleS, unit: 's' },
      { what: `≥${LEGIBLE_DB} dB after a page change`, runs: defaults.map((r) => s(r.pageChangeMs)), target: TARGETS.pageChangeS, unit: 's' },
      { what: 'still plan once sharp', runs: defaults.map((r) => r.still.kbps), target: TARGETS.stillKbps, unit: 'kb/s' },
      ...(weakRuns.length > 0
        ? [{ what: `weak link: ≥${LEGIBLE_DB} dB after the click`, runs: weakRuns.map((r) => s(r.legibleMs)), target: TARGETS.weakLinkS, unit: 's' }]
        : []),
    ]);

    const weakTable: Table = {
      title: `Weak link (${WEAK_LINK.rateKbit} kbit/s, ${WEAK_LINK.delayMs * 2} ms RTT, ${WEAK_LINK.lossPct} % loss): the viewer behind it`,
      columns: ['run', 'first picture s', '≥30 dB s', 'stage shows', 'stills KB', 'last PSNR dB', 'down kb/s', 'lost (emulated)', 'queue drops', 'PLI', 'NACK', 'key frames', 'frames decoded'],
      rows: weakRuns.map((r, i) => [
        i + 1,
        seconds(r.firstFrameMs),
        seconds(r.legibleMs),
        r.shown ?? '—',
        r.stillBytes.map((b) => Math.round(b / 1024)).join(' ') || '—',
        r.samples.at(-1)?.psnr ?? Number.NaN,
        r.downKbps,
        r.downLossDropped,
        r.downQueueDropped,
        r.viewer?.pliCount ?? Number.NaN,
        r.viewer?.nackCount ?? Number.NaN,
        r.viewer?.keyFramesDecoded ?? Number.NaN,
        r.viewer?.framesDecoded ?? Number.NaN,
      ]),
    };

    return {
      tables: [
        targets,
        ...(weakRuns.length > 0 ? [weakTable] : []),
        stillFigures(`Still plan, codecs at the default cap (${SCREEN_MAX_BITRATE / 1000} kb/s)`, byCodec),
        scrollFigures(`Scrolling plan (${SCROLL_PX_PER_S} px/s), codecs at the default cap`, byCodec),
        ratios(`Codecs against the default (${reference.codec})`, byCodec, reference),
        stillFigures(`Still plan, ${reference.codec} at other caps`, byBitrate),
        scrollFigures(`Scrolling plan, ${reference.codec} at other caps`, byBitrate),
        ratios(`${reference.codec} caps against the default cap`, byBitrate, reference),
      ],
      notes: [
        PLAN_TAB
          ? 'the sharer shares a tab of its own showing the plan (still unless the bench changes it), the meeting in another tab'
          : "the sharer shares the meeting's own tab, the plan drawn over it (SCREENSHARE_TAB=meeting): the meeting under it keeps the capture busy",
        `each row: the median of ${REPEATS} runs, figure by figure (fresh browsers and room each run, ` +
          `each started once the rest of the machine used < ${QUIET_CPU * 100} % of a core, or after ${QUIET_WAIT_MS / 1000} s)`,
        `still: a ${WARM_UP_MS / 1000} s warm-up from the first full-resolution frame, then a ${WINDOW_MS / 1000} s window; ` +
          `scrolling: ${SCROLL_WARM_UP_MS / 1000} s, then ${WINDOW_MS / 1000} s`,
        'PSNR: luma (BT.601), whole 1920x1080 frame, the stage video against the plan drawn by the viewer (scrolling: at the offset the frame carries)',
        `≥30 dB s: from the first frame to the first sample at 30 dB, sampled back to back (~0.1-0.3 s each, counted when the sample ends), bounded at ${LEGIBLE_TIMEOUT_MS / 1000} s; ` +
          '≥40 dB s: the same, or the first once-a-second sample of the still phase (— never)',
        'page change: once the still window is over, the sharer shows the next sheet (the plan mirrored: the same detail, other pixels); ' +
          'from that change to the first sample at 30 dB against the mirrored plan',
        'still kb/s: the still window starts once the plan is legible, after the warm-up; its kb/s is what a still plan costs once sharp',
        'weak link: the viewer in the net lab behind 300 kbit/s, 75 ms each way (150 ms RTT), 5 % loss each way; the sharer on loopback; ' +
          'from the click to the first sample at 30 dB',
        "CPU: each browser's whole process tree, % of one core; the two browsers and the server share the machine's cores; " +
          '"other" is what the rest of the machine used meanwhile (high: a disturbed run)',
        'once a still plan is sharp encoders send little: still kb/s is mostly the refinement in the window',
        "target kb/s: the sender's encoder target at the end of the scrolling window (what congestion control grants it)",
      ],
      data: { repeats: REPEATS, byCodec, byBitrate, allRuns, weakRuns },
    };
  } finally {
    await app?.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
