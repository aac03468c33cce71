/**
 * What FFmpeg can read of a recording's files, asked of ffprobe (Debian
 * ships it with ffmpeg): the packets of a raw segment (a writer stopped
 * before its first packets leaves a header only, which FFmpeg refuses as a
 * mix input), and the streams and length of the result, checked before the
 * raw files it was made of may go (retention.ts).
 */
import { execFile } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** ffprobe beside the configured ffmpeg. */
export function ffprobeOf(ffmpeg: string): string {
  const name = basename(ffmpeg).replace(/ffmpeg/, 'ffprobe');
  return ffmpeg.includes('/') ? join(dirname(ffmpeg), name) : name;
}

/** Packets FFmpeg reads from a file's first stream; 0 when it cannot read any. */
export async function packetCount(ffprobe: string, path: string): Promise<number> {
  try {
    const { stdout } = await run(ffprobe, ['-v', 'error', '-count_packets', '-select_streams', '0', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', path], {
      timeout: 30_000,
    });
    const count = Number.parseInt(stdout.trim(), 10);
    return Number.isFinite(count) ? count : 0;
  } catch {
    return 0;
  }
}

/** What a made result holds. */
export interface ResultProbe {
  audio: boolean;
  video: boolean;
  durationMs: number;
}

/** The result's streams and length; null when ffprobe cannot read it. */
export async function probeResult(ffprobe: string, path: string): Promise<ResultProbe | null> {
  try {
    const { stdout } = await run(ffprobe, ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type', '-of', 'json', path], { timeout: 30_000 });
    const json = JSON.parse(stdout) as { format?: { duration?: string }; streams?: Array<{ codec_type?: string }> };
    const types = (json.streams ?? []).map((s) => s.codec_type);
    const seconds = Number(json.format?.duration);
    return { audio: types.includes('audio'), video: types.includes('video'), durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0 };
  } catch {
    return null;
  }
}
