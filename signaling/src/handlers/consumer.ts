import type { ConsumerAppData } from '@chantier/sfu';
import type { Consumer } from 'mediasoup/types';
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

/** Consumers given their join's key frame (consumersReady): once each, so that a client cannot make senders send key frames at will. */
const keyFramed = new WeakSet<Consumer>();

export const consumersReady: HandlerDef<'consumersReady'> = {
  requires: 'joined',
  async handle({ session }, { consumerIds }) {
    const consumers = consumerIds.map((consumerId) => session.media!.consumer(consumerId));
    const due = consumers.filter((consumer) => consumer.kind === 'video' && !consumer.closed && !keyFramed.has(consumer));
    for (const consumer of due) keyFramed.add(consumer);
    await Promise.all(due.map((consumer) => consumer.requestKeyFrame()));
    return {};
  },
};
