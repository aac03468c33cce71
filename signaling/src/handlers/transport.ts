import type { HandlerDef } from './types.js';

/**
 * Where the downlink estimate of an audio-only peer starts (bps): it receives
 * voices only, so a low start costs nothing and never floods a weak link.
 *
 * Phones start at RTC_INITIAL_BITRATE like everyone else. Starting them at
 * 300 kb/s too was tried: a shared 1920x1080 plan's first key frame then took
 * more than 5 s to reach a phone viewer (the screen-share test failed in a
 * fresh-clone run), and a weak link is already protected by mediasoup's own
 * estimate and the downlink guard (the weak-network test: 0.5 % concealed
 * audio at 300 kbit/s with a desktop-start estimate).
 */
export const LOW_START_BITRATE = 300_000;

export const createTransport: HandlerDef<'createTransport'> = {
  requires: 'joined',
  async handle({ session }, { direction }) {
    const media = session.media!;
    const low = direction === 'recv' && media.audioOnly;
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
