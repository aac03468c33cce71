import type { HandlerDef } from './types.js';

export const createTransport: HandlerDef<'createTransport'> = {
  requires: 'joined',
  async handle({ session }, { direction }) {
    return session.media!.createTransport(direction);
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
