/** A finished meeting as the project's history keeps it (an HTTP answer, not a socket message). */
import { Type, type Static } from '@sinclair/typebox';
import { DocumentRef } from './documentRef.js';
import { MinutesSummary } from './minutes.js';
import { Person } from './pieces.js';
import { RecordingSummary } from './recording.js';

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
