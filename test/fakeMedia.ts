/**
 * RTP parameters as a browser would send them in `produce`, for tests that
 * drive the SFU without a browser (no packets flow; the browser tests do that).
 */
import type { RtpCapabilities, RtpParameters } from 'mediasoup/types';

let ssrc = 1000;

export function audioRtpParameters(): RtpParameters {
  return {
    mid: 'AUDIO',
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: { useinbandfec: 1, usedtx: 1 },
        rtcpFeedback: [{ type: 'transport-cc' }],
      },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 },
      { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 10 },
    ],
    encodings: [{ ssrc: ssrc++ }],
    rtcp: { cname: 'test-audio' },
  };
}

export function videoRtpParameters(): RtpParameters {
  const base = (ssrc += 10);
  return {
    mid: 'VIDEO',
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        rtcpFeedback: [
          { type: 'nack' },
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
          { type: 'goog-remb' },
          { type: 'transport-cc' },
        ],
      },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] },
    ],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
    encodings: [
      { ssrc: base, rtx: { ssrc: base + 1 }, maxBitrate: 150_000 },
      { ssrc: base + 2, rtx: { ssrc: base + 3 }, maxBitrate: 600_000 },
    ],
    rtcp: { cname: 'test-video' },
  };
}

/** A receiving device that supports only Opus and VP8 (like an old browser). */
export function deviceRtpCapabilities(routerCaps: RtpCapabilities, mimeTypes?: string[]): RtpCapabilities {
  return {
    codecs: (routerCaps.codecs ?? []).filter(
      (c) => !mimeTypes || mimeTypes.includes(c.mimeType) || c.mimeType === 'video/rtx',
    ),
    headerExtensions: routerCaps.headerExtensions ?? [],
  };
}

export function dtlsParameters() {
  return {
    role: 'client' as const,
    fingerprints: [
      {
        algorithm: 'sha-256' as const,
        value: 'E5:F5:CA:A7:2D:93:E6:16:AC:21:09:9F:23:51:62:8C:D0:66:E9:0C:22:54:2B:82:0C:DF:E0:C5:2C:7E:CD:53',
      },
    ],
  };
}
