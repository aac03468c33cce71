/**
 * How the microphone and camera are sent. Kept apart from the session logic
 * because these are tuning decisions, reviewed on their own.
 */
import type { ProducerOptions } from 'mediasoup-client/types';

/** The sources this client produces today (screen sharing comes later). */
export type LocalSource = 'mic' | 'camera';

/**
 * Common to both: the controller owns and stops tracks (stopTracks false), and
 * a paused producer disables its track so that nothing leaks before the
 * server has processed the pause.
 */
const COMMON: ProducerOptions = { stopTracks: false, disableTrackOnPause: true, zeroRtpOnPause: false };

/** Opus, mono, DTX (silence costs nearly nothing) and in-band FEC (lossy site networks). */
export const MIC_PRODUCER: ProducerOptions = {
  ...COMMON,
  codecOptions: { opusStereo: false, opusDtx: true, opusFec: true },
};

/**
 * Two simulcast layers: 320x180 at 150 kb/s for small tiles and weak links,
 * 640x360 at 600 kb/s for the speaker. Start high so that the picture is sharp
 * from the first seconds rather than ramping up from the browser's default.
 */
export const CAMERA_PRODUCER: ProducerOptions = {
  ...COMMON,
  encodings: [
    { scaleResolutionDownBy: 2, maxBitrate: 150_000 },
    { scaleResolutionDownBy: 1, maxBitrate: 600_000 },
  ],
  codecOptions: { videoGoogleStartBitrate: 1000 },
};
