import type { HandlerDef } from './types.js';

export const produce: HandlerDef<'produce'> = {
  requires: 'joined',
  async handle({ session }, data) {
    const room = session.room!;
    const peerId = session.peerId!;
    // In the room's order: a peer joining now either lists this producer in
    // its join answer or gets producerAdded, never both and never neither.
    return room.serialProducerChange('produce', async () => {
      const producer = await session.media!.produce(data);
      room.broadcast(
        'producerAdded',
        { peerId, producer: { producerId: producer.id, kind: producer.kind, source: data.source, paused: producer.paused } },
        peerId,
      );
      return { producerId: producer.id };
    });
  },
};

export const pauseProducer: HandlerDef<'pauseProducer'> = {
  requires: 'joined',
  async handle({ session }, { producerId }) {
    const producer = session.media!.producer(producerId);
    if (!producer.paused) {
      await producer.pause();
      session.room!.broadcast('producerPaused', { peerId: session.peerId!, producerId }, session.peerId);
    }
    return {};
  },
};

export const resumeProducer: HandlerDef<'resumeProducer'> = {
  requires: 'joined',
  async handle({ session }, { producerId }) {
    const producer = session.media!.producer(producerId);
    if (producer.paused) {
      await producer.resume();
      session.room!.broadcast('producerResumed', { peerId: session.peerId!, producerId }, session.peerId);
    }
    return {};
  },
};

export const closeProducer: HandlerDef<'closeProducer'> = {
  requires: 'joined',
  async handle({ session }, { producerId }) {
    // The peer's 'producerclosed' event broadcasts producerClosed.
    session.media!.producer(producerId).close();
    return {};
  },
};
