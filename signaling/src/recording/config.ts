/**
 * Recording's settings (issue 22), parsed by config.ts with its helpers
 * (the one place that reads the environment) and documented in README.md.
 */
import { join, resolve } from 'node:path';

export interface RecordingConfig {
  /** Where the raw per-track files are written while recording (RECORDING_DIR; default DATA_DIR/recordings). */
  readonly dir: string;
  /** A recording stops by itself after this long (RECORDING_MAX_MINUTES, default 240). */
  readonly maxMinutes: number;
  /** A recording stops when its raw files reach this size (RECORDING_MAX_MB, default 4096). */
  readonly maxBytes: number;
  /** A recording does not start, or stops, when the disk has less free space than this (RECORDING_MIN_FREE_MB, default 500). */
  readonly minFreeBytes: number;
  /** First UDP port of the writers (RECORDING_PORT_MIN, default 22000; each track takes an even port and the next). */
  readonly portMin: number;
  /** Last UDP port of the writers (RECORDING_PORT_MAX, default 22999). Keep both below the ephemeral range. */
  readonly portMax: number;
  /** The FFmpeg binary (FFMPEG_PATH, default ffmpeg from PATH). */
  readonly ffmpeg: string;
  /** Video size of the result, WIDTHxHEIGHT (RECORDING_VIDEO_SIZE, default 1280x720). */
  readonly width: number;
  readonly height: number;
}

type Int = (name: string, fallback: number, min: number, max: number) => number;
type Env = Record<string, string | undefined>;

export function recordingConfig(env: Env, dataDir: string, int: Int, fail: (message: string) => Error): RecordingConfig {
  const size = (env.RECORDING_VIDEO_SIZE || '1280x720').trim();
  const match = /^(\d{2,4})x(\d{2,4})$/.exec(size);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  // Even sizes: yuv420p needs them.
  if (!match || width < 160 || height < 90 || width > 3840 || height > 2160 || width % 2 || height % 2) {
    throw fail(`RECORDING_VIDEO_SIZE must be WIDTHxHEIGHT with even numbers from 160x90 to 3840x2160, got "${size}"`);
  }
  const portMin = int('RECORDING_PORT_MIN', 22_000, 1024, 65_000);
  const portMax = int('RECORDING_PORT_MAX', 22_999, 1025, 65_535);
  if (portMax < portMin + 3) throw fail('RECORDING_PORT_MAX must be at least RECORDING_PORT_MIN + 3');
  const mb = 1024 * 1024;
  return {
    dir: resolve(env.RECORDING_DIR || join(dataDir, 'recordings')),
    maxMinutes: int('RECORDING_MAX_MINUTES', 240, 1, 24 * 60),
    maxBytes: int('RECORDING_MAX_MB', 4096, 1, 1024 * 1024) * mb,
    minFreeBytes: int('RECORDING_MIN_FREE_MB', 500, 0, 1024 * 1024) * mb,
    portMin: portMin % 2 === 0 ? portMin : portMin + 1,
    portMax,
    ffmpeg: env.FFMPEG_PATH || 'ffmpeg',
    width,
    height,
  };
}
