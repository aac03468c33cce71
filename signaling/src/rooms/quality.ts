/**
 * How well one participant's media gets through, from what the SFU already
 * knows: mediasoup's scores (0-10, from loss and retransmissions, of what it
 * receives from the peer and of what it sends to it), the simulcast layers it
 * picked for the peer's downlink, the video it had to stop, the share of
 * packets its transports lose each way (transport-wide feedback), and
 * whether any byte arrived from the peer lately. Pure: QualityMonitor
 * gathers, this decides.
 */
import type { Quality } from '../protocol/index.js';

export interface QualityInput {
  /** Nothing received from the peer for a while, or ICE disconnected. */
  lost: boolean;
  /** Per active producer of the peer: its best stream's score (uplink). */
  producerScores: readonly number[];
  /** Per flowing consumer of the peer: the score of what it receives (downlink). */
  consumerScores: readonly number[];
  /** Video the peer wants but cannot get: stopped for bandwidth, or no layer fits. */
  videoOff: number;
  /** Video the peer gets below the layer it asked for (mediasoup stepped down). */
  videoDown: number;
  /**
   * The share of packets lost (0-1) on the peer's worse direction, from its
   * transports' transport-wide feedback; undefined while unknown. The scores
   * alone rated a 300-kbit/s link losing 5 % "good" for a whole share in the
   * weak-link bench: a stream's score forgives steady loss that
   * retransmissions repair, which a person still hears and sees.
   */
  loss?: number;
}

/** Below this score a stream loses enough to be heard or seen (mediasoup: 10 is perfect). */
export const POOR_SCORE = 5;
export const FAIR_SCORE = 8;
/** Loss (0-1) a person notices: video freezes and repairs, speech gets clipped (fair), or much of it (poor). */
export const FAIR_LOSS = 0.02;
export const POOR_LOSS = 0.08;

export function deriveQuality(input: QualityInput): Quality {
  if (input.lost) return 'lost';
  const worst = Math.min(10, ...input.producerScores, ...input.consumerScores);
  const loss = input.loss ?? 0;
  if (input.videoOff > 0 || worst < POOR_SCORE || loss >= POOR_LOSS) return 'poor';
  if (input.videoDown > 0 || worst < FAIR_SCORE || loss >= FAIR_LOSS) return 'fair';
  return 'good';
}
