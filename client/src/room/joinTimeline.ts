/**
 * The join's timeline, on the page's own performance timeline (User Timing
 * marks named `chantier:join:<phase>`), so that a benchmark or the browser's
 * profiler reads it without any global of ours: from the join screen shown to
 * the first remote video frame. Marking costs a few microseconds and keeps
 * one entry per mark; a phase reached twice (a rejoin) is marked again, and
 * `joinTimeline()` reports the last join's.
 *
 * Before the press: page-shown, hello-answered, devices-opened (camera and
 * microphone of the lobby), device-loaded (mediasoup Device), send- and
 * recv-transport-created. From the press: pressed, join-answered, send- and
 * recv-transport-connected and consumers-prepared (the meeting's consumers
 * made on the join screen: both usually before the press), first-consumer
 * (a remote track is the meeting's),
 * first-frame (a remote video frame was presented).
 */
export const JOIN_PHASES = [
  'page-shown',
  'hello-answered',
  'devices-opened',
  'device-loaded',
  'send-transport-created',
  'recv-transport-created',
  'pressed',
  'join-answered',
  'send-transport-connected',
  'recv-transport-connected',
  'consumers-prepared',
  'first-consumer',
  'first-frame',
] as const;

export type JoinPhase = (typeof JOIN_PHASES)[number];

export const JOIN_MARK_PREFIX = 'chantier:join:';

/** Marks a phase now (no-op where the User Timing API is missing, e.g. unit tests in Node without it). */
export function markJoin(phase: JoinPhase): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  performance.mark(`${JOIN_MARK_PREFIX}${phase}`);
}

/** Once per page: the first frame of a remote video (the bench's and the timeline's end). */
let firstFrameSeen = false;

/** Marks first-frame when this remote <video> presents its first frame, if none was marked yet. */
export function watchFirstFrame(video: HTMLVideoElement): void {
  if (firstFrameSeen || typeof video.requestVideoFrameCallback !== 'function') return;
  video.requestVideoFrameCallback(() => {
    if (firstFrameSeen) return;
    firstFrameSeen = true;
    markJoin('first-frame');
  });
}

/** A new join starts (the press): the next remote frame counts again. */
export function resetFirstFrame(): void {
  firstFrameSeen = false;
}

const AFTER_PRESS: ReadonlySet<JoinPhase> = new Set(JOIN_PHASES.slice(JOIN_PHASES.indexOf('pressed') + 1));
/** Reached in the lobby when the probe connects the transports there (and the consumers are prepared), else after the press. */
const EITHER_SIDE: ReadonlySet<JoinPhase> = new Set(['send-transport-connected', 'recv-transport-connected', 'consumers-prepared']);

/**
 * The last join's phases (performance.now() clock, ms): its press; before
 * it, the latest mark of each lobby phase; after it, the first mark of each
 * later phase (first-consumer: the first remote track, not the last). A
 * transport connected in the lobby (the probe) is its latest mark there.
 */
export function joinTimeline(): Partial<Record<JoinPhase, number>> {
  if (typeof performance === 'undefined' || typeof performance.getEntriesByType !== 'function') return {};
  return timelineOf(performance.getEntriesByType('mark'));
}

/** joinTimeline() of these marks (a page's, read by a benchmark); other marks are ignored. */
export function timelineOf(entries: ReadonlyArray<{ name: string; startTime: number }>): Partial<Record<JoinPhase, number>> {
  const timeline: Partial<Record<JoinPhase, number>> = {};
  const marks = entries
    .filter((entry) => entry.name.startsWith(JOIN_MARK_PREFIX))
    .map((entry) => ({ phase: entry.name.slice(JOIN_MARK_PREFIX.length) as JoinPhase, at: entry.startTime }))
    .filter((mark) => (JOIN_PHASES as readonly string[]).includes(mark.phase));
  const pressed = marks.filter((mark) => mark.phase === 'pressed').at(-1)?.at ?? Number.NEGATIVE_INFINITY;
  const inLobby = new Set(marks.filter((mark) => EITHER_SIDE.has(mark.phase) && mark.at <= pressed).map((mark) => mark.phase));
  for (const { phase, at } of marks) {
    if (AFTER_PRESS.has(phase) && !inLobby.has(phase)) {
      if (at >= pressed && timeline[phase] === undefined) timeline[phase] = at;
    } else if (phase === 'pressed' || at <= pressed) {
      timeline[phase] = at;
    }
  }
  return timeline;
}
