/**
 * Moderation (moderators only, see protocol/moderation.ts) and raised hands
 * (everyone). Every effect is enforced here, on the server: a muted
 * microphone is paused on the SFU, a stopped camera's producer is closed, a
 * removed participant's session is ended; a client that ignores the
 * notifications changes nothing.
 */
import type { Source } from '@chantier/sfu';
import { AppError } from '../errors.js';
import { canModerate, CloseReason, ErrorCode, WsCloseCode } from '../protocol/index.js';
import type { Room } from '../rooms/Room.js';
import type { Session } from '../ws/Session.js';
import type { HandlerDef } from './types.js';

export function requireModerator(session: Session): { room: Room; by: { peerId: string; displayName: string } } {
  if (!canModerate(session.identity!)) throw new AppError(ErrorCode.FORBIDDEN, 'only a moderator may do this');
  return {
    room: session.room!,
    by: { peerId: session.peerId!, displayName: session.displayName ?? session.identity!.displayName },
  };
}

/** Pauses the target's microphone on the SFU; others see producerPaused as for a self-mute. */
async function mute(room: Room, target: Session): Promise<void> {
  room.markMuted(target.peerId!);
  for (const producer of target.media?.producers.values() ?? []) {
    if ((producer.appData.source as Source) !== 'mic' || producer.paused) continue;
    await producer.pause();
    room.broadcast('producerPaused', { peerId: target.peerId!, producerId: producer.id }, target.peerId);
  }
}

/** Closes the target's producers of these sources; the peer's 'producerclosed' tells the others. */
function stop(target: Session, sources: readonly Source[]): void {
  for (const producer of [...(target.media?.producers.values() ?? [])]) {
    if (sources.includes(producer.appData.source as Source)) producer.close();
  }
}

export const moderate: HandlerDef<'moderate'> = {
  requires: 'joined',
  async handle({ session, connection }, { peerId, action }) {
    const { room, by } = requireModerator(session);
    const target = room.joinedSessions.get(peerId);
    if (!target) throw new AppError(ErrorCode.NOT_FOUND, 'no such participant in this meeting');
    if (action === 'remove') {
      if (target === session) throw new AppError(ErrorCode.BAD_REQUEST, 'use leave to leave the meeting');
      if (canModerate(target.identity!)) throw new AppError(ErrorCode.FORBIDDEN, 'a moderator cannot be removed');
    }
    // In the room's order, like the target's own producer changes.
    await room.serialProducerChange(`moderate-${action}`, async () => {
      switch (action) {
        case 'mute':
          await mute(room, target);
          break;
        case 'stopCamera':
          stop(target, ['camera']);
          break;
        case 'stopScreen':
          stop(target, ['screen', 'screen-audio']);
          break;
        case 'remove':
          break;
      }
    });
    room.broadcast('moderated', { peerId, action, by });
    session.log.info({ target: peerId, action }, 'moderation');
    if (action !== 'remove') return {};

    // Every session of that user in this meeting goes, and the user stays out.
    const userId = target.identity!.userId;
    room.markRemoved(userId);
    await room.stateSaved();
    const leaving = [...room.joinedSessions.values()].filter((s) => s.identity?.userId === userId);
    for (const s of leaving) {
      s.notify('removed', { by, reason: CloseReason.REMOVED });
      s.close(WsCloseCode.REMOVED, 'removed by a moderator');
    }
    // Out of the room now (peerLeft 'removed'); a session without a socket (grace) ends too.
    await Promise.all(leaving.map((s) => connection.end(s, CloseReason.REMOVED)));
    return {};
  },
};

export const setRoomPolicy: HandlerDef<'setRoomPolicy'> = {
  requires: 'joined',
  async handle({ session }, data) {
    const { room, by } = requireModerator(session);
    const policy = room.setPolicy({
      ...(data.locked !== undefined ? { locked: data.locked } : {}),
      ...(data.allowSelfUnmute !== undefined ? { allowSelfUnmute: data.allowSelfUnmute } : {}),
      ...(data.guestLobby !== undefined ? { guestLobby: data.guestLobby } : {}),
    });
    await room.stateSaved();
    room.broadcast('roomPolicy', { policy, by });
    // No lobby any more: whoever waits comes in.
    if (!policy.guestLobby) room.entry.admitAllWaiting(by);
    session.log.info({ policy }, 'room policy changed');
    return { policy };
  },
};

export const endMeeting: HandlerDef<'endMeeting'> = {
  requires: 'joined',
  async handle({ session, connection, afterResponse }) {
    const { room } = requireModerator(session);
    const sessions = room.beginEnd();
    const others = sessions.filter((s) => s !== session);
    for (const s of others) s.close(WsCloseCode.ROOM_CLOSED, CloseReason.ENDED);
    await Promise.all(others.map((s) => connection.end(s, CloseReason.ENDED)));
    // The moderator's own socket closes once the answer is on it.
    await connection.end(session, CloseReason.ENDED);
    afterResponse.push(() => setImmediate(() => session.close(WsCloseCode.ROOM_CLOSED, CloseReason.ENDED)));
    return {};
  },
};

export const raiseHand: HandlerDef<'raiseHand'> = {
  requires: 'joined',
  async handle({ session }, { raised }) {
    if (session.handRaised !== raised) {
      session.handRaised = raised;
      session.room!.broadcast('handRaised', { peerId: session.peerId!, raised });
    }
    return {};
  },
};
