/**
 * The guests' lobby: a guest knocks before joining and waits until a
 * moderator admits them (when the meeting asks it: policy.guestLobby). The
 * server enforces it at `join` (ADMISSION_REQUIRED); rooms/Lobby.ts keeps
 * the waiting list and the decisions.
 */
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import { requireModerator } from './moderation.js';
import type { HandlerDef } from './types.js';

export const knock: HandlerDef<'knock'> = {
  requires: 'ready',
  async handle({ session }, data) {
    const room = session.room;
    if (!room) throw new AppError(ErrorCode.BAD_REQUEST, 'knock is for a meeting socket (hello with a roomId)');
    return room.entry.knock(session, data.displayName);
  },
};

export const admit: HandlerDef<'admit'> = {
  requires: 'joined',
  async handle({ session }, { peerId, allow }) {
    const { room, by } = requireModerator(session);
    room.entry.admit(peerId, allow, by);
    return {};
  },
};
