/**
 * refreshToken: the embedding platform gave the client a fresh access token
 * during a long meeting. The session takes the new token's identity (expiry,
 * role) without any change to its socket, room or media.
 *
 * What a token's expiry means: it is checked when a socket authenticates
 * (hello, a resume's hello included) and on every HTTP request. A session
 * whose token expires while its socket lives is NOT cut: the call goes on.
 * But a resume after a network loss, and the document API, need a token that
 * is still valid: that is what the refresh is for.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import type { HandlerDef } from './types.js';

/** Failed authentication answers late, as at hello. */
const AUTH_FAILURE_DELAY_MS = 250;

export const refreshToken: HandlerDef<'refreshToken'> = {
  requires: 'ready',
  async handle({ app, session }, data) {
    const current = session.identity;
    if (!current) throw new AppError(ErrorCode.HELLO_REQUIRED, 'send hello before refreshToken');
    let identity;
    try {
      identity = await app.tokens.verify(data.token);
      if (identity.userId !== current.userId || identity.projectId !== session.projectId) {
        throw new AppError(ErrorCode.FORBIDDEN, 'the token is for another user or project');
      }
      // A token limited to a meeting cannot carry a session elsewhere.
      if (identity.roomId !== undefined && identity.roomId !== session.room?.roomId) {
        throw new AppError(ErrorCode.FORBIDDEN, 'the token is for another meeting');
      }
    } catch (error) {
      await sleep(AUTH_FAILURE_DELAY_MS);
      throw error;
    }
    // The session may have ended while the token was being checked.
    if (session.state === 'closed') throw new AppError(ErrorCode.BAD_REQUEST, 'session closed');
    if (identity.role !== current.role) {
      session.log.info({ from: current.role, to: identity.role }, 'role changed by a refreshed token');
    }
    session.identity = identity;
    session.log.debug({ expiresAt: identity.expiresAt }, 'token refreshed');
    return { expiresAt: Math.floor(identity.expiresAt), role: identity.role };
  },
};
