import type { RtpCapabilities } from 'mediasoup/types';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_CHARS, MAX_KINDS, sharedRtpCapabilities } from './sharedCapabilities.js';

/** Capabilities as a join's JSON gives them: a new object each time. */
const parsed = (clockRate = 48000): RtpCapabilities =>
  JSON.parse(
    JSON.stringify({
      codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate, channels: 2, preferredPayloadType: 100, rtcpFeedback: [{ type: 'transport-cc' }] }],
      headerExtensions: [{ kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1 }],
    }),
  ) as RtpCapabilities;

describe('sharedRtpCapabilities', () => {
  it('gives one object for identical capabilities, another for different ones', () => {
    const first = parsed();
    expect(sharedRtpCapabilities(first)).toBe(first);
    const again = parsed();
    expect(again).not.toBe(first);
    expect(sharedRtpCapabilities(again)).toBe(first);
    const other = parsed(44100);
    expect(sharedRtpCapabilities(other)).toBe(other);
    expect(sharedRtpCapabilities(parsed(44100))).toBe(other);
  });

  it('keeps the most recently seen kinds only', () => {
    const kept = parsed(8000);
    sharedRtpCapabilities(kept);
    for (let i = 1; i < MAX_KINDS; i++) sharedRtpCapabilities(parsed(10_000 + i));
    // Seen again: the most recent now, it outlives the next newcomer.
    expect(sharedRtpCapabilities(parsed(8000))).toBe(kept);
    const oldest = parsed(10_001);
    sharedRtpCapabilities(parsed(20_000));
    expect(sharedRtpCapabilities(parsed(8000))).toBe(kept);
    // 10_001 was the least recently seen: it went, and comes back as a new object.
    expect(sharedRtpCapabilities(oldest)).toBe(oldest);
  });

  it('keeps no capabilities larger than a browser sends in the table', () => {
    const huge = (): RtpCapabilities => ({ ...parsed(), headerExtensions: [{ kind: 'audio', uri: 'x'.repeat(MAX_JSON_CHARS), preferredId: 1 }] }) as RtpCapabilities;
    const first = huge();
    expect(sharedRtpCapabilities(first)).toBe(first);
    const second = huge();
    expect(sharedRtpCapabilities(second)).toBe(second);
  });

  it('gives back, unshared and without throwing, capabilities nested too deep to serialise (fuzz.int found one)', () => {
    // As the server gets them: JSON.parse does not recurse, JSON.stringify does.
    const deep = JSON.parse(`{"codecs":[],"headerExtensions":[],"x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`) as RtpCapabilities;
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(sharedRtpCapabilities(deep)).toBe(deep);
  });
});
