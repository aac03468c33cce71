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

/**
 * Loss of what is sent to the receiver (mediasoup's transport-cc estimate,
 * 0-1) from which a congested downlink is the receiver's link: on loopback
 * it was 0 while the estimate was low (measured in the weak-link browser
 * test: a good-link peer's estimate was 238 kb/s for 1.8 Mb/s wanted,
 * congested for 6 s, as the weak one's); behind the net lab's weak link (5 %
 * random loss) mediasoup's figure was 8.9 % in the browser test and only
 * 1.5 % in the bench (little flowing yet) when the share started.
 */
export const WEAK_LOSS = 0.01;

/**
 * A downlink losing this much (0-1) with an estimate below SCREEN_VIDEO_BPS
 * gets the still whatever else it shows: measured on the net lab's 300-kbit/s,
 * 5-%-loss link 8 s after it turned weak, mediasoup's estimate read 673 kb/s
 * (it lags the link), nothing was stopped or congested yet, the loss 4.3 %:
 * the screen's video went to it and the plan was legible only at 11.6 s.
 */
export const LOSSY_LINK = 0.03;
/** What a 1080p screen's video wants to come legible soon (its first key frame ~100-200 KB): below, a lossy link gets the still. */
export const SCREEN_VIDEO_BPS = 1_000_000;

/**
 * The loss a decision reads is the mean of what was read over this long
 * while the downlink was constrained (Downlink.ts), the read made then
 * included: a single read is noisy (the net lab's 5-%-loss link read 0.8 %
 * when a share began, 0.5 % at its later hold, 6 % in another run).
 */
export const LOSS_WINDOW_MS = 10_000;

/**
 * The adaptation stopped video for this downlink this recently: its verdict
 * stands while it tries the video again. A trial releases every held video
 * at once (nothing then asks for bitrate, so nothing looks congested), and a
 * screen arriving during one found nothing suspended: measured in the
 * weak-link browser test on a loaded host, the weak viewer (estimate 30-92
 * kb/s, 2.7-5.3 % lost) got the screen's video, which never decoded. Longer
 * than a trial's wait (CONGESTION_MS) after the longest hold.
 */
export const LIMITED_RECENTLY_MS = 60_000;

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
  /** How long ago the adaptation last stopped a video for this downlink; undefined: never. */
  sinceLimitedMs?: number | undefined;
  /** Loss of what the transport sends to the receiver (0-1), when mediasoup knows it. */
  loss?: number | undefined;
}

/** The downlink as a screen's decision saw it, and the verdict: too weak for the screen's video. */
export type ScreenVerdict = DownlinkNow & { weak: boolean };

/**
 * The downlink's loss (0-1) from what mediasoup knows: the transport's
 * figure from transport-cc feedback (0 at times while little video flows:
 * read so on the net lab's 5-%-loss link once in five runs) and the receiver
 * reports of the voices it gets (RTCP fraction lost, 0-255). A voice's report
 * holds its sender's uplink loss too (forwarded as sequence gaps: good-link
 * listeners read 1.7-2.0 % as a mean, one voice from the weak link at 5 %),
 * so the least of them is the downlink's own. The larger of the two figures.
 */
export function downlinkLoss(transportLoss: number | undefined, voiceFractionsLost: readonly number[]): number | undefined {
  const voices = voiceFractionsLost.length === 0 ? undefined : Math.min(...voiceFractionsLost) / 256;
  if (transportLoss === undefined) return voices;
  return voices === undefined ? transportLoss : Math.max(transportLoss, voices);
}

/** The downlink loses packets: the receiver's link is the limit (WEAK_LOSS), not a loaded host's estimate. */
export function lossy(loss: number | undefined): boolean {
  return (loss ?? 0) >= WEAK_LOSS;
}

/**
 * Whether a screen consumer made now should start held for bandwidth (the
 * viewer then gets the still): the downlink loses packets (the receiver's
 * link is the limit, not the little that flows) and is already too narrow:
 * some video stopped for it now or lately (the adaptation's own verdict: the
 * estimate then lags the link, measured at 667 kb/s on the 300-kbit/s link;
 * during a trial of the video nothing is stopped), or congested for a while
 * with no room for a single-layer video beside the voices, or losing ≥ 3 %
 * with an estimate below what a screen's video wants (LOSSY_LINK). A good link whose
 * estimate is low only because little flows loses nothing: it gets the
 * video, as before.
 */
export function startsWithStill(downlink: DownlinkNow): boolean {
  if (downlink.estimate === undefined || !lossy(downlink.loss)) return false;
  if (downlink.suspended > 0) return true;
  if ((downlink.loss ?? 0) >= LOSSY_LINK && downlink.estimate < SCREEN_VIDEO_BPS) return true;
  if (downlink.sinceLimitedMs !== undefined && downlink.sinceLimitedMs < LIMITED_RECENTLY_MS) return true;
  const budget = downlink.estimate - downlink.audioConsumers * AUDIO_RESERVE_BPS;
  return budget < MIN_VIDEO_BITRATE.single && downlink.congestedMs >= WEAK_AT_START_MS;
}
