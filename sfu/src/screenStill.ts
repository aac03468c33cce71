/**
 * Pure decisions of the still picture of a shared screen (issue 21): a
 * viewer whose downlink cannot carry the screen's video gets a still picture
 * of it instead, fetched over HTTP (signaling's ScreenStills), and its
 * screen consumer stays paused meanwhile. Kept apart from the mediasoup
 * objects so that it is tested without a worker.
 */
import { CONGESTION_MS } from './adaptation.js';

/**
 * The screen's video flowing this long (not held for bandwidth) ends the
 * still: a trial of the video that fails is stopped again within the
 * adaptation's congestion wait, so this is longer than that wait.
 */
export const STILL_RELEASE_MS = CONGESTION_MS + 4_000;

/**
 * Loss of what is sent to the receiver (mediasoup's transport-cc estimate
 * and the voices' receiver reports, 0-1: downlinkLoss) from which a
 * constrained downlink is the receiver's link: on loopback it was 0 while
 * the estimate was low (measured in the weak-link browser test: a good-link
 * peer's estimate was 238 kb/s for 1.8 Mb/s wanted, congested for 6 s, as
 * the weak one's). Behind the net lab's weak link (5 % random loss) the mean
 * of the reads over LOSS_WINDOW_MS was 0.98-4.3 % when a share started
 * (weakShareProbe, session 15: 0.98, 1.3, 1.5, 2.8, 3.7 %), 8.9 % in the
 * browser test: mediasoup's figures undercount while little flows. 0.5 %.
 */
export const WEAK_LOSS = 0.005;

/**
 * What a 1080p screen's video wants to come legible soon (its first key
 * frame ~100-200 KB): a lossy downlink whose estimate is below gets the
 * still first (21 KB), the video once the adaptation finds room for it.
 * Session 14 asked ≥ 3 % loss for this, and ≥ 1 % with a congested or
 * stopped link otherwise: on the weak link, 3 of 12 probe runs read 0.98 %
 * (estimate 219 kb/s), 1.3 % (324 kb/s, congested 3.9 s, judged wide enough
 * for a single layer) and 1.5 % (722 kb/s, lagging, nothing congested), got
 * the video, and the plan was legible only after 11.6-12.1 s.
 */
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
  /**
   * Whether the estimate has ever read other than its first read (the
   * transport's configured start, RTC_INITIAL_BITRATE). False: nothing has
   * been measured yet, the figure says nothing of the link. Undefined: not known.
   */
  estimateMoved?: boolean | undefined;
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
 * link is the limit, not a loaded host's estimate) and is narrower than what
 * a screen's video wants (SCREEN_VIDEO_BPS; its estimate lags a link that
 * just turned weak, but it does not lag upwards), or, wider, the adaptation
 * has stopped video for it now or lately (its own verdict; during a trial of
 * the video nothing is stopped). A good link, whatever its estimate on a
 * loaded host, loses nothing: it gets the video, as before.
 */
export function startsWithStill(downlink: DownlinkNow): boolean {
  if (downlink.estimate === undefined || !lossy(downlink.loss)) return false;
  if (downlink.estimate < SCREEN_VIDEO_BPS) return true;
  // An estimate still at its start is no proof of room (session 17: 2 of 16 probe runs behind the net
  // lab's weak link read exactly the 1 Mb/s start, 1.0 and 3.7 % lost, got the video, legible after 10 s).
  if (downlink.estimateMoved === false) return true;
  if (downlink.suspended > 0) return true;
  return downlink.sinceLimitedMs !== undefined && downlink.sinceLimitedMs < LIMITED_RECENTLY_MS;
}
