/**
 * The signaling protocol, defined once. The server validates every incoming
 * message against these schemas (signaling/src/ws/dispatch.ts); the client
 * imports the same module for its types. See docs/PROTOCOL.md.
 *
 * Three envelopes:
 *   request       {kind:'req', id, type, data}
 *   response      {kind:'res', id, ok:true, data} | {kind:'res', id, ok:false, error:{code, message}}
 *   notification  {kind:'ntf', type, data}
 *
 * This module holds the room's own requests and notifications and puts the
 * maps together; each other area has a module beside it that exports its part
 * of the maps (hello, media, lobby, chat, presentation, calls, moderation,
 * markup, planning, minutes, recording, presence), and envelopes.ts the
 * envelopes. Key order in the maps is part of the contract: the fuzz
 * generator's seeded picks follow it.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { callNotifications, callRequests } from './calls.js';
import { chatNotifications, chatRequests } from './chat.js';
import { DocumentRef } from './documentRef.js';
import { helloRequests, IceServer } from './hello.js';
import { LobbyEntry, lobbyNotifications, lobbyRequests, MAX_LOBBY_WAITING } from './lobby.js';
import { MarkupNotifications, MarkupRequests } from './markup.js';
import { ConsumerParams, MediaId, mediaRequests, RtpCapabilitiesSchema } from './media.js';
import { minutesNotifications, minutesRequests } from './minutes.js';
import { moderationNotifications, moderationRequests, RoomPolicy } from './moderation.js';
import { PeerInfo, ProducerInfo, Quality } from './peers.js';
import { planningNotifications } from './planning.js';
import { DisplayName, Empty, Id } from './pieces.js';
import { Device, PresenceNotification, presenceRequests } from './presence.js';
import { Presentation, presentationNotifications, presentationRequests } from './presentation.js';
import { recordingNotifications, recordingRequests } from './recording.js';

/** Bumped on any incompatible change; `hello` carries it. */
export const PROTOCOL_VERSION = 2;

/**
 * Largest WebSocket message the server accepts, in bytes. 128 KiB: a markup
 * stroke of 5,000 points (MARKUP_LIMITS) takes up to about 90 KiB of JSON.
 */
export const MAX_MESSAGE_BYTES = 128 * 1024;

export { DocumentRef };

// ---------------------------------------------------------------- requests
/**
 * Every request: its `data` schema and its response `data` schema. The server's
 * handler table is typed from this map, so a missing handler is a compile
 * error, and the client's `request()` is typed from it too.
 */
export const Requests = {
  ...helloRequests,
  /** Enter the room: become visible to others, learn who is there. */
  join: {
    request: Type.Object(
      {
        rtpCapabilities: RtpCapabilitiesSchema,
        displayName: Type.Optional(DisplayName),
        device: Type.Optional(Device),
        /** Receive no video at all (no video consumer is created); see setAudioOnly. */
        audioOnly: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({
      peers: Type.Array(PeerInfo),
      /** The document being presented, if any: a late joiner lands on the current view. */
      presentation: Type.Union([Presentation, Type.Null()]),
      /** The meeting's moderation rules (absent from servers before moderation). */
      policy: Type.Optional(RoomPolicy),
      /** Moderators only: the guests waiting in the lobby (then `lobby` notifications). */
      lobby: Type.Optional(Type.Array(LobbyEntry, { maxItems: MAX_LOBBY_WAITING })),
      /** With a receive transport made before join: a flowing consumer per producer already there (docs/PROTOCOL.md). */
      consumers: Type.Optional(Type.Array(ConsumerParams)),
    }),
  },
  ...lobbyRequests,
  ...mediaRequests,
  ...chatRequests,
  ...presentationRequests,
  /**
   * Switch audio-only on or off during a meeting. On: the server closes this
   * peer's video consumers (consumerClosed for each) and refuses new ones
   * (AUDIO_ONLY). Off: the client consumes the video producers again. Others
   * get peerAudioOnly.
   */
  setAudioOnly: {
    request: Type.Object({ audioOnly: Type.Boolean() }, { additionalProperties: false }),
    response: Empty,
  },
  /**
   * The video this client shows, and how large (device pixels). Consumers of
   * video producers not listed are paused on the server; listed ones get the
   * simulcast layer that fits their height. Sent again whenever it changes.
   */
  setViewport: {
    request: Type.Object(
      {
        tiles: Type.Array(
          Type.Object(
            {
              producerId: MediaId,
              width: Type.Integer({ minimum: 0, maximum: 16_384 }),
              height: Type.Integer({ minimum: 0, maximum: 16_384 }),
            },
            { additionalProperties: false },
          ),
          { maxItems: 64 },
        ),
      },
      { additionalProperties: false },
    ),
    response: Empty,
  },
  ...callRequests,
  ...moderationRequests,
  /** Raise or lower one's hand; everyone gets `handRaised`. */
  raiseHand: {
    request: Type.Object({ raised: Type.Boolean() }, { additionalProperties: false }),
    response: Empty,
  },
  /** Leave the room; the server then closes the socket with 4002. */
  leave: {
    request: Empty,
    response: Empty,
  },
  /** Marking up the presented document together (protocol/markup.ts). */
  ...MarkupRequests,
  ...minutesRequests,
  ...recordingRequests,
  ...presenceRequests,
} as const satisfies Record<string, { request: TSchema; response: TSchema }>;

export type RequestType = keyof typeof Requests;
export type RequestData<T extends RequestType> = Static<(typeof Requests)[T]['request']>;
export type ResponseData<T extends RequestType> = Static<(typeof Requests)[T]['response']>;
export const requestTypes = Object.keys(Requests) as RequestType[];

// ----------------------------------------------------------- notifications
export const Notifications = {
  peerJoined: Type.Object({ peer: PeerInfo }),
  peerLeft: Type.Object({ peerId: Id, reason: Type.String() }),
  producerAdded: Type.Object({ peerId: Id, producer: ProducerInfo }),
  producerClosed: Type.Object({ peerId: Id, producerId: MediaId }),
  producerPaused: Type.Object({ peerId: Id, producerId: MediaId }),
  producerResumed: Type.Object({ peerId: Id, producerId: MediaId }),
  /** A consumer of this peer was closed by the server (its producer went away). */
  consumerClosed: Type.Object({ consumerId: MediaId }),
  /** The loudest speaker of the room, or null when nobody speaks. */
  activeSpeaker: Type.Object({ peerId: Type.Union([Id, Type.Null()]) }),
  ...chatNotifications,
  /** A document was added to or removed from the project: lists refresh. */
  documentsChanged: Type.Object({ documentId: Type.String(), change: Type.Union([Type.Literal('added'), Type.Literal('removed')]) }),
  /**
   * Who is online in the project changed: the changes since the last ones
   * sent (or the hello's snapshot), oldest first, one version each; or a
   * whole snapshot (the server found changes lost: a Redis outage). A gap in
   * versions: ask `presence` for a snapshot (protocol/presence.ts).
   */
  presence: PresenceNotification,
  ...presentationNotifications,
  /** The room is gone (worker died, shutdown, 'ended' by a moderator); the socket closes next. */
  roomClosed: Type.Object({ reason: Type.String() }),
  ...moderationNotifications,
  ...lobbyNotifications,
  /** A participant raised or lowered their hand (this one included). */
  handRaised: Type.Object({ peerId: Id, raised: Type.Boolean() }),
  /** A peer switched audio-only on or off. */
  peerAudioOnly: Type.Object({ peerId: Id, audioOnly: Type.Boolean() }),
  /** Connection quality of the room's peers (this one included), sent when one changes. */
  connectionQuality: Type.Object({ peers: Type.Array(Type.Object({ peerId: Id, quality: Quality })) }),
  // The calls' notifications keep their old places in this map (iceServers
  // between them): the fuzz generator's seeded picks follow its key order.
  incomingCall: callNotifications.incomingCall,
  callUpdate: callNotifications.callUpdate,
  /**
   * Fresh TURN credentials for a meeting socket, sent before the ones it holds
   * expire (at three quarters of their lifetime). The client gives them to its
   * transports and restarts ICE on a transport that goes through a relay, so
   * that its TURN allocation is renewed under the new credential.
   */
  iceServers: Type.Object({ iceServers: Type.Array(IceServer) }),
  callEnded: callNotifications.callEnded,
  /** Markup of the presented document (protocol/markup.ts). */
  ...MarkupNotifications,
  ...planningNotifications,
  ...minutesNotifications,
  ...recordingNotifications,
  /**
   * To a sharer: some viewer's downlink cannot carry its screen's video
   * (true), or none any more (false). While wanted, the sharer uploads a
   * still picture of its screen at once and whenever it changed (HTTP, see
   * docs/PROTOCOL.md "Still pictures of a shared screen").
   */
  screenStillWanted: Type.Object({ producerId: MediaId, wanted: Type.Boolean() }),
  /**
   * To a viewer whose downlink cannot carry a screen's video: a new still
   * picture of it (its version, to fetch over HTTP), or null: show the video
   * again (it has flowed for a while).
   */
  screenStill: Type.Object({ peerId: Id, producerId: MediaId, version: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]) }),
} as const satisfies Record<string, TSchema>;

export type NotificationType = keyof typeof Notifications;
export type NotificationData<T extends NotificationType> = Static<(typeof Notifications)[T]>;
