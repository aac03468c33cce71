/**
 * The signaling protocol, defined once. The server validates every incoming
 * message against these schemas (signaling/src/ws/dispatch.ts); the client
 * imports the same module for its types. See docs/PROTOCOL.md.
 *
 * Three envelopes:
 *   request       {kind:'req', id, type, data}
 *   response      {kind:'res', id, ok:true, data} | {kind:'res', id, ok:false, error:{code, message}}
 *   notification  {kind:'ntf', type, data}
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { RtpCapabilities } from 'mediasoup/types';
import { DocumentRef } from './documentRef.js';
import { errorCodes, type ErrorCode } from './errors.js';
import { MarkupNotifications, MarkupRequests } from './markup.js';
import { ConsumerParams, JsonObject, MediaId, MediaKind, MediaSource, mediaRequests, RtpCapabilitiesSchema } from './media.js';
import { CallPlanRef, PlanRef, planningNotifications } from './planning.js';
import { StreamId } from './streamId.js';
import { MinutesSummary, minutesNotifications, minutesRequests } from './minutes.js';
import { RecordingSummary, recordingNotifications, recordingRequests } from './recording.js';
import { DisplayName, Id } from './pieces.js';
import { Device, PresenceNotification, PresenceSnapshot, presenceRequests, Role } from './presence.js';

/** Bumped on any incompatible change; `hello` carries it. */
export const PROTOCOL_VERSION = 2;

/**
 * Largest WebSocket message the server accepts, in bytes. 128 KiB: a markup
 * stroke of 5,000 points (MARKUP_LIMITS) takes up to about 90 KiB of JSON.
 */
export const MAX_MESSAGE_BYTES = 128 * 1024;

// ------------------------------------------------------------------ pieces

const IceServer = Type.Object({
  urls: Type.Array(Type.String()),
  username: Type.Optional(Type.String()),
  credential: Type.Optional(Type.String()),
});


// Role, Device and presence: protocol/presence.ts.

const Person = Type.Object({ userId: Type.String(), displayName: Type.String() });

/**
 * How well a participant's media gets through, from the SFU's own scores of
 * what it receives from them and what it sends them: good, fair (some loss,
 * video stepped down), poor (video off or choppy audio), lost (nothing for
 * seconds: reconnecting).
 */
export const Quality = Type.Union([
  Type.Literal('good'),
  Type.Literal('fair'),
  Type.Literal('poor'),
  Type.Literal('lost'),
]);
export type Quality = Static<typeof Quality>;

/**
 * A call: a project member rings others; those who accept meet in the call's
 * own room, audio-only at first (anyone may turn video on).
 */
export const CallInfo = Type.Object({
  callId: Id,
  /** The room the call happens in; joined like any meeting room. */
  roomId: Id,
  caller: Person,
  invitees: Type.Array(Person),
  startedAt: Type.Integer(),
  audioOnly: Type.Boolean(),
  /** A planned meeting's start rings its invitees: the plan and occurrence (accepting joins its room). */
  plan: Type.Optional(CallPlanRef),
});
export type CallInfo = Static<typeof CallInfo>;

/** Stream id of a chat message, as Redis gives it: "<ms>-<seq>", each part at most 2^64 - 1 (streamId.ts). */
const MessageId = StreamId;

export { DocumentRef };

export const ChatMessage = Type.Object({
  id: MessageId,
  /** The sender's own id for the message, which makes retries idempotent. */
  clientMessageId: Type.String(),
  projectId: Id,
  kind: Type.Union([
    Type.Literal('text'),
    Type.Literal('meeting-started'),
    Type.Literal('meeting-ended'),
    /** Someone presented a document in a meeting: `attachment` is the document. */
    Type.Literal('document-presented'),
    /** A call nobody (or not everyone) answered: `call` says who called whom. */
    Type.Literal('missed-call'),
    /** Someone saved a marked-up document into the project (markupSave): `attachment` is the new version. */
    Type.Literal('markup-saved'),
    /** A meeting was planned, edited, moved or cancelled: `plan` says which and how. */
    Type.Literal('meeting-planned'),
    /** A meeting's compte rendu was published: `attachment` is its PDF, `text` its title. */
    Type.Literal('minutes-published'),
    /** Recording started / stopped (`text`: how it ended) / its result stored (`attachment`): protocol/recording.ts. */
    Type.Literal('recording-started'),
    Type.Literal('recording-stopped'),
    Type.Literal('recording-stored'),
  ]),
  author: Type.Object({ userId: Type.String(), displayName: DisplayName }),
  /** Plain text, shown as text, never as HTML. */
  text: Type.String(),
  /** Milliseconds since the epoch, from the server. */
  time: Type.Integer(),
  attachment: Type.Optional(DocumentRef),
  /** The meeting this message belongs to (sent during it, or about it). */
  meetingId: Type.Optional(Type.String()),
  /** For meeting-started / meeting-ended. */
  meeting: Type.Optional(
    Type.Object({
      roomId: Id,
      attendees: Type.Array(Type.Object({ userId: Type.String(), displayName: DisplayName })),
      durationMs: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
  ),
  /** For missed-call: the call, and who did not answer it. */
  call: Type.Optional(
    Type.Object({ callId: Id, roomId: Id, caller: Person, missed: Type.Array(Person) }),
  ),
  /** For meeting-planned. */
  plan: Type.Optional(PlanRef),
});
export type ChatMessage = Static<typeof ChatMessage>;

/** A finished meeting, as the project keeps it (GET /api/projects/:projectId/meetings). */
export const MeetingRecord = Type.Object({
  meetingId: Type.String(),
  roomId: Type.String(),
  startedAt: Type.Integer(),
  endedAt: Type.Union([Type.Integer(), Type.Null()]),
  startedBy: Person,
  attendees: Type.Array(Person),
  /** Documents shared in the chat during the meeting. */
  documents: Type.Array(DocumentRef),
  /** Documents presented: which version, by whom, when. */
  presentations: Type.Array(Type.Object({ document: DocumentRef, by: Person, at: Type.Integer() })),
  /** Marked-up versions saved into the project (markupSave): the new version, the one it was made from, by whom, when. */
  saved: Type.Optional(Type.Array(Type.Object({ document: DocumentRef, from: DocumentRef, by: Person, at: Type.Integer() }))),
  /** The server hosting it stopped: endedAt is when this was noticed. */
  interrupted: Type.Optional(Type.Boolean()),
  /** Its compte rendu, once published (the latest version). */
  minutes: Type.Optional(MinutesSummary),
  recordings: Type.Optional(Type.Array(RecordingSummary)),
});
export type MeetingRecord = Static<typeof MeetingRecord>;

/** Longest chat message, in characters. */
export const MAX_CHAT_TEXT = 4000;

/**
 * What the presenter shows of a document: the page, the zoom (1 = page width
 * fits the viewer's stage), and the visible area's centre in page coordinates
 * (0..1 across and down), plus an optional pointer in the same coordinates.
 * Each viewer renders the document itself (pdf.js), so this is all that
 * travels: a few dozen bytes per change.
 */
export const PresentationView = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 100_000 }),
    zoom: Type.Number({ minimum: 0.1, maximum: 32 }),
    centerX: Type.Number({ minimum: 0, maximum: 1 }),
    centerY: Type.Number({ minimum: 0, maximum: 1 }),
    pointer: Type.Union([
      Type.Object({ x: Type.Number({ minimum: 0, maximum: 1 }), y: Type.Number({ minimum: 0, maximum: 1 }) }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type PresentationView = Static<typeof PresentationView>;

export const Presentation = Type.Object({
  presentationId: Type.String(),
  presenterPeerId: Type.String(),
  presenterName: Type.String(),
  document: DocumentRef,
  view: PresentationView,
  startedAt: Type.Integer(),
});
export type Presentation = Static<typeof Presentation>;

export const ProducerInfo = Type.Object({
  producerId: MediaId,
  kind: MediaKind,
  source: MediaSource,
  paused: Type.Boolean(),
});
export type ProducerInfo = Static<typeof ProducerInfo>;

export const PeerInfo = Type.Object({
  peerId: Id,
  userId: Type.String(),
  displayName: DisplayName,
  role: Role,
  producers: Type.Array(ProducerInfo),
  /** Receives no video (a phone on a weak network, a call); see setAudioOnly. */
  audioOnly: Type.Optional(Type.Boolean()),
  /** Has raised their hand (raiseHand); absent = false. */
  handRaised: Type.Optional(Type.Boolean()),
});
export type PeerInfo = Static<typeof PeerInfo>;

const Empty = Type.Object({}, { additionalProperties: false });

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

/** Who did it: a moderator, as others see them. */
const Actor = Type.Object({ peerId: Id, displayName: Type.String() });

// ---------------------------------------------------------------- requests
/**
 * Every request: its `data` schema and its response `data` schema. The server's
 * handler table is typed from this map, so a missing handler is a compile
 * error, and the client's `request()` is typed from it too.
 */
export const Requests = {
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
  ...mediaRequests,
  /**
   * Post to the project's chat. Answered once Redis has stored it. Sending the
   * same clientMessageId again (a retry) returns the stored message: never twice.
   */
  chatSend: {
    request: Type.Object(
      {
        clientMessageId: Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
        text: Type.String({ maxLength: MAX_CHAT_TEXT }),
        /** A project document to attach (shared into the chat). */
        documentId: Type.Optional(Id),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ message: ChatMessage }),
  },
  /** Older messages, newest first, before a message id (or the latest ones). */
  chatHistory: {
    request: Type.Object(
      { before: Type.Optional(MessageId), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) },
      { additionalProperties: false },
    ),
    response: Type.Object({ messages: Type.Array(ChatMessage), hasMore: Type.Boolean() }),
  },
  /** Everything up to this message has been read by this user. */
  chatMarkRead: {
    request: Type.Object({ messageId: MessageId }, { additionalProperties: false }),
    response: Type.Object({ unread: Type.Integer({ minimum: 0 }) }),
  },
  /**
   * Present a project document (PDF or image) to the meeting. Replaces any
   * presentation in progress; everyone gets `presentation`.
   */
  presentStart: {
    request: Type.Object(
      { documentId: Id, view: Type.Optional(PresentationView) },
      { additionalProperties: false },
    ),
    response: Type.Object({ presentation: Presentation }),
  },
  /** The presenter's new view (page, zoom, area, pointer); others get `presentationView`. */
  presentUpdate: {
    request: Type.Object({ presentationId: Type.String({ maxLength: 64 }), view: PresentationView }, { additionalProperties: false }),
    response: Empty,
  },
  /** Stop presenting (the presenter; the presentation also ends when its presenter leaves). */
  presentStop: {
    request: Type.Object({ presentationId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
    response: Empty,
  },
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
  /**
   * Ring project members (their open pages and devices). The call gets a room
   * of its own; the caller joins it, invitees who accept join it too.
   */
  callStart: {
    request: Type.Object(
      {
        userIds: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 8 }),
      },
      { additionalProperties: false },
    ),
    response: Type.Object({ call: CallInfo }),
  },
  /** Accept or decline a ringing call (on any of the invitee's devices). */
  callAnswer: {
    request: Type.Object({ callId: Id, accept: Type.Boolean() }, { additionalProperties: false }),
    response: Type.Object({ call: CallInfo }),
  },
  /** The caller hangs up before it is answered: ringing stops everywhere. */
  callCancel: {
    request: Type.Object({ callId: Id }, { additionalProperties: false }),
    response: Empty,
  },
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
  /** A new message in the project's chat (also to its sender's other tabs). */
  chatMessage: Type.Object({ message: ChatMessage }),
  /** A document was added to or removed from the project: lists refresh. */
  documentsChanged: Type.Object({ documentId: Type.String(), change: Type.Union([Type.Literal('added'), Type.Literal('removed')]) }),
  /**
   * Who is online in the project changed: the changes since the last ones
   * sent (or the hello's snapshot), oldest first, one version each; or a
   * whole snapshot (the server found changes lost: a Redis outage). A gap in
   * versions: ask `presence` for a snapshot (protocol/presence.ts).
   */
  presence: PresenceNotification,
  /** A presentation started, changed presenter, or ended (null). */
  presentation: Type.Object({ presentation: Type.Union([Presentation, Type.Null()]) }),
  /** The presenter moved: page, zoom, visible area, pointer. */
  presentationView: Type.Object({ presentationId: Type.String(), view: PresentationView }),
  /** The room is gone (worker died, shutdown, 'ended' by a moderator); the socket closes next. */
  roomClosed: Type.Object({ reason: Type.String() }),
  /** A moderator acted on a participant (`peerId`, possibly this one); see `moderate`. */
  moderated: Type.Object({ peerId: Id, action: ModerationAction, by: Actor }),
  /** To the removed participant only, just before its socket closes with 4007. */
  removed: Type.Object({ by: Actor, reason: Type.String() }),
  /** The meeting's rules changed (setRoomPolicy). */
  roomPolicy: Type.Object({ policy: RoomPolicy, by: Actor }),
  /** To moderators in the meeting: who waits in the lobby now (sent when it changes, a few times a second at most). */
  lobby: Type.Object({ waiting: Type.Array(LobbyEntry, { maxItems: MAX_LOBBY_WAITING }) }),
  /** To a waiting guest: a moderator let them in (join now) or refused them. */
  admission: Type.Object({ granted: Type.Boolean(), by: Actor }),
  /** To a waiting guest: how many moderators are in the meeting now (someone can admit them). */
  lobbyStatus: Type.Object({ moderatorsPresent: Type.Integer({ minimum: 0 }) }),
  /** A participant raised or lowered their hand (this one included). */
  handRaised: Type.Object({ peerId: Id, raised: Type.Boolean() }),
  /** A peer switched audio-only on or off. */
  peerAudioOnly: Type.Object({ peerId: Id, audioOnly: Type.Boolean() }),
  /** Connection quality of the room's peers (this one included), sent when one changes. */
  connectionQuality: Type.Object({ peers: Type.Array(Type.Object({ peerId: Id, quality: Quality })) }),
  /** Someone calls this user: ring (on every open page of theirs). */
  incomingCall: Type.Object({ call: CallInfo }),
  /** To the caller: an invitee answered, declined, or let it ring out. */
  callUpdate: Type.Object({
    callId: Id,
    userId: Type.String(),
    displayName: Type.String(),
    answer: Type.Union([Type.Literal('accepted'), Type.Literal('declined'), Type.Literal('missed')]),
  }),
  /**
   * Fresh TURN credentials for a meeting socket, sent before the ones it holds
   * expire (at three quarters of their lifetime). The client gives them to its
   * transports and restarts ICE on a transport that goes through a relay, so
   * that its TURN allocation is renewed under the new credential.
   */
  iceServers: Type.Object({ iceServers: Type.Array(IceServer) }),
  /** Stop ringing: answered on another device, cancelled by the caller, or rang out. */
  callEnded: Type.Object({
    callId: Id,
    reason: Type.Union([
      Type.Literal('answered-elsewhere'),
      Type.Literal('declined'),
      Type.Literal('cancelled'),
      Type.Literal('missed'),
    ]),
  }),
  /** Markup of the presented document (protocol/markup.ts). */
  ...MarkupNotifications,
  ...planningNotifications,
  ...minutesNotifications,
  ...recordingNotifications,
} as const satisfies Record<string, TSchema>;

export type NotificationType = keyof typeof Notifications;
export type NotificationData<T extends NotificationType> = Static<(typeof Notifications)[T]>;

// --------------------------------------------------------------- envelopes
export const RequestEnvelope = Type.Object(
  {
    kind: Type.Literal('req'),
    id: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    type: Type.String({ minLength: 1, maxLength: 64 }),
    data: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);
export type RequestEnvelope = Static<typeof RequestEnvelope>;

/** What some errors carry beside their code: WRONG_NODE, the URL of the node that holds the meeting. */
export const ErrorDetails = Type.Object({ url: Type.String({ maxLength: 2048 }) }, { additionalProperties: false });
export type ErrorDetails = Static<typeof ErrorDetails>;

export const ErrorBody = Type.Object({
  code: Type.Union(errorCodes.map((c) => Type.Literal(c))),
  message: Type.String(),
  details: Type.Optional(ErrorDetails),
});
export type ErrorBody = { code: ErrorCode; message: string; details?: ErrorDetails };

export type ResponseEnvelope =
  | { kind: 'res'; id: number; ok: true; data: unknown }
  | { kind: 'res'; id: number | null; ok: false; error: ErrorBody };

export type NotificationEnvelope<T extends NotificationType = NotificationType> = {
  kind: 'ntf';
  type: T;
  data: NotificationData<T>;
  /**
   * On a meeting socket: 1, 2, 3... per session, kept across a resume, so that
   * the client can say which it last received (hello.resume.lastSeq).
   */
  seq?: number;
};

export type ServerMessage = ResponseEnvelope | NotificationEnvelope;
