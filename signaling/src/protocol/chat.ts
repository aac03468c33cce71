/**
 * The project's chat: its messages (text, and the events the project keeps
 * there: meetings, calls, documents, plans, minutes, recordings), posting,
 * history and read marks. messages.ts spreads `chatRequests` and
 * `chatNotifications` into its maps.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DocumentRef } from './documentRef.js';
import { DisplayName, Id, Person } from './pieces.js';
import { PlanRef } from './planning.js';
import { StreamId } from './streamId.js';

/** Stream id of a chat message, as Redis gives it: "<ms>-<seq>", each part at most 2^64 - 1 (streamId.ts). */
const MessageId = StreamId;

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

/** Longest chat message, in characters. */
export const MAX_CHAT_TEXT = 4000;

export const chatRequests = {
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
};

export const chatNotifications = {
  /** A new message in the project's chat (also to its sender's other tabs). */
  chatMessage: Type.Object({ message: ChatMessage }),
};
