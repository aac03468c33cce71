/**
 * How well one participant's media gets through, from what the SFU already
 * knows: mediasoup's scores (0-10, from loss and retransmissions, of what it
 * receives from the peer and of what it sends to it), the simulcast layers it
 * picked for the peer's downlink, the video it had to stop, and whether any
 * byte arrived from the peer lately. Pure: QualityMonitor gathers, this decides.
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
}

/** Below this score a stream loses enough to be heard or seen (mediasoup: 10 is perfect). */
export const POOR_SCORE = 5;
export const FAIR_SCORE = 8;

export function deriveQuality(input: QualityInput): Quality {
  if (input.lost) return 'lost';
  const worst = Math.min(10, ...input.producerScores, ...input.consumerScores);
  if (input.videoOff > 0 || worst < POOR_SCORE) return 'poor';
  if (input.videoDown > 0 || worst < FAIR_SCORE) return 'fair';
  return 'good';
}
