import { describe, expect, it } from 'vitest';
import {
  AUDIO_RESERVE_BPS,
  MIN_VIDEO_BITRATE,
  RESUME_HOLD_MS,
  TRIAL_INTERVAL_MS,
  TRIAL_MS,
  spatialLayerFor,
  videoPriority,
  videosToSuspend,
  type BandwidthInput,
} from './adaptation.js';

describe('spatialLayerFor', () => {
  it('gives small tiles the 180p layer and larger ones the 360p layer (two layers)', () => {
    expect(spatialLayerFor(90, 2)).toBe(0);
    expect(spatialLayerFor(180, 2)).toBe(0);
    expect(spatialLayerFor(200, 2)).toBe(0);
    expect(spatialLayerFor(225, 2)).toBe(0);
    expect(spatialLayerFor(240, 2)).toBe(1);
    expect(spatialLayerFor(360, 2)).toBe(1);
    expect(spatialLayerFor(1080, 2)).toBe(1);
  });

  it('handles three layers and a single one', () => {
    expect(spatialLayerFor(80, 3)).toBe(0); // 90p
    expect(spatialLayerFor(150, 3)).toBe(1); // 180p
    expect(spatialLayerFor(300, 3)).toBe(2);
    expect(spatialLayerFor(100, 1)).toBe(0);
  });
});

describe('videoPriority', () => {
  it('puts screens first, then the active speaker', () => {
    expect(videoPriority('screen', false)).toBeGreaterThan(videoPriority('camera', true));
    expect(videoPriority('camera', true)).toBeGreaterThan(videoPriority('camera', false));
  });
});

describe('videosToSuspend', () => {
  const base: BandwidthInput = {
    availableBitrate: 2_000_000,
    audioConsumers: 3,
    videos: [
      { consumerId: 'cam-a', priority: 1, simulcast: true },
      { consumerId: 'cam-b', priority: 2, simulcast: true },
      { consumerId: 'screen', priority: 3, simulcast: false },
    ],
    suspended: new Set(),
    now: 100_000,
    lastSuspendAt: 0,
    trial: null,
  };
  const suspend = (input: BandwidthInput) => videosToSuspend(input).suspended;

  it('keeps everything when the estimate is large', () => {
    expect(suspend(base)).toEqual(new Set());
  });

  it('stops the least important video first, keeping room for every voice', () => {
    const voices = 3 * AUDIO_RESERVE_BPS;
    // Room for the screen and one camera, not two.
    const available = voices + MIN_VIDEO_BITRATE.single + MIN_VIDEO_BITRATE.simulcast + 50_000;
    expect(suspend({ ...base, availableBitrate: available })).toEqual(new Set(['cam-a']));
  });

  it('stops all video on a link that only holds the voices', () => {
    expect(suspend({ ...base, availableBitrate: 3 * AUDIO_RESERVE_BPS + 50_000 })).toEqual(
      new Set(['cam-a', 'cam-b', 'screen']),
    );
  });

  it('lets a cheaper camera through when the screen does not fit', () => {
    const available = 3 * AUDIO_RESERVE_BPS + MIN_VIDEO_BITRATE.simulcast + 10_000;
    expect(suspend({ ...base, availableBitrate: available })).toEqual(new Set(['screen', 'cam-a']));
  });

  it('brings video back only with headroom and after the hold time', () => {
    const voices = 3 * AUDIO_RESERVE_BPS;
    const justEnough = voices + MIN_VIDEO_BITRATE.simulcast + 1;
    const input: BandwidthInput = {
      ...base,
      videos: [{ consumerId: 'cam-a', priority: 1, simulcast: true }],
      suspended: new Set(['cam-a']),
      lastSuspendAt: base.now - RESUME_HOLD_MS - 1,
    };
    // Fits, but without headroom: stays off.
    expect(suspend({ ...input, availableBitrate: justEnough })).toEqual(new Set(['cam-a']));
    // Headroom, but stopped too recently: stays off.
    const roomy = voices + 2 * MIN_VIDEO_BITRATE.simulcast;
    expect(suspend({ ...input, availableBitrate: roomy, lastSuspendAt: base.now - 1_000 })).toEqual(
      new Set(['cam-a']),
    );
    // Both: back on.
    expect(suspend({ ...input, availableBitrate: roomy })).toEqual(new Set());
    // A video that was never stopped stays on at the same estimate that keeps a stopped one off.
    expect(suspend({ ...input, suspended: new Set(), availableBitrate: justEnough })).toEqual(new Set());
  });

  it('gives the most important video a trial now and then when nothing flows, and keeps it for the trial', () => {
    const weak: BandwidthInput = {
      ...base,
      availableBitrate: 3 * AUDIO_RESERVE_BPS + 20_000,
      suspended: new Set(['cam-a', 'cam-b', 'screen']),
      lastSuspendAt: base.now - 1_000,
    };
    // Stopped a second ago: no trial yet.
    expect(videosToSuspend(weak)).toEqual({ suspended: new Set(['cam-a', 'cam-b', 'screen']), trial: null });
    // Long enough: the screen (first in priority) gets a trial.
    const later = { ...weak, now: weak.lastSuspendAt + TRIAL_INTERVAL_MS };
    const started = videosToSuspend(later);
    expect(started.suspended).toEqual(new Set(['cam-a', 'cam-b']));
    expect(started.trial).toEqual({ consumerId: 'screen', until: later.now + TRIAL_MS });
    // During the trial it stays on although it does not fit...
    const during = { ...later, now: later.now + 2_000, suspended: started.suspended, trial: started.trial };
    expect(videosToSuspend(during)).toEqual({ suspended: new Set(['cam-a', 'cam-b']), trial: started.trial });
    // ...and after it, with the estimate still low, it stops; the next trial waits a full interval.
    const after = { ...during, now: started.trial!.until + 1 };
    expect(videosToSuspend(after).suspended).toEqual(new Set(['cam-a', 'cam-b', 'screen']));
    expect(videosToSuspend({ ...after, suspended: new Set(['cam-a', 'cam-b', 'screen']), lastSuspendAt: after.now }).trial).toBe(
      started.trial,
    );
  });
});
