/**
 * Recording a meeting (issue 22): the requests that start and stop it, the
 * notification of its state, and what the meeting's record keeps of it.
 * Merged into messages.ts's Requests and Notifications maps; shared with the
 * client (types).
 *
 * Consent: the state is told to every session attached to the meeting, the
 * ones still on the join screen included (they ask `recordingStatus` after
 * hello, then get `recordingState`), so nobody enters without knowing.
 * Only owners and moderators start and stop (FORBIDDEN otherwise).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Empty, Person } from './pieces.js';
import { DocumentRef } from './documentRef.js';
import { ErrorCode } from './errors.js';
import { MediaSource } from './media.js';


/** How a recording ended. */
export const RecordingEnd = Type.Union([
  /** A moderator stopped it. */
  Type.Literal('stopped'),
  /** The last participant left. */
  Type.Literal('meeting-ended'),
  /** RECORDING_MAX_MINUTES reached. */
  Type.Literal('max-duration'),
  /** RECORDING_MAX_MB reached, or the disk's free space fell under RECORDING_MIN_FREE_MB. */
  Type.Literal('disk-full'),
  /** A media worker died (the meeting closed under its participants). */
  Type.Literal('worker-died'),
  /** The server stopped (shutdown) or died; the next start made the result of what was written. */
  Type.Literal('server-stopped'),
]);
export type RecordingEnd = Static<typeof RecordingEnd>;

/** The recording in progress, as everyone sees it. */
export const RecordingInfo = Type.Object({
  recordingId: Type.String(),
  startedAt: Type.Integer(),
  by: Person,
  /** The end planned by RECORDING_MAX_MINUTES (ms since the epoch). */
  endsBy: Type.Integer(),
});
export type RecordingInfo = Static<typeof RecordingInfo>;

/** A recording as the meeting's record keeps it (GET .../meetings: `recordings`). */
export const RecordingSummary = Type.Object({
  recordingId: Type.String(),
  startedAt: Type.Integer(),
  endedAt: Type.Integer(),
  by: Person,
  end: RecordingEnd,
  /** Ended by a fault (worker, server, disk): what was written was kept ("interrompu"). */
  interrupted: Type.Optional(Type.Boolean()),
  /** The stored result (WebM, or Opus for an audio-only meeting); absent when nothing was recorded. */
  document: Type.Optional(DocumentRef),
});
export type RecordingSummary = Static<typeof RecordingSummary>;


export const recordingRequests = {
  /**
   * Owners and moderators (FORBIDDEN otherwise): start recording the meeting.
   * RECORDING_ACTIVE if one runs; RECORDING_DISK_FULL when the server lacks
   * space. Everyone attached to the meeting gets `recordingState`, and the
   * chat a `recording-started` line.
   */
  recordingStart: { request: Empty, response: Type.Object({ recording: RecordingInfo }) },
  /**
   * Owners and moderators: stop it (NOT_RECORDING if none runs). Answered at
   * once; the result is made afterwards (`recording-stored` in the chat).
   */
  recordingStop: { request: Empty, response: Empty },
  /** Any session of the meeting, joined or not (the join screen): the recording in progress, if any. */
  recordingStatus: { request: Empty, response: Type.Object({ recording: Type.Union([RecordingInfo, Type.Null()]) }) },
};

export const recordingNotifications = {
  /** The meeting started (recording) or stopped (null, with how it ended) being recorded. */
  recordingState: Type.Object({
    recording: Type.Union([RecordingInfo, Type.Null()]),
    end: Type.Optional(RecordingEnd),
  }),
  /**
   * To the meeting's moderators only: one participant's track is no longer
   * recorded (its writer died, or its next segment's could not start); the
   * others' recording goes on. The client words it from `code` (French and
   * English) with the participant's name and the source.
   */
  recordingTrackFailed: Type.Object({
    code: Type.Literal(ErrorCode.RECORDING_TRACK_FAILED),
    recordingId: Type.String(),
    peerId: Type.String(),
    displayName: Type.String(),
    source: MediaSource,
  }),
};
