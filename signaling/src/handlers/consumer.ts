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

/** The join's video consumers started by consumersReady: once each, so that a client cannot make senders send key frames at will. */
const started = new WeakSet<Consumer>();

/** The join answer's consumers are made on the page: its videos start now, each from a key frame. */
export const consumersReady: HandlerDef<'consumersReady'> = {
  requires: 'joined',
  async handle({ session }, { consumerIds }) {
    const consumers = consumerIds.map((consumerId) => session.media!.consumer(consumerId));
    const due = consumers.filter((consumer) => consumer.kind === 'video' && !consumer.closed && !started.has(consumer));
    for (const consumer of due) started.add(consumer);
    await Promise.all(
      due.map(async (consumer) => {
        await session.media!.resumeConsumer(consumer.id);
        // mediasoup asks for one as it resumes a video; asked here too for a consumer that other
        // reasons keep paused (not on screen): it syncs on the next one once they are gone.
        if (!consumer.closed) await consumer.requestKeyFrame();
      }),
    );
    return {};
  },
};
