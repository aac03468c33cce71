/**
 * How a screen share is encoded on this device: which of the codecs the
 * browser and the room share to use, and the bitrate cap. The defaults are
 * in producerOptions.ts; a local override (for diagnostics on a given
 * machine, and for the codec benchmark) is read from localStorage once.
 */
import type { RtpCodecCapability } from 'mediasoup-client/types';
import { SCREEN_CODECS, SCREEN_MAX_BITRATE } from './producerOptions';

export interface ScreenTuning {
  /** MIME types, most preferred first; the first one the device can send wins. */
  codecs: readonly string[];
  /** Bits per second for the one encoding. */
  maxBitrate: number;
}

export const DEFAULT_SCREEN_TUNING: ScreenTuning = { codecs: SCREEN_CODECS, maxBitrate: SCREEN_MAX_BITRATE };

/** localStorage keys: 'VP8' or 'video/VP8'; bits per second. */
export const CODEC_OVERRIDE_KEY = 'chantier.screenCodec';
export const BITRATE_OVERRIDE_KEY = 'chantier.screenMaxBitrate';

/** Retransmission and error-correction "codecs" that carry no picture of their own. */
const NOT_PICTURE_CODECS = /\/(rtx|red|ulpfec|flexfec)/i;

const MIN_BITRATE = 100_000;
const MAX_BITRATE = 20_000_000;

/**
 * The codec to send a screen with: the first of `preference` that the device
 * can send to this room (`device.sendRtpCapabilities`, already intersected
 * with the router's). Undefined when none is there: mediasoup-client then
 * takes the room's first codec, which every browser sends (VP8).
 */
export function chooseScreenCodec(
  available: readonly RtpCodecCapability[],
  preference: readonly string[],
): RtpCodecCapability | undefined {
  for (const wanted of preference) {
    const match = available.find(
      (codec) =>
        codec.kind === 'video' &&
        !NOT_PICTURE_CODECS.test(codec.mimeType) &&
        codec.mimeType.toLowerCase() === wanted.toLowerCase(),
    );
    if (match) return match;
  }
  return undefined;
}

function normalizeMimeType(value: string): string {
  const trimmed = value.trim();
  return trimmed.includes('/') ? trimmed : `video/${trimmed}`;
}

/** The defaults, with a codec put first and a bitrate replaced when set and sane. */
export function readScreenTuning(storage: Pick<Storage, 'getItem'> | null): ScreenTuning {
  let codec: string | null = null;
  let bitrate: number | null = null;
  try {
    codec = storage?.getItem(CODEC_OVERRIDE_KEY) ?? null;
    const raw = storage?.getItem(BITRATE_OVERRIDE_KEY);
    bitrate = raw ? Number(raw) : null;
  } catch {
    // Storage blocked by privacy settings: no override, defaults it is.
  }
  const first = codec ? normalizeMimeType(codec) : null;
  return {
    codecs: first ? [first, ...DEFAULT_SCREEN_TUNING.codecs.filter((c) => c.toLowerCase() !== first.toLowerCase())] : DEFAULT_SCREEN_TUNING.codecs,
    maxBitrate:
      bitrate !== null && Number.isInteger(bitrate) && bitrate >= MIN_BITRATE && bitrate <= MAX_BITRATE
        ? bitrate
        : DEFAULT_SCREEN_TUNING.maxBitrate,
  };
}
