/**
 * What one share of the screenshare bench measured (a Run, its two Phases,
 * the PSNR timelines) and the median of a configuration's runs, figure by
 * figure (pure). The bench (../screenshare.ts) measures; shareTables.ts prints.
 */
import { median } from '../stats.js';

export type Timeline = Array<{ atMs: number; psnr: number }>;

/** One phase's window. */
export interface Phase {
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

export interface Run {
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
export function medianRun(runs: readonly Run[]): Run {
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
