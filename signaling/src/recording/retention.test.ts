import { describe, expect, it } from 'vitest';
import { filesToKeep, type CheckedSegment } from './retention.js';
import type { SegmentInfo } from './TrackRecorder.js';

function seg(file: string, kind: 'audio' | 'video', packets: number, mixed = packets > 0): CheckedSegment {
  const segment: SegmentInfo = { file, kind, mimeType: kind === 'audio' ? 'audio/opus' : 'video/VP8', peerId: 'p', displayName: 'P', source: kind === 'audio' ? 'mic' : 'camera', startMs: 0, endMs: 15_000 };
  return { segment, packets, mixed };
}

const full = { audio: true, video: true, durationMs: 15_020 };

describe('filesToKeep', () => {
  it('lets every file go when the result holds their media over the whole recording', () => {
    expect(filesToKeep({ checked: [seg('a.webm', 'audio', 700), seg('v.webm', 'video', 900), seg('empty.webm', 'video', 0)], durationMs: 15_000, result: full })).toEqual([]);
  });

  it('keeps the video files when a meeting with cameras was stored as voices only', () => {
    const kept = filesToKeep({ checked: [seg('a.webm', 'audio', 700), seg('v.webm', 'video', 900)], durationMs: 15_000, result: { audio: true, video: false, durationMs: 15_000 } });
    expect(kept).toEqual([{ file: 'v.webm', why: 'the result has no video' }]);
  });

  it('keeps a file with packets that the mix could not place, and everything when no result was stored', () => {
    expect(filesToKeep({ checked: [seg('a.webm', 'audio', 700), seg('late.webm', 'audio', 50, false)], durationMs: 15_000, result: full })).toEqual([
      { file: 'late.webm', why: 'not placed in the mix' },
    ]);
    expect(filesToKeep({ checked: [seg('a.webm', 'audio', 700), seg('h.webm', 'video', 0)], durationMs: 15_000, result: null }).map((k) => k.file)).toEqual(['a.webm']);
  });

  it('keeps every file with packets when the result is cut short', () => {
    const kept = filesToKeep({ checked: [seg('a.webm', 'audio', 700), seg('v.webm', 'video', 900)], durationMs: 15_000, result: { ...full, durationMs: 9_000 } });
    expect(kept.map((k) => k.file)).toEqual(['a.webm', 'v.webm']);
  });
});
