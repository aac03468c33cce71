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

/**
 * Opus for speech on site networks: mono, DTX (silence costs nearly nothing,
 * so a room of listeners is cheap), in-band FEC (a lost packet is rebuilt
 * from the next one), a speech bitrate and 40-ms packets.
 *
 * At 20 ms, headers (IP, UDP, RTP, its extensions, SRTP tag: ~60 bytes, 50
 * times a second) cost 24 kb/s per voice, more than the voice itself
 * (measured: ~37 kb/s on the wire per continuous voice, 111 kb/s for three).
 * 40-ms frames halve that (the audio-only test measures the total) for 20 ms
 * more latency; FEC still rebuilds a single lost packet. 20 kb/s is the top
 * of Opus's range for wideband speech (RFC 7587, 3.1.1: 16-20 kb/s); Opus
 * would otherwise take up to ~40 kb/s. At 24 kb/s an audio-only listener of
 * three continuous voices received 107.2, 107.0 and 109.6 kb/s (`npm run
 * bench -- audio-only`, 3 runs, 2026-12-06), over issue 21's 100; at 20 kb/s
 * 81.1, 81.7 and 75.8 kb/s (one talking, DTX: 40.0-40.7 -> 30.0-31.8 kb/s).
 */
export const SPEECH_BITRATE = 20_000;
export const SPEECH_PTIME_MS = 40;
export const MIC_PRODUCER: ProducerOptions = {
  ...COMMON,
  codecOptions: {
    opusStereo: false,
    opusDtx: true,
    opusFec: true,
    opusMaxAverageBitrate: SPEECH_BITRATE,
    opusPtime: SPEECH_PTIME_MS,
  },
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
 * with hairlines and 8-px text shared by real tab capture, viewer and sharer
 * with their cameras on; Chromium 156 on the 2-core machine, loopback;
 * medians of 3 runs, each started on an otherwise idle machine; luma PSNR
 * against the plan; run of 2026-11-29 10:24):
 *
 *   2 Mb/s cap       first   still plan          scrolling plan (100 px/s)
 *                    frame   ≥40 dB   PSNR       PSNR (worst)   fps   kb/s
 *     VP9            3.6 s   5.0 s    46.2 dB    49.3 (38.3)    4.1    646
 *     VP8            2.5 s   2.0 s    47.1 dB    28.9 (27.3)    3.4    980
 *     H264           2.2 s   never    38.2 dB    40.3 (39.4)    5.5    245
 *   VP9 at 1.5 Mb/s  2.5 s   5.0 s    46.3 dB    49.6 (37.6)    4.2    640
 *   VP9 at 1 Mb/s    2.6 s   6.0 s    46.5 dB    47.6 (37.6)    4.5    588
 *
 * On a still page VP8 and VP9 end equally legible (VP8 gets there sooner);
 * as soon as the page moves VP8 smears to an unreadable 29 dB while spending
 * 1.5x VP9's bits, and H264 (Chromium's software OpenH264 here) never
 * sharpens a still plan past 38 dB. CPU was the same for all three (the
 * capture dominates). Devices without VP9 fall back to VP8, then H264.
 *
 * The cap: here the CPU holds the capture to ~4-6 fps and the encoder asks
 * for ~0.65 Mb/s while scrolling, so 1.5 and 2 Mb/s measure the same and
 * 1 Mb/s is a little worse (6 s to sharp, one run in 3 at 37 dB while
 * scrolling). A laptop capturing 3-5x more frames needs 3-5x the bits, so the
 * cap is the most the uplink budget allows: 2 Mb/s + the camera's 750 kb/s +
 * voices stays under the server's 3 Mb/s per sender (sfu MAX_INCOMING_BITRATE).
 * An idle screen uses a tenth of it.
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
