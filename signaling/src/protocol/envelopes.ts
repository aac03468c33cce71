/**
 * The three envelopes every message travels in (see messages.ts's header),
 * and the error body a failed response carries.
 */
import { Type, type Static } from '@sinclair/typebox';
import { errorCodes, type ErrorCode } from './errors.js';
import type { NotificationData, NotificationType } from './messages.js';

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
