/**
 * When a recorded video track needs a new segment (a new file): when the
 * picture's resolution changes, which for a simulcast producer is a change of
 * spatial layer (each layer is its own encoding, at its own size).
 *
 * mediasoup's `layerschange` fires far more often than that: at the first
 * keyframe of a segment, on each temporal layer change (same size, another
 * frame rate), and with no layers when the consumer or the producer pauses,
 * which the recorder itself does to start a segment. Taking each of these
 * for a resolution change cut a segment, paused (another event), and so on
 * without end: every video file was stopped before FFmpeg had written a
 * frame, and meetings with cameras were stored as voices only.
 */
import type { ConsumerLayers } from 'mediasoup/types';

export interface LayerStep {
  /** The spatial layer the current segment is written at (undefined: none seen yet). */
  spatial: number | undefined;
  /** The resolution changed: end this segment and start another. */
  newSegment: boolean;
}

/** What a `layerschange` means for the segment being written at spatial layer `current`. */
export function layerStep(current: number | undefined, layers: ConsumerLayers | undefined): LayerStep {
  // Paused (by us, the sender or the link): no picture, no resolution to compare.
  if (!layers) return { spatial: current, newSegment: false };
  // The segment's first picture: its size is this layer's.
  if (current === undefined) return { spatial: layers.spatialLayer, newSegment: false };
  // A temporal layer change keeps the size.
  if (layers.spatialLayer === current) return { spatial: current, newSegment: false };
  return { spatial: layers.spatialLayer, newSegment: true };
}
