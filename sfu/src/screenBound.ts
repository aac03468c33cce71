/**
 * Pure decision of how far a screen sharer's uplink is bounded for the
 * weakest viewer of the screen (issue 21, item 4). A screen is one encoding
 * that mediasoup forwards whole to every viewer: it cannot be thinned per
 * viewer. Behind a weak link (300 kbit/s, a 7.5-KB bottleneck queue) a
 * sharer sending at its loopback estimate (up to 2 Mb/s) makes key frames of
 * tens of kilobytes, paced at 2.5x its estimate, which overflow the queue:
 * the viewer never completes one, asks for another, and decodes nothing.
 * Bounding the sharer's send transport (mediasoup sends REMB with the bound)
 * lowers both the encoder's target, so its key frames shrink, and the
 * sender's pacing rate, so they arrive spread out. Other viewers then get a
 * plan that refines more slowly; the bound is lifted when the weak viewer
 * leaves or recovers, after a hold so that it does not flap.
 */

/** A viewer's downlink is weak when it is limited (Downlink.limited) below this estimate. */
export const WEAK_DOWNLINK_BPS = 1_000_000;
/** The sharer's uplink is bounded to this share of the weakest viewer's estimate (voices and headers need the rest)... */
export const SHARER_BOUND_SHARE = 0.8;
/**
 * ...but not below this: the sharer's voice and camera share it, and a screen needs ~100 kb/s to
 * refine at all. Measured (one run each, loaded machine): bounded to 300 kb/s, the sharer's
 * browser gave its screen encoder a target of 30-50 kb/s; at 388 kb/s, 170 kb/s.
 */
export const MIN_SHARER_BOUND_BPS = 350_000;
/** A bound is raised only when the new one is this much higher (estimates wobble; each change reallocates the sharer's encoders). */
export const RAISE_STEP = 1.25;
/** No weak viewer for this long: the bound is lifted (a suspended camera's trial makes a weak link look free for a few seconds). */
export const LIFT_AFTER_MS = 15_000;

export interface ViewerDownlink {
  /** Whether the viewer's downlink carries less than it wants (congested for a while, or video stopped for it). */
  limited: boolean;
  /** Its receive transport's estimate (bps); undefined before the first. */
  estimate: number | undefined;
}

export interface SharerBound {
  /** The sharer's uplink bound (bps); null: not bounded (the default cap holds). */
  bound: number | null;
  /** When a weak viewer was last seen (ms). */
  lastWeakAt: number;
}

export const UNBOUNDED: SharerBound = { bound: null, lastWeakAt: 0 };

export function isWeak(viewer: ViewerDownlink): boolean {
  return viewer.limited && viewer.estimate !== undefined && viewer.estimate < WEAK_DOWNLINK_BPS;
}

/** The next bound of a sharer's uplink, from the downlinks of the viewers of its screen. */
export function nextSharerBound(viewers: readonly ViewerDownlink[], state: SharerBound, now: number): SharerBound {
  const weakest = Math.min(...viewers.filter(isWeak).map((v) => v.estimate!));
  if (Number.isFinite(weakest)) {
    const target = Math.round(Math.max(MIN_SHARER_BOUND_BPS, weakest * SHARER_BOUND_SHARE));
    const keep = state.bound !== null && target >= state.bound && target < state.bound * RAISE_STEP;
    return { bound: keep ? state.bound : target, lastWeakAt: now };
  }
  if (state.bound !== null && now - state.lastWeakAt < LIFT_AFTER_MS) return state;
  return { bound: null, lastWeakAt: state.lastWeakAt };
}

/**
 * mediasoup asks a screen's sharer for a key frame at most this often
 * (producer option keyFrameRequestDelay; requests meanwhile are merged into
 * one at its end). Behind a weak link a key frame takes about a second to
 * cross, with retransmissions; the viewer's browser repeats its request
 * every ~200 ms while it waits, and each new key frame would restart the
 * race. A viewer joining a screen waits for its first picture at most this
 * long more, and only when another viewer asked just before.
 */
export const SCREEN_KEY_FRAME_REQUEST_DELAY_MS = 2_000;
