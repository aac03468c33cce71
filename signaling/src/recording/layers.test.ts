import { describe, expect, it } from 'vitest';
import type { ConsumerLayers } from 'mediasoup/types';
import { layerStep } from './layers.js';

/** Runs a sequence of layerschange events; returns the events at which a new segment starts. */
function cuts(events: Array<ConsumerLayers | undefined>): number[] {
  let spatial: number | undefined;
  const out: number[] = [];
  events.forEach((layers, i) => {
    const step = layerStep(spatial, layers);
    spatial = step.spatial;
    if (step.newSegment) out.push(i);
  });
  return out;
}

describe('layerStep', () => {
  it('starts no segment for the first picture, temporal layer changes or pauses', () => {
    // What a Chromium camera's simulcast consumer emits in its first seconds (resume, first keyframe, temporal layers ramping).
    expect(
      cuts([
        { spatialLayer: 1, temporalLayer: 0 },
        { spatialLayer: 1, temporalLayer: 1 },
        { spatialLayer: 1, temporalLayer: 2 },
        undefined, // the sender paused its camera
        { spatialLayer: 1, temporalLayer: 0 },
      ]),
    ).toEqual([]);
  });

  it('starts a segment when the spatial layer (the resolution) changes, once per change', () => {
    expect(
      cuts([
        { spatialLayer: 0, temporalLayer: 0 },
        { spatialLayer: 1, temporalLayer: 0 }, // 320x180 → 640x360
        undefined, // the recorder pauses to cut the segment
        { spatialLayer: 1, temporalLayer: 0 }, // resumed at the same layer: no second cut
        { spatialLayer: 1, temporalLayer: 2 },
        { spatialLayer: 0, temporalLayer: 2 }, // back down
      ]),
    ).toEqual([1, 5]);
  });

  it('keeps the segment’s layer across a pause', () => {
    expect(layerStep(1, undefined)).toEqual({ spatial: 1, newSegment: false });
    expect(layerStep(undefined, undefined)).toEqual({ spatial: undefined, newSegment: false });
  });
});
