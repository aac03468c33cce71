/**
 * Pure decisions of the still picture of a shared screen (issue 21): a
 * viewer whose downlink cannot carry the screen's video gets a still picture
 * of it instead, fetched over HTTP (signaling's ScreenStills), and its
 * screen consumer stays paused meanwhile. Kept apart from the mediasoup
 * objects so that it is tested without a worker.
 */
import { AUDIO_RESERVE_BPS, CONGESTION_MS, MIN_VIDEO_BITRATE } from './adaptation.js';

/**
 * A downlink congested this long already when a share starts counts as
 * weak at once: the adaptation's own wait (CONGESTION_MS, 6 s) is meant for
 * a start, when the estimate is still low because little flowed; a link
 * congested since before the share is the link. Measured in the net lab's
 * weak link (300 kbit/s): the viewer's camera consumers keep it congested
 * from the moment it turns weak.
 */
export const WEAK_AT_START_MS = CONGESTION_MS / 3;

/**
 * The screen's video flowing this long (not held for bandwidth) ends the
 * still: a trial of the video that fails is stopped again within the
 * adaptation's congestion wait, so this is longer than that wait.
 */
export const STILL_RELEASE_MS = CONGESTION_MS + 4_000;

export interface DownlinkNow {
  /** The receive transport's estimate (bps), undefined before the first. */
  estimate: number | undefined;
  /** What the flowing consumers want (bps). */
  desired: number;
  /** How long the estimate has stayed below what is wanted (0: it is not). */
  congestedMs: number;
  /** Audio consumers flowing. */
  audioConsumers: number;
  /** Video consumers held for bandwidth now. */
  suspended: number;
}

/**
 * Whether a screen consumer made now should start held for bandwidth (the
 * viewer then gets the still): the downlink cannot give a single-layer
 * video its cost beside the voices, and it is already limited (congested
 * for a while, or some video already stopped for it). A good link whose
 * estimate is low only because little flows is not limited: it gets the
 * video, as before.
 */
export function startsWithStill(downlink: DownlinkNow): boolean {
  if (downlink.estimate === undefined) return false;
  const budget = downlink.estimate - downlink.audioConsumers * AUDIO_RESERVE_BPS;
  if (budget >= MIN_VIDEO_BITRATE.single) return false;
  return downlink.suspended > 0 || downlink.congestedMs >= WEAK_AT_START_MS;
}
