import type { HandlerDef } from './types.js';

/**
 * Where the downlink estimate of a phone or an audio-only peer starts (bps):
 * such a peer is the likeliest to be on a weak link, and the estimate rises
 * within a second where the link allows (mediasoup probes), whereas starting
 * at RTC_INITIAL_BITRATE floods a 300 kb/s link before it learns.
 */
export const LOW_START_BITRATE = 300_000;

export const createTransport: HandlerDef<'createTransport'> = {
  requires: 'joined',
  async handle({ session }, { direction }) {
    const media = session.media!;
    const low = direction === 'recv' && (session.device === 'phone' || media.audioOnly);
    return media.createTransport(direction, low ? { initialAvailableOutgoingBitrate: LOW_START_BITRATE } : {});
  },
};

export const connectTransport: HandlerDef<'connectTransport'> = {
  requires: 'joined',
  async handle({ session }, { transportId, dtlsParameters }) {
    await session.media!.connectTransport(transportId, dtlsParameters);
    return {};
  },
};

export const restartIce: HandlerDef<'restartIce'> = {
  requires: 'joined',
  async handle({ session }, { transportId }) {
    return { iceParameters: await session.media!.restartIce(transportId) };
  },
};
