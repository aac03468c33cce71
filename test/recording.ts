/**
 * Checking a meeting's recording as stored: its file (read through the
 * document library, as a download would), what ffprobe says of it, its
 * mixed audio decoded to PCM and measured tone by tone (Goertzel), and a
 * getUserMedia that sends a pure tone as the microphone, so that each page
 * of one browser is told apart in the mix (Chromium's
 * --use-file-for-fake-audio-capture is one file per browser process).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { pcm16ToFloat, toneLevels } from '../signaling/src/recording/goertzel.js';
import type { RecordingSummary } from '../signaling/src/protocol/index.js';
import { testTempDir } from './tempDir.js';

const run = promisify(execFile);

/** A script for meetingPage's `beforeApp`: the page's microphone is a sine at `hz` (amplitude 0.3). */
export function toneMicrophone(hz: number): string {
  return `(() => {
    const devices = navigator.mediaDevices;
    if (!devices) return;
    const original = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      if (!constraints || !constraints.audio) return stream;
      const context = new AudioContext({ sampleRate: 48000 });
      const oscillator = context.createOscillator();
      oscillator.frequency.value = ${hz};
      const gain = context.createGain();
      gain.gain.value = 0.3;
      const destination = context.createMediaStreamDestination();
      oscillator.connect(gain).connect(destination);
      oscillator.start();
      for (const track of stream.getAudioTracks()) { stream.removeTrack(track); track.stop(); }
      stream.addTrack(destination.stream.getAudioTracks()[0]);
      return stream;
    };
  })();`;
}

/** The recordings of a meeting, as its record will list them, once `count` are there. */
export async function waitForRecordings(app: FastifyInstance, projectId: string, meetingId: string, count: number, timeoutMs = 60_000): Promise<RecordingSummary[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = (await app.recordingStore.summaries(projectId)).get(meetingId) ?? [];
    if (list.length >= count) return list;
    if (Date.now() > deadline) throw new Error(`${list.length} recordings of ${count} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The stored document's bytes, copied to a temp file (as a download would give them). */
export async function storedFile(app: FastifyInstance, projectId: string, documentId: string): Promise<string> {
  const meta = await app.documents.get(projectId, documentId);
  if (!meta) throw new Error(`no document ${documentId}`);
  const handle = await app.documentLibrary.openContent(meta);
  try {
    const path = join(testTempDir('chantier-rec-check'), meta.name.replace(/[^\w.-]/g, '_'));
    writeFileSync(path, await handle.readFile());
    return path;
  } finally {
    await handle.close();
  }
}

export interface Probe {
  format: string;
  durationS: number;
  streams: Array<{ type: string; codec: string; width?: number; height?: number; sampleRate?: number }>;
}

export async function probe(path: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]);
  const json = JSON.parse(stdout) as {
    format: { format_name: string; duration: string };
    streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; sample_rate?: string }>;
  };
  return {
    format: json.format.format_name,
    durationS: Number(json.format.duration),
    streams: json.streams.map((s) => ({
      type: s.codec_type,
      codec: s.codec_name,
      ...(s.width ? { width: s.width, height: s.height } : {}),
      ...(s.sample_rate ? { sampleRate: Number(s.sample_rate) } : {}),
    })),
  };
}

/** Decodes every video frame (fails on a broken stream); resolves with their count and size. */
export async function decodeVideo(path: string): Promise<{ frames: number; width: number; height: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames,width,height', '-of', 'json', path]);
  const s = (JSON.parse(stdout) as { streams: Array<{ nb_read_frames: string; width: number; height: number }> }).streams[0]!;
  return { frames: Number(s.nb_read_frames), width: s.width, height: s.height };
}

/** The mixed audio's level of each frequency (dBFS) over 0.5-s windows. */
export async function toneTimeline(path: string, frequencies: readonly number[]): Promise<Array<{ t: number; db: number[] }>> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 's16le', '-'], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  return toneLevels(pcm16ToFloat(stdout), 48_000, frequencies, 0.5);
}

/** Windows lying entirely within [from, to) seconds. */
export function within(timeline: ReadonlyArray<{ t: number; db: number[] }>, from: number, to: number): Array<{ t: number; db: number[] }> {
  return timeline.filter((w) => w.t >= from && w.t + 0.5 <= to);
}
