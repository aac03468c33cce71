/**
 * The mix on real FFmpeg: a screen share recorded in two segments of
 * different sizes (the first ending with one picture of the next size, as
 * the recorder leaves it: the key frame that told the change reached the
 * ending segment) plays at the layout's size, its audio unbroken; and a
 * mix that hangs is stopped at its time, killed when it ignores SIGINT.
 */
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeVideo, toneTimeline } from '../../../test/recording.js';
import { mixArgs, MixTimeoutError, runMix } from './mix.js';
import type { SegmentInfo } from './TrackRecorder.js';
import { testTempDir } from '../../../test/tempDir.js';

const run = promisify(execFile);
const ffmpeg = (...args: string[]) => run('nice', ['-n', '5', 'ffmpeg', '-v', 'error', '-y', ...args]);

let dir: string;
beforeAll(async () => {
  dir = testTempDir('chantier-mix');
  const vp8 = (size: string, seconds: number, out: string) =>
    ffmpeg('-f', 'lavfi', '-i', `testsrc=size=${size}:rate=15:duration=${seconds}`, '-pix_fmt', 'yuv420p', '-c:v', 'libvpx', '-g', '15', '-f', out.endsWith('.ivf') ? 'ivf' : 'webm', join(dir, out));
  await Promise.all([
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=3', '-c:a', 'libopus', '-f', 'webm', join(dir, 'mic.webm')),
    vp8('160x120', 1.5, 'a.ivf'),
    vp8('320x180', 0.2, 'stray.ivf'),
    vp8('320x180', 1.2, 'screen-1.webm'),
  ]);
  writeFileSync(join(dir, 'list.txt'), 'file a.ivf\nfile stray.ivf\n');
  await ffmpeg('-f', 'concat', '-i', join(dir, 'list.txt'), '-c', 'copy', '-f', 'webm', join(dir, 'screen-0.webm'));
}, 30_000);

function segment(file: string, kind: 'audio' | 'video', startMs: number, endMs: number): SegmentInfo {
  return { file, kind, mimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8', peerId: 'p', displayName: 'p', source: kind === 'audio' ? 'mic' : 'screen', startMs, endMs };
}

describe('runMix on real FFmpeg', () => {
  it('plays a share recorded at two sizes at the layout’s size, with its audio unbroken', async () => {
    const segments = [segment('mic.webm', 'audio', 0, 3_000), segment('screen-0.webm', 'video', 0, 1_700), segment('screen-1.webm', 'video', 1_800, 3_000)];
    const out = join(dir, 'result.webm');
    const { args } = mixArgs({ segments, speakers: [], durationMs: 3_000, width: 256, height: 144 }, segments.map((s) => join(dir, s.file)), out);
    await runMix('ffmpeg', args, 60_000);
    const video = await decodeVideo(out);
    expect(video).toMatchObject({ width: 256, height: 144 });
    expect(video.frames).toBeGreaterThanOrEqual(43);
    // FFmpeg rebuilding its graph at the size change restarted the audio: 4.9 s of it in a 3-s result.
    const timeline = await toneTimeline(out, [440]);
    expect(timeline.length).toBeGreaterThanOrEqual(5);
    expect(timeline.length).toBeLessThanOrEqual(6);
    for (const w of timeline) expect(w.db[0], `440 Hz at ${w.t} s`).toBeGreaterThan(-35);
  });

  it('stops a mix past its time, and kills one that ignores SIGINT', async () => {
    const hung = join(dir, 'hung-ffmpeg');
    writeFileSync(hung, "#!/bin/sh\ntrap '' INT\nexec sleep 60\n");
    chmodSync(hung, 0o755);
    const error = await runMix(hung, [], 200, 200).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MixTimeoutError);
    expect((error as MixTimeoutError).timeoutMs).toBe(200);
  });
});
