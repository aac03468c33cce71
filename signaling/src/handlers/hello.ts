import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyAccessToken } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import { ErrorCode, PROTOCOL_VERSION } from '../protocol/index.js';
import type { HandlerDef } from './types.js';

/** Failed authentication answers late, so that guessing tokens is slow. */
const AUTH_FAILURE_DELAY_MS = 250;

export const hello: HandlerDef<'hello'> = {
  requires: 'none',
  async handle({ session, config, rooms }, data) {
    if (session.state !== 'new') throw new AppError(ErrorCode.BAD_REQUEST, 'hello was already sent');
    if (data.protocol !== PROTOCOL_VERSION) {
      throw new AppError(ErrorCode.UNSUPPORTED_PROTOCOL, `this server speaks protocol ${PROTOCOL_VERSION}`);
    }
    let identity;
    try {
      if (!data.token) throw new AppError(ErrorCode.UNAUTHORIZED, 'no token');
      identity = await verifyAccessToken(data.token, config.jwtSecret);
    } catch (error) {
      await sleep(AUTH_FAILURE_DELAY_MS);
      throw error;
    }
    if (identity.projectId !== data.projectId) {
      await sleep(AUTH_FAILURE_DELAY_MS);
      throw new AppError(ErrorCode.FORBIDDEN, 'the token is for another project');
    }
    session.identity = identity;
    session.peerId = randomBytes(9).toString('base64url');
    session.log = session.log.child({ peerId: session.peerId, projectId: data.projectId, roomId: data.roomId });
    const room = await rooms.attach(session, data.projectId, data.roomId);
    session.room = room;
    session.state = 'ready';
    return {
      protocol: PROTOCOL_VERSION,
      peerId: session.peerId,
      projectId: data.projectId,
      roomId: data.roomId,
      self: { userId: identity.userId, displayName: identity.displayName, role: identity.role },
      routerRtpCapabilities: room.media.rtpCapabilities,
      // TURN servers with short-lived credentials come with the TURN issue.
      iceServers: [],
    };
  },
};
