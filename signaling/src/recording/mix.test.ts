import { describe, expect, it } from 'vitest';
import { mixArgs, videoSchedule, type MixInput } from './mix.js';
import type { SegmentInfo } from './TrackRecorder.js';

function segment(peerId: string, kind: 'audio' | 'video', source: string, startMs: number | null, endMs: number | null): SegmentInfo {
  return { file: `${peerId}-${source}.webm`, kind, mimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8', peerId, displayName: peerId, source, startMs, endMs };
}

const base = { width: 1280, height: 720 };

describe('videoSchedule', () => {
  it('shows the speaker’s camera, and a share over it while there is one', () => {
    const input: MixInput = {
      ...base,
      durationMs: 10_000,
      segments: [
        segment('a', 'video', 'camera', 0, null),
        segment('b', 'video', 'camera', 1_000, null),
        segment('b', 'video', 'screen', 4_000, 6_000),
      ],
      speakers: [
        { atMs: 0, peerId: 'a' },
        { atMs: 2_000, peerId: 'b' },
        { atMs: 8_000, peerId: 'a' },
      ],
    };
    expect(videoSchedule(input)).toEqual([
      { segment: 0, fromMs: 0, toMs: 2_000 },
      { segment: 1, fromMs: 2_000, toMs: 4_000 },
      { segment: 2, fromMs: 4_000, toMs: 6_000 },
      { segment: 1, fromMs: 6_000, toMs: 8_000 },
      { segment: 0, fromMs: 8_000, toMs: 10_000 },
    ]);
  });

  it('falls back to a camera that is on when the speaker has none, and shows nothing before the first video', () => {
    const input: MixInput = {
      ...base,
      durationMs: 6_000,
      segments: [segment('a', 'audio', 'mic', 0, null), segment('b', 'video', 'camera', 2_000, 5_000)],
      speakers: [{ atMs: 0, peerId: 'a' }],
    };
    expect(videoSchedule(input)).toEqual([{ segment: 1, fromMs: 2_000, toMs: 5_000 }]);
  });
});

describe('mixArgs', () => {
  it('places each voice at its offset, mixes them and cuts at the duration; no video gives Ogg Opus', () => {
    const input: MixInput = {
      ...base,
      durationMs: 15_000,
      segments: [segment('a', 'audio', 'mic', 0, null), segment('b', 'audio', 'mic', 5_250, 12_000), segment('c', 'audio', 'mic', null, null)],
      speakers: [],
    };
    const { args, video } = mixArgs(input, ['a.webm', 'b.webm', 'c.webm'], 'out.opus');
    expect(video).toBe(false);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('[0:a]asetpts=PTS-STARTPTS+0.000/TB');
    expect(graph).toContain('[1:a]asetpts=PTS-STARTPTS+5.250/TB');
    // A segment whose first packet never came is not mixed.
    expect(graph).not.toContain('[2:a]');
    expect(graph).toContain('amix=inputs=2');
    expect(graph).toContain('atrim=0:15.000');
    expect(args.slice(-5)).toEqual(['-t', '15.000', '-f', 'ogg', 'out.opus']);
  });

  it('overlays the shown videos, each enabled over its spans, at the result’s size, into WebM', () => {
    const input: MixInput = {
      ...base,
      durationMs: 4_000,
      segments: [segment('a', 'audio', 'mic', 0, null), segment('a', 'video', 'camera', 500, null)],
      speakers: [{ atMs: 0, peerId: 'a' }],
    };
    const { args, video } = mixArgs(input, ['a.webm', 'v.webm'], 'out.webm');
    expect(video).toBe(true);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('color=c=black:s=1280x720');
    expect(graph).toContain('[1:v]scale=1280:720');
    expect(graph).toContain('setpts=PTS-STARTPTS+0.500/TB');
    expect(graph).toContain("enable='between(t,0.500,4.000)'");
    expect(args).toContain('libvpx');
    expect(args.slice(-3)).toEqual(['-f', 'webm', 'out.webm']);
  });
});
