/**
 * Which raw files of a recording must stay on disk after its result was made:
 * those holding media that the stored result does not. The raw files are
 * removed once a result is stored (issue 22), but only a result that holds
 * them: a segment with packets that the mix could not place (no start), a
 * kind of media the result lacks though its inputs had it, a result cut
 * short, or no result stored at all keep their files, for a result made again
 * by hand. A segment FFmpeg reads no packet from holds nothing to lose.
 *
 * A camera the layout did not show (another person spoke) is not lost: the
 * result shows one picture at a time by design.
 */
import type { ResultProbe } from './probe.js';
import type { SegmentInfo } from './TrackRecorder.js';

/** A result may end this much short of the recording (the last frames' rounding, a writer's last packets). */
export const RESULT_SHORT_MS = 1_000;

export interface CheckedSegment {
  segment: SegmentInfo;
  /** Packets ffprobe read from its file. */
  packets: number;
  /** Given to the mix. */
  mixed: boolean;
}

/** The files to keep (empty: the directory may go) and why, for the log. */
export function filesToKeep(options: {
  checked: readonly CheckedSegment[];
  durationMs: number;
  /** The stored result as ffprobe reads it; null: none stored. */
  result: ResultProbe | null;
}): Array<{ file: string; why: string }> {
  const { checked, durationMs, result } = options;
  const keep: Array<{ file: string; why: string }> = [];
  for (const { segment, packets, mixed } of checked) {
    if (packets === 0) continue;
    let why: string | undefined;
    if (!result) why = 'no result stored';
    else if (!mixed) why = 'not placed in the mix';
    else if (segment.kind === 'audio' && !result.audio) why = 'the result has no audio';
    else if (segment.kind === 'video' && !result.video) why = 'the result has no video';
    else if (result.durationMs < durationMs - RESULT_SHORT_MS) why = `the result is short (${result.durationMs} of ${durationMs} ms)`;
    if (why) keep.push({ file: segment.file, why });
  }
  return keep;
}
