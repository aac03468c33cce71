/**
 * The guest lobby: a guest knocks, moderators see who waits and admit or
 * refuse them. messages.ts spreads `lobbyRequests` and `lobbyNotifications`
 * into its maps.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Actor } from './moderation.js';
import { DisplayName, Empty, Id } from './pieces.js';

/** A guest waiting in the lobby, as moderators see them. */
export const LobbyEntry = Type.Object({
  peerId: Id,
  displayName: Type.String(),
  /** When they knocked (ms since the epoch, server clock). */
  since: Type.Integer(),
});
export type LobbyEntry = Static<typeof LobbyEntry>;

/** Most guests waiting in one meeting's lobby; beyond, knock answers LOBBY_FULL. */
export const MAX_LOBBY_WAITING = 50;

export const lobbyRequests = {
  /**
   * Before join: may this session come in? 'admitted' at once for anyone but
   * a guest, when the meeting has no guest lobby, or for a guest already
   * admitted in this meeting; otherwise the guest waits in the lobby
   * (moderators get `lobby`) until `admission` comes. REMOVED, ROOM_LOCKED,
   * ADMISSION_DENIED (refused a moment ago) and LOBBY_FULL as join would.
   * Knocking again while waiting changes nothing.
   */
  knock: {
    request: Type.Object(
      {
        /** The name moderators see (the one the guest will join with); default the token's. */
        displayName: Type.Optional(DisplayName),
      },
      { additionalProperties: false },
    ),
    response: Type.Union([
      Type.Object({ status: Type.Literal('admitted') }),
      Type.Object({
        status: Type.Literal('waiting'),
        /** Moderators in the meeting now; 0: nobody can admit yet (`lobbyStatus` tells when it changes). */
        moderatorsPresent: Type.Integer({ minimum: 0 }),
      }),
    ]),
  },
  /**
   * Moderators only (FORBIDDEN otherwise): let a waiting guest in, or refuse
   * them (NOT_FOUND if `peerId` is not waiting). The guest gets `admission`;
   * a refused guest's knocks are refused (ADMISSION_DENIED) for a minute.
   */
  admit: {
    request: Type.Object({ peerId: Id, allow: Type.Boolean() }, { additionalProperties: false }),
    response: Empty,
  },
};

export const lobbyNotifications = {
  /** To moderators in the meeting: who waits in the lobby now (sent when it changes, a few times a second at most). */
  lobby: Type.Object({ waiting: Type.Array(LobbyEntry, { maxItems: MAX_LOBBY_WAITING }) }),
  /** To a waiting guest: a moderator let them in (join now) or refused them. */
  admission: Type.Object({ granted: Type.Boolean(), by: Actor }),
  /** To a waiting guest: how many moderators are in the meeting now (someone can admit them). */
  lobbyStatus: Type.Object({ moderatorsPresent: Type.Integer({ minimum: 0 }) }),
};
