import { AppError } from '../errors.js';
import { CloseReason, ErrorCode, WsCloseCode } from '../protocol/index.js';
import type { Room } from '../rooms/Room.js';
import type { Session } from '../ws/Session.js';
import type { HandlerDef } from './types.js';

/** A project page's socket (hello without roomId) has no meeting to join or leave. */
function meetingOf(session: Session): Room {
  if (!session.room) throw new AppError(ErrorCode.BAD_REQUEST, 'this socket is not a meeting\'s (hello with a roomId)');
  return session.room;
}

export const join: HandlerDef<'join'> = {
  requires: 'ready',
  async handle({ session }, data) {
    return meetingOf(session).join(session, data);
  },
};

export const leave: HandlerDef<'leave'> = {
  requires: 'ready',
  async handle({ session }) {
    await meetingOf(session).detach(session, CloseReason.LEFT);
    session.state = 'closed';
    session.credentialRenewal?.stop();
    // Close after the response has been queued on the socket.
    setImmediate(() => session.close(WsCloseCode.LEFT, 'left'));
    return {};
  },
};
