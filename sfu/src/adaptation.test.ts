import { describe, expect, it } from 'vitest';
import {
  AUDIO_RESERVE_BPS,
  MIN_VIDEO_BITRATE,
  CONGESTION_MS,
  RESUME_HOLD_MS,
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
  const voices = 3 * AUDIO_RESERVE_BPS;
  const base: BandwidthInput = {
    availableBitrate: 2_000_000,
    desiredBitrate: 1_500_000,
    congestedMs: 0,
    audioConsumers: 3,
    videos: [
      { consumerId: 'cam-a', priority: 1, simulcast: true },
      { consumerId: 'cam-b', priority: 2, simulcast: true },
      { consumerId: 'screen', priority: 3, simulcast: false },
    ],
    suspended: new Set(),
    now: 100_000,
    lastSuspendAt: 0,
    holdMs: RESUME_HOLD_MS,
  };
  /** A link that has carried less than wanted for long enough. */
  const congested = (availableBitrate: number): BandwidthInput => ({
    ...base,
    availableBitrate,
    desiredBitrate: availableBitrate * 3,
    congestedMs: CONGESTION_MS,
  });

  it('keeps everything when the estimate covers what is wanted', () => {
    expect(videosToSuspend(base)).toEqual(new Set());
  });

  it('stops nothing on a low estimate that is not congestion (little sent yet, or a short dip)', () => {
    // Only voices flowing: the estimate sits near them, and nothing more is wanted yet.
    expect(videosToSuspend({ ...base, availableBitrate: 90_000, desiredBitrate: 0 })).toEqual(new Set());
    // Video just resumed: more is wanted than the estimate, but mediasoup is still probing.
    expect(videosToSuspend({ ...base, availableBitrate: 120_000, desiredBitrate: 2_000_000, congestedMs: 1_000 })).toEqual(
      new Set(),
    );
  });

  it('on congestion, stops the least important video first, keeping room for every voice', () => {
    const available = voices + MIN_VIDEO_BITRATE.single + MIN_VIDEO_BITRATE.simulcast + 50_000;
    expect(videosToSuspend(congested(available))).toEqual(new Set(['cam-a']));
    expect(videosToSuspend(congested(voices + 50_000))).toEqual(new Set(['cam-a', 'cam-b', 'screen']));
  });

  it('lets a cheaper camera through when the screen does not fit', () => {
    expect(videosToSuspend(congested(voices + MIN_VIDEO_BITRATE.simulcast + 10_000))).toEqual(new Set(['screen', 'cam-a']));
  });

  it('tries stopped video again after the hold: at once on a free link, with headroom on a limited one', () => {
    const stopped: BandwidthInput = {
      ...base,
      videos: [{ consumerId: 'cam-a', priority: 1, simulcast: true }],
      suspended: new Set(['cam-a']),
      lastSuspendAt: base.now - RESUME_HOLD_MS,
    };
    // Nothing of it flows, so nothing more is wanted: after the hold it gets a trial.
    expect(videosToSuspend({ ...stopped, availableBitrate: 100_000, desiredBitrate: 0 })).toEqual(new Set());
    // Not before.
    expect(
      videosToSuspend({ ...stopped, availableBitrate: 100_000, desiredBitrate: 0, lastSuspendAt: base.now - 1_000 }),
    ).toEqual(new Set(['cam-a']));
    // A longer hold (the caller doubles it after a failed trial) holds longer.
    expect(videosToSuspend({ ...stopped, desiredBitrate: 0, holdMs: 4 * RESUME_HOLD_MS })).toEqual(new Set(['cam-a']));
    // On a limited link (other video wants more than the estimate): only with headroom.
    const justEnough = voices + MIN_VIDEO_BITRATE.simulcast + 1;
    expect(videosToSuspend({ ...stopped, availableBitrate: justEnough, desiredBitrate: justEnough * 2 })).toEqual(
      new Set(['cam-a']),
    );
    const roomy = voices + 2 * MIN_VIDEO_BITRATE.simulcast;
    expect(videosToSuspend({ ...stopped, availableBitrate: roomy, desiredBitrate: roomy * 2 })).toEqual(new Set());
  });
});
