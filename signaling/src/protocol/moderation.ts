/**
 * Who may moderate a meeting (mute, stop someone's camera or screen, remove,
 * lock, end for all, admit guests). One function on purpose: per-meeting
 * moderators, if they come, change this line and nothing else.
 *
 * The project's owners and moderators. Part of the protocol module so that the client
 * (which shows moderation controls) and the server (which enforces them) share it.
 *
 * Below it, the moderation part of the protocol: the actions and the room's
 * rules, `moderationRequests` and `moderationNotifications`, which messages.ts
 * spreads into its maps (the guest lobby is lobby.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Empty, Id } from './pieces.js';
import type { Role } from './presence.js';

export function canModerate(peer: { readonly role: Role }): boolean {
  return peer.role === 'owner' || peer.role === 'moderator';
}

/** What a moderator can do to another participant (request `moderate`). */
export const ModerationAction = Type.Union([
  Type.Literal('mute'),
  Type.Literal('stopCamera'),
  Type.Literal('stopScreen'),
  Type.Literal('remove'),
]);
export type ModerationAction = Static<typeof ModerationAction>;

/** The meeting's rules, set by moderators (setRoomPolicy); sent on join and on change. */
export const RoomPolicy = Type.Object({
  /** New joins are refused (ROOM_LOCKED), except moderators'. */
  locked: Type.Boolean(),
  /** A participant a moderator muted may unmute themselves (default true). */
  allowSelfUnmute: Type.Boolean(),
  /**
   * Guests wait in the lobby (knock) until a moderator admits them; default
   * from the server's GUEST_LOBBY. Turning it off admits everyone waiting.
   */
  guestLobby: Type.Boolean(),
});
export type RoomPolicy = Static<typeof RoomPolicy>;

/** Who did it: a moderator, as others see them. */
export const Actor = Type.Object({ peerId: Id, displayName: Type.String() });

export const moderationRequests = {
  /**
   * Moderators only (FORBIDDEN otherwise; see protocol/moderation.ts): act on
   * another joined participant of this room (NOT_FOUND if there is none).
   * mute pauses their microphone on the server; stopCamera / stopScreen close
   * those producers; remove ends their session (socket closed with 4007) and
   * keeps their user out of this meeting until it ends (REMOVED).
   * Everyone (the target included) gets `moderated`.
   */
  moderate: {
    request: Type.Object({ peerId: Id, action: ModerationAction }, { additionalProperties: false }),
    response: Empty,
  },
  /** Moderators only: change the meeting's rules; everyone gets `roomPolicy`. */
  setRoomPolicy: {
    request: Type.Object(
      {
        locked: Type.Optional(Type.Boolean()),
        allowSelfUnmute: Type.Optional(Type.Boolean()),
        guestLobby: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ policy: RoomPolicy }),
  },
  /** Moderators only: end the meeting for everyone (roomClosed {reason:'ended'}, sockets closed with 4003). */
  endMeeting: {
    request: Empty,
    response: Empty,
  },
};

export const moderationNotifications = {
  /** A moderator acted on a participant (`peerId`, possibly this one); see `moderate`. */
  moderated: Type.Object({ peerId: Id, action: ModerationAction, by: Actor }),
  /** To the removed participant only, just before its socket closes with 4007. */
  removed: Type.Object({ by: Actor, reason: Type.String() }),
  /** The meeting's rules changed (setRoomPolicy). */
  roomPolicy: Type.Object({ policy: RoomPolicy, by: Actor }),
};
