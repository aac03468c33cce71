import { CloseReason, WsCloseCode } from '../protocol/index.js';
import type { HandlerDef } from './types.js';

export const join: HandlerDef<'join'> = {
  requires: 'ready',
  async handle({ session }, data) {
    return session.room!.join(session, data);
  },
};

export const leave: HandlerDef<'leave'> = {
  requires: 'ready',
  async handle({ session }) {
    await session.room!.detach(session, CloseReason.LEFT);
    session.state = 'closed';
    session.credentialRenewal?.stop();
    // Close after the response has been queued on the socket.
    setImmediate(() => session.close(WsCloseCode.LEFT, 'left'));
    return {};
  },
};
