/**
 * The socket's handshake and upkeep: `hello` (authenticate, pick a meeting,
 * resume a lost session), `refreshToken`, `ping`, and the ICE servers a
 * meeting socket is given (and given again, `iceServers`, before their TURN
 * credentials expire). messages.ts spreads `helloRequests` into its request map.
 */
import { Type } from '@sinclair/typebox';
import type { RtpCapabilities } from 'mediasoup/types';
import { JsonObject } from './media.js';
import { DisplayName, Empty, Id } from './pieces.js';
import { Device, PresenceSnapshot, Role } from './presence.js';

export const IceServer = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});

export const helloRequests = {
  /**
   * First message on a socket: authenticate, and pick a meeting room. Without
   * roomId the socket is a project page's: chat and presence, no media.
   */
  hello: {
    request: Type.Object(
      {
        protocol: Type.Integer({ minimum: 1, maximum: 1000 }),
        /** Access token (JWT). Missing or empty: UNAUTHORIZED. */
        token: Type.Optional(Type.String({ maxLength: 4096 })),
        projectId: Id,
        roomId: Type.Optional(Id),
        /** For presence ("on a phone"); default desktop. */
        device: Type.Optional(Device),
        /**
         * Take back a meeting session whose socket was lost (network switch,
         * tunnel): same peer, same transports and producers, nothing announced
         * to others. `secret` is the previous hello's resumeSecret, `lastSeq`
         * the last notification seq received. Refused with RESUME_FAILED when
         * the session is gone (grace period over): then hello anew and join.
         */
        resume: Type.Optional(
          Type.Object(
            {
              peerId: Id,
              secret: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
              lastSeq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({
      protocol: Type.Integer(),
      peerId: Id,
      projectId: Id,
      /** Present when the socket is a meeting's. */
      roomId: Type.Optional(Id),
      self: Type.Object({ userId: Type.String(), displayName: DisplayName, role: Role }),
      /** Present when the socket is a meeting's. */
      routerRtpCapabilities: Type.Optional(Type.Unsafe<RtpCapabilities>(JsonObject)),
      iceServers: Type.Array(IceServer),
      /** Who is online in the project right now, at a version: the base for the `presence` notifications' changes. */
      presence: PresenceSnapshot,
      /** Unread chat messages of this user in the project. */
      unread: Type.Integer({ minimum: 0 }),
      /** Present on a meeting socket: the secret that lets this session be resumed. */
      resumeSecret: Type.Optional(Type.String()),
      /**
       * Present when `resume` succeeded. The notifications missed since lastSeq
       * follow this response, in order; `joined` says whether the session had
       * joined (its transports and producers are still on the server).
       */
      resumed: Type.Optional(Type.Object({ joined: Type.Boolean() })),
      /**
       * URLs of the cluster's live nodes (this one first): where a client
       * whose node is gone tries to come back (docs/PROTOCOL.md, "Nodes").
       */
      nodes: Type.Optional(Type.Array(Type.String({ maxLength: 2048 }), { maxItems: 64 })),
    }),
  },
  /**
   * A fresh access token for this session (long meetings): same subject and
   * project, else FORBIDDEN and the session keeps its identity; a new role
   * applies at once. The call is not interrupted. Invalid or expired token:
   * UNAUTHORIZED / TOKEN_EXPIRED (answered late), session untouched.
   */
  refreshToken: {
    request: Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false }),
    response: Type.Object({
      /** The new token's exp (seconds since epoch). */
      expiresAt: Type.Integer(),
      role: Role,
    }),
  },
  /** Keep-alive: the client's own check that the socket still carries messages. */
  ping: {
    request: Empty,
    response: Type.Object({ time: Type.Integer() }),
  },
};
