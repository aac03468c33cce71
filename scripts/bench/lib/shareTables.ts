/**
 * The screenshare bench's tables: a still plan and a scrolling one per
 * configuration, each configuration against the default, and the weak link's
 * runs. The figures come from shareFigures.ts and weakLinkShare.ts.
 */
import type { Table } from '../types.js';
import type { Run } from './shareFigures.js';
import { WEAK_LINK, type WeakLinkRun } from './weakLinkShare.js';

const seconds = (ms: number | null): number => (ms === null ? Number.NaN : ms / 1000);

export function stillFigures(title: string, runs: readonly Run[]): Table {
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

export function scrollFigures(title: string, runs: readonly Run[]): Table {
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
export function ratios(title: string, runs: readonly Run[], reference: Run): Table {
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

/** The viewer behind the net lab's weak link, run by run (lib/weakLinkShare.ts). */
export function weakLinkTable(weakRuns: readonly WeakLinkRun[]): Table {
  return {
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
}
