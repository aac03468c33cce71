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

/**
 * mediasoup's estimate is not the link's capacity while little is sent (it
 * stays near what flows: ~100 kb/s with only voices, measured on loopback)
 * and rises by probing only once more is wanted. So video is stopped only
 * when the transport has wanted more than the estimate for this long, with
 * no new demand meanwhile (the caller restarts the wait when more is
 * wanted): a congested link, not a start. Measured on a loaded 2-core
 * loopback: a 2 Mb/s screen share started on a 300 kb/s estimate stayed
 * under 300 kb/s for more than 3 s (a 3-s wait stopped it in 2 runs of 2;
 * the screen-share browser test caught it), hence 6 s.
 */
export const CONGESTION_MS = 6_000;
/** A stopped video is tried again after this long (doubled by the caller when it has to stop again soon)... */
export const RESUME_HOLD_MS = 4_000;
export const MAX_RESUME_HOLD_MS = 120_000;
/** ...at once if the link is not limited, or with this much room in the estimate when it is. */
export const RESUME_HEADROOM = 1.3;

export interface VideoDemand {
  consumerId: string;
  priority: number;
  simulcast: boolean;
}

export interface BandwidthInput {
  /** The transport's estimate of what reaches this receiver (bps). */
  availableBitrate: number;
  /** What the flowing consumers want (bps); above the estimate, the link is the limit. */
  desiredBitrate: number;
  /** How long the estimate has stayed below what is wanted (0: it is not). */
  congestedMs: number;
  /** Audio consumers currently flowing to this receiver. */
  audioConsumers: number;
  /** Video consumers the receiver wants (visible, not paused by itself). */
  videos: readonly VideoDemand[];
  /** Consumers suspended for bandwidth now. */
  suspended: ReadonlySet<string>;
  now: number;
  /** When a video of this peer was last suspended for bandwidth. */
  lastSuspendAt: number;
  /** How long a suspension holds before video is tried again. */
  holdMs: number;
}

/**
 * Which video consumers to keep suspended so that a congested downlink
 * holds every voice plus the shown video's lowest layers: the most
 * important video is kept first, a cheaper one may use what is left.
 * mediasoup already steps simulcast down (and off) within the estimate; this
 * adds room for the voices (mediasoup gives video the whole estimate) and
 * stops single-layer video, which mediasoup forwards whole. Stopped video is
 * tried again after the hold: with nothing of it flowing the estimate
 * cannot grow, so a trial is the only way to learn that the link got better.
 */
export function videosToSuspend(input: BandwidthInput): Set<string> {
  const budget = input.availableBitrate - input.audioConsumers * AUDIO_RESERVE_BPS;
  const limited = input.availableBitrate < input.desiredBitrate;
  const congested = limited && input.congestedMs >= CONGESTION_MS;
  const holdOver = input.now - input.lastSuspendAt >= input.holdMs;
  const ordered = [...input.videos].sort((a, b) => b.priority - a.priority);
  const suspended = new Set<string>();
  let used = 0;
  for (const video of ordered) {
    const cost = video.simulcast ? MIN_VIDEO_BITRATE.simulcast : MIN_VIDEO_BITRATE.single;
    const keep = input.suspended.has(video.consumerId)
      ? holdOver && (!limited || (used + cost) * RESUME_HEADROOM <= budget)
      : !congested || used + cost <= budget;
    if (keep) used += cost;
    else suspended.add(video.consumerId);
  }
  return suspended;
}
