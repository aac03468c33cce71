/**
 * Pure decisions of video adaptation, kept apart from the mediasoup objects
 * so that they are tested without a worker: which simulcast layer fits a
 * tile, which consumer matters most, and which video must stop so that audio
 * keeps flowing on a weak downlink.
 */

/**
 * Height in pixels of the top simulcast layer of a camera: the client sends
 * 640x360 and a half-size copy below it (client/src/room/producerOptions.ts),
 * each layer down is half the height of the one above.
 */
export const TOP_LAYER_HEIGHT = 360;

/**
 * The lowest spatial layer that looks sharp at `height` device pixels: one
 * whose height is at least 80 % of the tile's (a little upscaling is not
 * seen; 180p in a 200-px tile is fine, in a 300-px tile it is blurred).
 * `spatialLayers` is the producer's number of layers.
 */
export function spatialLayerFor(height: number, spatialLayers: number): number {
  const top = Math.max(0, spatialLayers - 1);
  for (let layer = 0; layer < top; layer++) {
    const layerHeight = TOP_LAYER_HEIGHT / 2 ** (top - layer);
    if (layerHeight >= height * 0.8) return layer;
  }
  return top;
}

/**
 * Bitrate priority of a video consumer (mediasoup gives each its lowest
 * layer in priority order, then spreads what is left by priority): a shared
 * screen first (a plan is what the meeting is about), then whoever speaks,
 * then the others.
 */
export function videoPriority(source: string, isActiveSpeaker: boolean): number {
  if (source === 'screen') return 3;
  return isActiveSpeaker ? 2 : 1;
}

/** What a video consumer costs at least, when shown: its lowest layer. */
export const MIN_VIDEO_BITRATE = {
  /** A camera's 180p layer at its lowest frame rate mediasoup may pick; mediasoup steps down within it. */
  simulcast: 100_000,
  /** A single-layer video (a screen share) is forwarded whole: mediasoup cannot step it down. */
  single: 250_000,
} as const;

/**
 * Kept for each received voice: Opus at ~13-24 kb/s plus RTP/UDP/IP headers
 * at 25 packets/s (40-ms frames, client/src/room/producerOptions.ts).
 */
export const AUDIO_RESERVE_BPS = 32_000;

/** Shown video resumes only if the estimate has this much room for it... */
export const RESUME_HEADROOM = 1.3;
/** ...and no video of this peer was stopped for bandwidth in this long. */
export const RESUME_HOLD_MS = 8_000;
/**
 * With all its video stopped a receiver's estimate cannot grow (mediasoup
 * probes only for what flows): this often, the most important video gets a
 * trial of TRIAL_MS, whatever the estimate, so that a link that got better
 * is found out.
 */
export const TRIAL_INTERVAL_MS = 20_000;
export const TRIAL_MS = 5_000;

export interface VideoDemand {
  consumerId: string;
  priority: number;
  simulcast: boolean;
}

export interface Trial {
  consumerId: string;
  until: number;
}

export interface BandwidthInput {
  /** The transport's estimate of what reaches this receiver (bps). */
  availableBitrate: number;
  /** Audio consumers currently flowing to this receiver. */
  audioConsumers: number;
  /** Video consumers the receiver wants (visible, not paused by itself). */
  videos: readonly VideoDemand[];
  /** Consumers suspended for bandwidth now. */
  suspended: ReadonlySet<string>;
  now: number;
  /** When a video of this peer was last suspended for bandwidth. */
  lastSuspendAt: number;
  /** The trial in progress or last made, if any. */
  trial: Trial | null;
}

export interface BandwidthDecision {
  suspended: Set<string>;
  /** Unchanged, or a new trial started now. */
  trial: Trial | null;
}

/**
 * Which video consumers to keep suspended so that the estimate holds every
 * voice plus the shown video's lowest layers: the most important video is
 * kept first, and a cheaper one may use what is left. A suspended one comes
 * back only with headroom and after a quiet period, so that a link at its
 * limit does not flap; when nothing flows, a periodic trial finds out
 * whether the link got better.
 */
export function videosToSuspend(input: BandwidthInput): BandwidthDecision {
  const budget = input.availableBitrate - input.audioConsumers * AUDIO_RESERVE_BPS;
  const ordered = [...input.videos].sort((a, b) => b.priority - a.priority);
  const suspended = new Set<string>();
  let used = 0;
  const holdOver = input.now - input.lastSuspendAt >= RESUME_HOLD_MS;
  const trial = input.trial;
  for (const video of ordered) {
    const cost = video.simulcast ? MIN_VIDEO_BITRATE.simulcast : MIN_VIDEO_BITRATE.single;
    const inTrial = trial?.consumerId === video.consumerId && input.now < trial.until;
    const fits = input.suspended.has(video.consumerId)
      ? holdOver && (used + cost) * RESUME_HEADROOM <= budget
      : used + cost <= budget;
    if (fits || inTrial) used += cost;
    else suspended.add(video.consumerId);
  }
  const first = ordered[0];
  const lastTrialAt = trial ? trial.until - TRIAL_MS : 0;
  // Stopping one now counts as the latest stop.
  const newlyStopped = [...suspended].some((id) => !input.suspended.has(id));
  const lastStopAt = newlyStopped ? input.now : input.lastSuspendAt;
  if (first && suspended.size === ordered.length && input.now - Math.max(lastStopAt, lastTrialAt) >= TRIAL_INTERVAL_MS) {
    suspended.delete(first.consumerId);
    return { suspended, trial: { consumerId: first.consumerId, until: input.now + TRIAL_MS } };
  }
  return { suspended, trial };
}
