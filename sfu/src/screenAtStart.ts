/**
 * A screen share began in the meeting: a viewer's downlink judged at once
 * (screenStill.ts startsWithStill), before the viewer has consumed the
 * screen, so that its sharer hears of a weak viewer right after the produce
 * (ScreenStillNeeds.expect) and the consumer, when made, starts held by that
 * verdict. A weak viewer's other videos are held too while its first still
 * crosses its link (Downlink.holdVideosForStill). Part of a MediaPeer.
 */
import type { Downlink } from './Downlink.js';
import type { Logger } from './logger.js';
import type { ScreenStillNeeds } from './ScreenStillNeeds.js';

export interface ScreenAtStartPeer {
  downlink: Downlink;
  stills: ScreenStillNeeds;
  log: Logger;
  /** The peer closed meanwhile: nothing more is held. */
  closed: () => boolean;
}

/** Judges the viewer's downlink for the share `producerId`; settles with the verdict (weak: true). */
export async function judgeScreenAtStart(producerId: string, peer: ScreenAtStartPeer): Promise<boolean> {
  const verdict = peer.downlink.screenVerdict().catch(() => undefined);
  peer.stills.expect(producerId, verdict);
  const weak = (await verdict)?.weak ?? false;
  if (weak && !peer.closed()) {
    const videosHeld = peer.downlink.holdVideosForStill();
    peer.log.info({ producerId, videosHeld }, 'screen held as a still from its start, other videos held too');
  }
  return weak;
}
