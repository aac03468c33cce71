/**
 * How the microphone and camera are sent. Kept apart from the session logic
 * because these are tuning decisions, reviewed on their own.
 */
import type { ProducerOptions } from 'mediasoup-client/types';

/** The sources this client produces: all of the protocol's. */
export type LocalSource = 'mic' | 'camera' | 'screen' | 'screen-audio';

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

/**
 * Tab or system audio shared with a screen: stereo (music, a video's sound
 * track), FEC for lossy links, no DTX (it was made for speech pauses).
 */
export const SCREEN_AUDIO_PRODUCER: ProducerOptions = {
  ...COMMON,
  codecOptions: { opusStereo: true, opusDtx: false, opusFec: true },
};

/**
 * Screen sharing is tuned for plans and documents, not motion: the track is
 * hinted as 'detail' (the encoder's screen-content mode: sharper text, fewer
 * frames when nothing moves), and when the link or the CPU falls short the
 * sender drops frames, never resolution: an 8-px annotation halved is
 * unreadable, a plan at 5 fps is fine.
 */
export const SCREEN_CONTENT_HINT = 'detail';
export const SCREEN_DEGRADATION: RTCDegradationPreference = 'maintain-resolution';

/**
 * VP9 first, at 2 Mb/s, from `npm run bench -- screenshare` (a 1920x1080 plan
 * with 8-px text shared by tab capture; medians of 3 runs on the 2-core
 * machine, 2026-11-29):
 *
 *   still plan      PSNR dB   ≥40 dB after   kb/s
 *     VP9             46.4       4.0 s        116
 *     VP8             47.3       2.0 s        154
 *     H264            37.8       never         11
 *   scrolling plan (100 px/s, as when someone pans a drawing)
 *     VP9             49.5 (worst 37.1)      678
 *     VP8             28.4 (worst 26.9)     1110
 *     H264            40.2 (worst 38.9)      158
 *
 * On a still page VP8 and VP9 are equally legible; as soon as the page
 * moves VP8 falls to an unreadable 28 dB while spending 1.6x the bits, and
 * H264 (Chromium's OpenH264 here) never reaches 40 dB. VP9 at 1 or 1.5 Mb/s
 * lost 8 dB while scrolling, so the cap stays at 2 Mb/s (an idle screen
 * uses a tenth of it). Devices without VP9 fall back to VP8, then H264.
 */
export const SCREEN_CODECS: readonly string[] = ['video/VP9', 'video/VP8', 'video/H264'];
export const SCREEN_MAX_BITRATE = 2_000_000;

/**
 * One encoding, no downscaled simulcast layer: a quarter-size copy of a plan
 * is useless to anyone, and its bits are better spent on the full one.
 * Priority 'high' gives the screen the larger share of the uplink when the
 * camera competes for it. Started high so that the first seconds are legible.
 */
export function screenProducerOptions(maxBitrate: number): ProducerOptions {
  return {
    ...COMMON,
    encodings: [{ maxBitrate, priority: 'high' }],
    codecOptions: { videoGoogleStartBitrate: 1000 },
  };
}
