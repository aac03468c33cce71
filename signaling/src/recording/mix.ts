/**
 * The one result of a recording, made at its stop from the per-track files:
 * every voice mixed into one track, each placed at its start offset; the
 * video shows a screen share when there is one (the latest started), else
 * the active speaker's camera (else the first camera on), at the result's
 * size; WebM (VP8 + Opus). A recording without video gives Ogg Opus.
 *
 * mixArgs() is pure (unit-tested); runMix() runs FFmpeg under `nice` as a
 * child process, off the signaling path.
 */
import { spawn } from 'node:child_process';
import type { SegmentInfo } from './TrackRecorder.js';

export interface SpeakerChange {
  atMs: number;
  peerId: string | null;
}

export interface MixInput {
  /** Recorded segments whose file exists and holds something. */
  segments: readonly SegmentInfo[];
  speakers: readonly SpeakerChange[];
  durationMs: number;
  width: number;
  height: number;
}

/** Which video segment is shown over [fromMs, toMs). */
export interface ShownSpan {
  segment: number;
  fromMs: number;
  toMs: number;
}

const FPS = 15;

/** The layout over time: share first (the latest started), else the speaker's camera, else the first camera on. */
export function videoSchedule(input: MixInput): ShownSpan[] {
  const videos = input.segments
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.kind === 'video' && s.startMs !== null);
  const end = (s: SegmentInfo): number => Math.min(s.endMs ?? input.durationMs, input.durationMs);
  const cuts = new Set<number>([0, input.durationMs]);
  for (const { s } of videos) {
    cuts.add(s.startMs!);
    cuts.add(end(s));
  }
  for (const c of input.speakers) if (c.atMs > 0 && c.atMs < input.durationMs) cuts.add(c.atMs);
  const times = [...cuts].filter((t) => t >= 0 && t <= input.durationMs).sort((a, b) => a - b);
  const speakerAt = (t: number): string | null => {
    let peer: string | null = null;
    for (const c of input.speakers) if (c.atMs <= t) peer = c.peerId;
    return peer;
  };
  const spans: ShownSpan[] = [];
  for (let k = 0; k + 1 < times.length; k++) {
    const from = times[k]!;
    const to = times[k + 1]!;
    const live = videos.filter(({ s }) => s.startMs! <= from && end(s) >= to);
    if (live.length === 0) continue;
    const shares = live.filter(({ s }) => s.source === 'screen').sort((a, b) => b.s.startMs! - a.s.startMs!);
    const speaker = speakerAt(from);
    const pick = shares[0] ?? live.find(({ s }) => s.peerId === speaker) ?? live[0]!;
    const last = spans[spans.length - 1];
    if (last && last.segment === pick.i && last.toMs === from) last.toMs = to;
    else spans.push({ segment: pick.i, fromMs: from, toMs: to });
  }
  return spans;
}

const sec = (ms: number): string => (ms / 1000).toFixed(3);

/** FFmpeg's arguments for the result (inputs are file paths, in the order of `input.segments`). */
export function mixArgs(input: MixInput, paths: readonly string[], outPath: string): { args: string[]; video: boolean } {
  const { width: W, height: H } = input;
  const D = sec(input.durationMs);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  for (const path of paths) args.push('-i', path);
  const filters: string[] = [];
  const audio = input.segments.map((s, i) => ({ s, i })).filter(({ s }) => s.kind === 'audio' && s.startMs !== null);
  audio.forEach(({ s, i }, k) => {
    // Placed at its offset; gaps (a muted microphone) kept by their timestamps, filled with silence.
    filters.push(`[${i}:a]asetpts=PTS-STARTPTS+${sec(s.startMs!)}/TB,aresample=48000:async=1:first_pts=0[a${k}]`);
  });
  if (audio.length > 0) {
    filters.push(`${audio.map((_, k) => `[a${k}]`).join('')}amix=inputs=${audio.length}:duration=longest:normalize=0,apad,atrim=0:${D}[aout]`);
  } else {
    filters.push(`anullsrc=r=48000:cl=stereo,atrim=0:${D}[aout]`);
  }
  const spans = videoSchedule(input);
  const video = spans.length > 0;
  if (video) {
    filters.push(`color=c=black:s=${W}x${H}:r=${FPS}:d=${D}[base0]`);
    const shown = [...new Set(spans.map((s) => s.segment))];
    shown.forEach((i, k) => {
      const s = input.segments[i]!;
      const enable = spans
        .filter((span) => span.segment === i)
        .map((span) => `between(t,${sec(span.fromMs)},${sec(span.toMs)})`)
        .join('+');
      filters.push(
        `[${i}:v]scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${FPS},setpts=PTS-STARTPTS+${sec(s.startMs!)}/TB[v${k}]`,
        `[base${k}][v${k}]overlay=eof_action=pass:enable='${enable}'[base${k + 1}]`,
      );
    });
    filters.push(`[base${shown.length}]format=yuv420p,trim=0:${D}[vout]`);
  }
  args.push('-filter_complex', filters.join(';'));
  if (video) {
    args.push('-map', '[vout]', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M', '-g', String(FPS * 4));
  }
  args.push('-map', '[aout]', '-c:a', 'libopus', '-b:a', video ? '64k' : '48k');
  args.push('-t', D, '-f', video ? 'webm' : 'ogg', outPath);
  return { args, video };
}

/** Runs FFmpeg under `nice` (the mix must not starve the media workers). Rejects with its last error lines. */
export function runMix(ffmpeg: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('nice', ['-n', '10', ffmpeg, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`mix failed (${code ?? signal}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`));
    });
  });
}
