import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import type { HandlerDef } from './types.js';

const UNMUTE_REFUSED = 'a moderator muted you and the meeting does not allow unmuting yourself';

/** Sessions that asked to produce since joining: the join's first_produce phase is measured once. */
const produced = new WeakSet<object>();

export const produce: HandlerDef<'produce'> = {
  requires: 'joined',
  async handle({ app, session }, data) {
    const room = session.room!;
    const peerId = session.peerId!;
    if (session.joinAnsweredAt !== undefined && !produced.has(session)) {
      produced.add(session);
      app.metrics.observeJoinPhase('first_produce', (performance.now() - session.joinAnsweredAt) / 1000);
    }
    // A new microphone would get round a moderator's mute.
    if (data.source === 'mic' && !data.paused && room.selfUnmuteBlocked(peerId)) {
      throw new AppError(ErrorCode.UNMUTE_NOT_ALLOWED, UNMUTE_REFUSED);
    }
    // In the room's order: a peer joining now either lists this producer in
    // its join answer or gets producerAdded, never both and never neither.
    return room.serialProducerChange('produce', async () => {
      const producer = await session.media!.produce(data);
      // Before the others consume it: a viewer on a weak downlink gets its still (rooms/ScreenStills.ts).
      if (data.source === 'screen') room.screenShared(producer.id, peerId);
      room.broadcast(
        'producerAdded',
        { peerId, producer: { producerId: producer.id, kind: producer.kind, source: data.source, paused: producer.paused } },
        peerId,
      );
      // Recorded from when it sends, when the meeting is being recorded.
      app.recordings.producerAdded(room, producer);
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
    if (producer.appData.source === 'mic') {
      const room = session.room!;
      if (room.selfUnmuteBlocked(session.peerId!)) throw new AppError(ErrorCode.UNMUTE_NOT_ALLOWED, UNMUTE_REFUSED);
      room.clearMuted(session.peerId!);
    }
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
