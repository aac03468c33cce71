import { sharedRtpCapabilities } from '@chantier/sfu';
import { AppError } from '../errors.js';
import { CloseReason, ErrorCode, WsCloseCode } from '../protocol/index.js';
import { announce, minutesActor } from './minutes.js';
import type { HandlerDef } from './types.js';

export const join: HandlerDef<'join'> = {
  requires: 'ready',
  async handle({ app, session }, data) {
    // A project page's socket (hello without roomId) has no meeting to join.
    if (!session.room) throw new AppError(ErrorCode.BAD_REQUEST, 'this socket has no meeting: hello with a roomId to join one');
    const recordsAsked = performance.now();
    // The peer keeps its capabilities for its life: identical ones are one object (sfu/src/sharedCapabilities.ts).
    const request = { ...data, rtpCapabilities: sharedRtpCapabilities(data.rtpCapabilities) };
    const joined = await session.room.join(session, request, (phase, seconds) => app.metrics.observeJoinPhase(phase, seconds));
    session.joinAnsweredAt = performance.now();
    // After the answer, once the meeting's record has its id: minutes already open for this
    // meeting mark the newcomer present (best effort: the join stands).
    void session.joinRecorded?.then(async () => {
      app.metrics.observeJoinPhase('records', (performance.now() - recordsAsked) / 1000);
      if (!session.meetingId || session.state !== 'joined') return;
      await app.minutes
        .joined(await minutesActor(session))
        .then((result) => result && announce(session, result))
        .catch((error: unknown) => session.log.warn({ err: error }, 'attendance not updated'));
    });
    return joined;
  },
};

/** On the join screen: the meeting's consumers made paused, for the join to resume (RoomEntry.prepareConsumers). */
export const prepareConsumers: HandlerDef<'prepareConsumers'> = {
  requires: 'ready',
  async handle({ session }, data) {
    if (!session.room) throw new AppError(ErrorCode.BAD_REQUEST, 'this socket has no meeting: hello with a roomId to join one');
    return session.room.entry.prepareConsumers(session, { ...data, rtpCapabilities: sharedRtpCapabilities(data.rtpCapabilities) });
  },
};

export const leave: HandlerDef<'leave'> = {
  requires: 'ready',
  async handle({ session }) {
    // A project page's socket has no room: leaving just ends it (leave is always allowed).
    await session.room?.detach(session, CloseReason.LEFT);
    session.state = 'closed';
    session.credentialRenewal?.stop();
    // Close after the response has been queued on the socket.
    setImmediate(() => session.close(WsCloseCode.LEFT, 'left'));
    return {};
  },
};
