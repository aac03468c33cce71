import { describe, expect, it } from 'vitest';
import { CAMERA_PRODUCER } from './producerOptions';
import { CAMERA_LAYER_WHILE_SHARING, fitCameraToShare, type CameraLike } from './presenterCamera';

/** A camera producer as mediasoup-client keeps it: the layer it was last set to, and each call. */
function fakeCamera(options: { failing?: boolean; closed?: boolean } = {}): CameraLike & { calls: number[] } {
  const camera = {
    closed: options.closed ?? false,
    maxSpatialLayer: undefined as number | undefined,
    calls: [] as number[],
    async setMaxSpatialLayer(layer: number): Promise<void> {
      camera.calls.push(layer);
      if (options.failing) throw new Error('renegotiation failed');
      camera.maxSpatialLayer = layer;
    },
  };
  return camera;
}

const TOP = (CAMERA_PRODUCER.encodings?.length ?? 0) - 1;

describe('fitCameraToShare', () => {
  it('sends the small layer only while sharing, and all of them again after', async () => {
    expect(TOP).toBeGreaterThan(CAMERA_LAYER_WHILE_SHARING);
    const camera = fakeCamera();
    await fitCameraToShare(camera, true);
    expect(camera.maxSpatialLayer).toBe(CAMERA_LAYER_WHILE_SHARING);
    await fitCameraToShare(camera, false);
    expect(camera.maxSpatialLayer).toBe(TOP);
    expect(camera.calls).toEqual([CAMERA_LAYER_WHILE_SHARING, TOP]);
  });

  it('leaves a camera that was never limited alone when nothing is shared (no renegotiation)', async () => {
    const camera = fakeCamera();
    await fitCameraToShare(camera, false);
    expect(camera.calls).toEqual([]);
  });

  it('does not set the same layer twice', async () => {
    const camera = fakeCamera();
    await fitCameraToShare(camera, true);
    await fitCameraToShare(camera, true);
    expect(camera.calls).toEqual([CAMERA_LAYER_WHILE_SHARING]);
  });

  it('does nothing without a camera or with a closed one, and never throws', async () => {
    await expect(fitCameraToShare(undefined, true)).resolves.toBeUndefined();
    const closed = fakeCamera({ closed: true });
    await fitCameraToShare(closed, true);
    expect(closed.calls).toEqual([]);
    const failing = fakeCamera({ failing: true });
    await expect(fitCameraToShare(failing, true)).resolves.toBeUndefined();
    expect(failing.calls).toEqual([CAMERA_LAYER_WHILE_SHARING]);
  });
});
