/**
 * The options a producer is made with, per source (producerOptions.ts has
 * the tuning), and what a shared screen's sender is told once made.
 */
import type { Producer, ProducerOptions, RtpCodecCapability } from 'mediasoup-client/types';
import { createLogger } from '../log';
import {
  CAMERA_PRODUCER,
  MIC_PRODUCER,
  SCREEN_AUDIO_PRODUCER,
  SCREEN_DEGRADATION,
  screenProducerOptions,
  type LocalSource,
} from './producerOptions';
import { chooseScreenCodec, type ScreenTuning } from './screenTuning';
import { setDegradationPreference } from './senderParameters';

const log = createLogger('media-session');

/** `sendCodecs`: what this browser can encode for this room (the Device's sendRtpCapabilities). */
export function sendOptionsFor(source: LocalSource, sendCodecs: RtpCodecCapability[], screenTuning: ScreenTuning): ProducerOptions {
  switch (source) {
    case 'mic':
      return MIC_PRODUCER;
    case 'camera':
      return CAMERA_PRODUCER;
    case 'screen-audio':
      return SCREEN_AUDIO_PRODUCER;
    case 'screen': {
      const { codecs, maxBitrate } = screenTuning;
      const codec = chooseScreenCodec(sendCodecs, codecs);
      if (!codec) log.warn(`none of ${codecs.join(', ')} can be sent; the room's default codec is used`);
      return { ...screenProducerOptions(maxBitrate), ...(codec ? { codec } : {}) };
    }
  }
}

/** Frames, not pixels, go when the link or the CPU is short (see SCREEN_DEGRADATION). */
export async function preferResolution(producer: Producer): Promise<void> {
  const sender = producer.rtpSender;
  if (!sender) return;
  try {
    const applied = await setDegradationPreference(sender, SCREEN_DEGRADATION);
    if (applied !== SCREEN_DEGRADATION) log.warn(`degradationPreference not applied (${String(applied)})`);
  } catch (error) {
    // Sharing without it beats not sharing: the content hint already leans the same way.
    log.warn('cannot set degradationPreference', error);
  }
}
