/**
 * Stable, program-readable error codes of the signaling protocol.
 *
 * A response with `ok: false` carries one of these in `error.code`; the client
 * shows its own French or English text for the code (client/src/i18n) and uses
 * the server's `message` only for logs. Codes are never renamed: add new ones.
 */
export const ErrorCode = {
  /** The first message was not a valid `hello`, or a request came before it. */
  HELLO_REQUIRED: 'HELLO_REQUIRED',
  /** The client speaks a protocol version this server does not. */
  UNSUPPORTED_PROTOCOL: 'UNSUPPORTED_PROTOCOL',
  /** No token, or a token that is malformed or not signed by us. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** A well-signed token whose expiry has passed. */
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  /** A valid token that does not grant this (e.g. another project). */
  FORBIDDEN: 'FORBIDDEN',
  /** A media request before `join`. */
  NOT_JOINED: 'NOT_JOINED',
  /** `join` twice on one session. */
  ALREADY_JOINED: 'ALREADY_JOINED',
  /** The room reached its participant limit. */
  ROOM_FULL: 'ROOM_FULL',
  /** The room was closed (media server failure, shutdown). */
  ROOM_CLOSED: 'ROOM_CLOSED',
  /** A transport, producer or consumer id that this peer does not own; over HTTP, also a path no route serves (404). */
  NOT_FOUND: 'NOT_FOUND',
  /** The peer's device cannot receive this producer's codec. */
  CANNOT_CONSUME: 'CANNOT_CONSUME',
  /** The message does not match the protocol's schema, or is not JSON. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** A request type this server does not know. */
  UNKNOWN_REQUEST: 'UNKNOWN_REQUEST',
  /** Too many messages in too short a time. */
  RATE_LIMITED: 'RATE_LIMITED',
  /**
   * An upload larger than the server's limit (MAX_UPLOAD_BYTES), or an HTTP
   * request body or header larger than the route takes; nothing was kept.
   */
  TOO_LARGE: 'TOO_LARGE',
  /**
   * An upload whose content is not an accepted document type (PDF, image,
   * office document, DWG, DXF, IFC), or whose name's extension does not match
   * its content; nothing was kept.
   */
  UNSUPPORTED_TYPE: 'UNSUPPORTED_TYPE',
  /**
   * HTTP only (405): the path names a route, not with this method; the
   * `Allow` header lists the methods it takes.
   */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** HTTP only (415): a request body of a Content-Type the route does not read (JSON routes take application/json). */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** HTTP only (414): a path segment longer than any route's parameter may be. */
  URI_TOO_LONG: 'URI_TOO_LONG',
  /** hello.resume named a session that is gone (grace period over, wrong secret): hello anew and join. */
  RESUME_FAILED: 'RESUME_FAILED',
  /** A video consumer for a peer in audio-only mode. */
  AUDIO_ONLY: 'AUDIO_ONLY',
  /** `join` while a moderator has locked the meeting (moderators still get in). */
  ROOM_LOCKED: 'ROOM_LOCKED',
  /** A moderator removed this user from the meeting: no way back in until the meeting ends. */
  REMOVED: 'REMOVED',
  /** Unmuting a microphone a moderator muted, while the meeting does not allow self-unmute. */
  UNMUTE_NOT_ALLOWED: 'UNMUTE_NOT_ALLOWED',
  /** An invitation link that does not exist or was revoked (same answer for both: codes cannot be probed). */
  INVITATION_INVALID: 'INVITATION_INVALID',
  /** An invitation link past its expiry. */
  INVITATION_EXPIRED: 'INVITATION_EXPIRED',
  /** An invitation link whose every use (maxUses) has been taken. */
  INVITATION_USED_UP: 'INVITATION_USED_UP',
  /** This server cannot issue invitations: it does not accept its own HS256 tokens (JWT_ALGORITHMS). */
  INVITATIONS_DISABLED: 'INVITATIONS_DISABLED',
  /** A guest's `join` before a moderator admitted them (the meeting has a guest lobby): knock first. */
  ADMISSION_REQUIRED: 'ADMISSION_REQUIRED',
  /** A moderator refused this guest a moment ago: no new knock until the back-off is over. */
  ADMISSION_DENIED: 'ADMISSION_DENIED',
  /** The meeting's lobby already holds as many waiting guests as it may. */
  LOBBY_FULL: 'LOBBY_FULL',
  /**
   * The meeting is held by another node of the cluster (hello with a roomId):
   * `error.details.url` is that node's URL; open its /ws and hello there.
   */
  WRONG_NODE: 'WRONG_NODE',
  /** A markup page already holds MARKUP_LIMITS.marksPerPage marks: the new one was not kept. */
  MARKUP_PAGE_FULL: 'MARKUP_PAGE_FULL',
  /** A markup stroke (or stroke chunk) with more than MARKUP_LIMITS.pointsPerStroke points: simplify it first. */
  MARKUP_STROKE_TOO_LONG: 'MARKUP_STROKE_TOO_LONG',
  /** A markup text note or pin label longer than MARKUP_LIMITS.textLength characters. */
  MARKUP_TEXT_TOO_LONG: 'MARKUP_TEXT_TOO_LONG',
  /** A document that cannot be read to be written again (an encrypted or damaged PDF); nothing was stored. */
  DOCUMENT_UNREADABLE: 'DOCUMENT_UNREADABLE',
  /** A planned meeting (or a moved occurrence) that would start in the past. */
  MEETING_IN_PAST: 'MEETING_IN_PAST',
  /** A time zone name that is not an IANA zone this server knows ("Europe/Paris"). */
  UNKNOWN_TIME_ZONE: 'UNKNOWN_TIME_ZONE',
  /** A planned meeting invites a user who is not a member of the project. */
  UNKNOWN_INVITEE: 'UNKNOWN_INVITEE',
  /** A project limit is reached (planned meetings per project, changed occurrences per plan). */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** Minutes name someone (action owner, attendance, editor) who is not a member of the project. */
  UNKNOWN_MEMBER: 'UNKNOWN_MEMBER',
  /** recordingStart while the meeting is already being recorded. */
  RECORDING_ACTIVE: 'RECORDING_ACTIVE',
  /** recordingStop while the meeting is not being recorded. */
  NOT_RECORDING: 'NOT_RECORDING',
  /** recordingStart when the server's disk lacks room for a recording (RECORDING_MIN_FREE_MB). */
  RECORDING_DISK_FULL: 'RECORDING_DISK_FULL',
  /** The server is shutting down. */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /**
   * The server's storage (Redis) did not answer within its bound
   * (REDIS_TIMEOUT_MS) or is down: nothing was done, or, for a chat message,
   * nothing that a retry with the same clientMessageId would store twice.
   * Try again shortly (HTTP 503).
   */
  UNAVAILABLE: 'UNAVAILABLE',
  /** Anything unexpected. Details are logged on the server, never sent. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const errorCodes: readonly ErrorCode[] = Object.values(ErrorCode);

/** Why a peer left or a room closed, sent in notifications. */
export const CloseReason = {
  LEFT: 'left',
  DISCONNECTED: 'disconnected',
  WORKER_DIED: 'worker-died',
  SHUTDOWN: 'shutdown',
  REPLACED: 'replaced',
  /** A moderator removed the peer (moderate remove). */
  REMOVED: 'removed',
  /** A moderator ended the meeting for everyone (endMeeting). */
  ENDED: 'ended',
} as const;

export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];

/**
 * WebSocket close codes. 1002/1008 for protocol violations (RFC 6455), 4000-4999
 * for application closes that the client can explain to the user.
 */
export const WsCloseCode = {
  PROTOCOL_ERROR: 1002,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  /** A text frame that is not valid UTF-8 (RFC 6455 "invalid frame payload data"). */
  INVALID_PAYLOAD: 1007,
  GOING_AWAY: 1001,
  /** The hello was refused (bad token, wrong project...). */
  HELLO_REFUSED: 4001,
  /** The session left its room. */
  LEFT: 4002,
  /** The room closed under the session (media server failure). */
  ROOM_CLOSED: 4003,
  /** No hello within the allowed time. */
  HELLO_TIMEOUT: 4004,
  /** Same user joined the same room from a newer session with the same id. */
  REPLACED: 4005,
  /**
   * The session was resumed on another socket (hello.resume) while this one
   * still looked open: the client already uses the new one.
   */
  RESUMED: 4006,
  /**
   * A moderator removed the session from its meeting (a `removed` notification
   * came first). Final: the session is ended, its resume secret is void, and
   * the client must not resume or rejoin on its own.
   */
  REMOVED: 4007,
} as const;
