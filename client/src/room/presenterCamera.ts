/**
 * The presenter's camera while its screen is shared: the small simulcast
 * layer only (Meet and Jitsi do the same). Sharing a plan is CPU-bound on a
 * modest machine: the screen encoder refines a still picture a bounded step
 * per frame, so the time to a legible plan is a count of frames, and every
 * millisecond the camera's 640x360 encoding takes is one the screen's does
 * not get (scripts/bench/README.md, "screenshare"). Viewers then see the
 * presenter small beside the plan, which is how the stage shows them anyway;
 * the top layer comes back when the share ends.
 */
import type { Producer } from 'mediasoup-client/types';
import { createLogger } from '../log';
import { CAMERA_PRODUCER } from './producerOptions';

const log = createLogger('media-session');

/** The camera's highest spatial layer beside a shared screen: the lowest (320x180). */
export const CAMERA_LAYER_WHILE_SHARING = 0;

/** The camera's highest spatial layer, as produced. */
const CAMERA_TOP_LAYER = (CAMERA_PRODUCER.encodings?.length ?? 1) - 1;

/** What mediasoup-client's Producer offers for this. */
export type CameraLike = Pick<Producer, 'closed' | 'maxSpatialLayer' | 'setMaxSpatialLayer'>;

/**
 * Sends the camera's small layer only while a screen is shared, all of them
 * otherwise. Never throws: a camera left at full size costs CPU, not the share.
 */
export async function fitCameraToShare(camera: CameraLike | undefined, sharing: boolean): Promise<void> {
  if (!camera || camera.closed) return;
  // Never limited (undefined): all layers are on already, nothing to renegotiate.
  if (!sharing && camera.maxSpatialLayer === undefined) return;
  const layer = sharing ? CAMERA_LAYER_WHILE_SHARING : CAMERA_TOP_LAYER;
  if (camera.maxSpatialLayer === layer) return;
  try {
    await camera.setMaxSpatialLayer(layer);
  } catch (error) {
    if (!camera.closed) log.warn(`cannot set the camera's top layer to ${layer}`, error);
  }
}
