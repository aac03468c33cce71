import type { ConsumerAppData } from '@chantier/sfu';
import type { HandlerDef } from './types.js';

export const consume: HandlerDef<'consume'> = {
  requires: 'joined',
  async handle({ session }, { producerId }) {
    const producer = session.room!.media.findProducer(producerId);
    const consumer = await session.media!.consume(producer);
    const appData = consumer.appData as ConsumerAppData;
    return {
      consumerId: consumer.id,
      producerId,
      peerId: appData.producerPeerId,
      kind: consumer.kind,
      source: appData.source,
      rtpParameters: consumer.rtpParameters,
      producerPaused: consumer.producerPaused,
    };
  },
};

export const resumeConsumer: HandlerDef<'resumeConsumer'> = {
  requires: 'joined',
  async handle({ session }, { consumerId }) {
    await session.media!.resumeConsumer(consumerId);
    return {};
  },
};

export const pauseConsumer: HandlerDef<'pauseConsumer'> = {
  requires: 'joined',
  async handle({ session }, { consumerId }) {
    await session.media!.pauseConsumer(consumerId);
    return {};
  },
};
