import type { RtpCodecCapability } from 'mediasoup-client/types';
import { describe, expect, it } from 'vitest';
import { BITRATE_OVERRIDE_KEY, CODEC_OVERRIDE_KEY, DEFAULT_SCREEN_TUNING, chooseScreenCodec, readScreenTuning } from './screenTuning';

const codec = (mimeType: string, preferredPayloadType: number): RtpCodecCapability => ({
  kind: mimeType.startsWith('audio') ? 'audio' : 'video',
  mimeType,
  preferredPayloadType,
  clockRate: mimeType.startsWith('audio') ? 48000 : 90000,
});

/** What a Chromium's sendRtpCapabilities look like against the room's router. */
const chromium = [codec('audio/opus', 100), codec('video/VP8', 101), codec('video/rtx', 102), codec('video/VP9', 103), codec('video/H264', 105)];

describe('chooseScreenCodec', () => {
  it('takes the first preferred codec the device can send, whatever the case', () => {
    expect(chooseScreenCodec(chromium, ['video/vp9', 'video/VP8'])?.mimeType).toBe('video/VP9');
    expect(chooseScreenCodec(chromium, ['video/H264', 'video/VP9'])?.preferredPayloadType).toBe(105);
  });

  it('falls back down the list when the device lacks the first choice', () => {
    const noVp9 = chromium.filter((c) => c.mimeType !== 'video/VP9');
    expect(chooseScreenCodec(noVp9, ['video/VP9', 'video/H264', 'video/VP8'])?.mimeType).toBe('video/H264');
  });

  it('returns undefined (the room default) when nothing preferred is there, and never picks rtx or audio', () => {
    expect(chooseScreenCodec(chromium, ['video/AV1'])).toBeUndefined();
    expect(chooseScreenCodec(chromium, ['video/rtx'])).toBeUndefined();
    expect(chooseScreenCodec(chromium, ['audio/opus'])).toBeUndefined();
  });
});

describe('readScreenTuning', () => {
  const storage = (entries: Record<string, string>) => ({ getItem: (key: string) => entries[key] ?? null });

  it('uses the defaults without storage or overrides', () => {
    expect(readScreenTuning(null)).toEqual(DEFAULT_SCREEN_TUNING);
    expect(readScreenTuning(storage({}))).toEqual(DEFAULT_SCREEN_TUNING);
  });

  it('puts an overridden codec first and keeps the others as fallbacks', () => {
    const tuning = readScreenTuning(storage({ [CODEC_OVERRIDE_KEY]: 'h264' }));
    expect(tuning.codecs[0]).toBe('video/h264');
    expect(tuning.codecs).toHaveLength(DEFAULT_SCREEN_TUNING.codecs.length);
  });

  it('accepts a sane bitrate and ignores a silly one', () => {
    expect(readScreenTuning(storage({ [BITRATE_OVERRIDE_KEY]: '1500000' })).maxBitrate).toBe(1_500_000);
    for (const bad of ['12', 'fast', '1e12', '2.5']) {
      expect(readScreenTuning(storage({ [BITRATE_OVERRIDE_KEY]: bad })).maxBitrate).toBe(DEFAULT_SCREEN_TUNING.maxBitrate);
    }
  });

  it('survives storage that throws', () => {
    const blocked = {
      getItem(): string | null {
        throw new Error('SecurityError');
      },
    };
    expect(readScreenTuning(blocked)).toEqual(DEFAULT_SCREEN_TUNING);
  });
});
