/**
 * A stopped (or interrupted, or found after a restart) recording made into
 * its one result and stored: the mix (mix.ts), uploaded as a project
 * document (the upload limit applies), linked from the meeting's record,
 * announced in the chat; then the raw files go, but only when the stored
 * result holds what they hold (retention.ts: else they stay, logged, and the
 * manifest lists them). Nothing recorded: the record and the chat say so,
 * and the files go too. A failed mix or upload keeps the directory (logged)
 * for a later attempt (the next start's recovery, or by hand).
 */
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { DateTime } from 'luxon';
import type { DocumentLibrary } from '../documents/DocumentLibrary.js';
import type { EventBus } from '../events/EventBus.js';
import type { RecordingEnd, RecordingSummary } from '../protocol/index.js';
import type { ChatStore } from '../store/chat.js';
import type { DocumentStore } from '../store/documents.js';
import { mixArgs, runMix } from './mix.js';
import { ffprobeOf, packetCount, probeResult, type ResultProbe } from './probe.js';
import { writeManifest, type Manifest } from './Recording.js';
import { filesToKeep, type CheckedSegment } from './retention.js';
import type { RecordingStore } from './RecordingStore.js';
import type { SegmentInfo } from './TrackRecorder.js';

export interface PublishContext {
  library: DocumentLibrary;
  documents: DocumentStore;
  chat: ChatStore;
  bus: EventBus;
  store: RecordingStore;
  log: FastifyBaseLogger;
  ffmpeg: string;
  width: number;
  height: number;
  timeZone: (projectId: string) => Promise<string>;
}

/** Ends that are faults: the record says "interrompu". */
export function isInterrupted(end: RecordingEnd): boolean {
  return end === 'worker-died' || end === 'server-stopped' || end === 'disk-full';
}


/**
 * Each segment, with what FFmpeg reads of it; mixed when it has a start
 * within the recording and at least one packet (a writer stopped before its
 * first packets leaves a header only, and FFmpeg refuses a whole mix over one
 * such input). Open ends are closed at `durationMs`.
 */
async function checkSegments(dir: string, segments: readonly SegmentInfo[], durationMs: number, ffprobe: string): Promise<CheckedSegment[]> {
  const out: CheckedSegment[] = [];
  for (const s of segments) {
    const path = join(dir, s.file);
    const size = (await stat(path).catch(() => undefined))?.size ?? 0;
    const packets = size < 100 ? 0 : await packetCount(ffprobe, path);
    const placed = s.startMs !== null && s.startMs < durationMs;
    out.push({ segment: { ...s, endMs: Math.min(s.endMs ?? durationMs, durationMs) }, packets, mixed: placed && packets > 0 });
  }
  return out;
}

/** The stored result's name, on the project's wall clock: "Enregistrement 2026-12-08 09h05 - <room>.webm". */
export function fileName(manifest: Pick<Manifest, 'startedAt' | 'roomId'>, timeZone: string, video: boolean): string {
  const at = DateTime.fromMillis(manifest.startedAt, { zone: timeZone }).toFormat("yyyy-MM-dd HH'h'mm");
  return `Enregistrement ${at} - ${manifest.roomId}.${video ? 'webm' : 'opus'}`;
}

/** The text of a recording-stopped chat line: how it ended (a RecordingEnd code, which the client words in its language). */
export function stoppedText(end: RecordingEnd): string {
  return end;
}

/** Mixes, stores, links and announces; returns what the meeting's record keeps. */
export async function publishRecording(ctx: PublishContext, dir: string, manifest: Manifest): Promise<RecordingSummary> {
  const end = manifest.end ?? 'server-stopped';
  const durationMs = manifest.durationMs ?? manifest.aliveMs;
  const { projectId, meetingId, by } = manifest;
  const log = ctx.log.child({ projectId, recordingId: manifest.recordingId });
  const summary: RecordingSummary = {
    recordingId: manifest.recordingId,
    startedAt: manifest.startedAt,
    endedAt: manifest.startedAt + durationMs,
    by,
    end,
    ...(isInterrupted(end) ? { interrupted: true } : {}),
  };
  const checked = await checkSegments(dir, manifest.segments, durationMs, ffprobeOf(ctx.ffmpeg));
  const segments = checked.filter((c) => c.mixed).map((c) => c.segment);
  let result: ResultProbe | null = null;
  if (segments.length > 0 && durationMs >= 500) {
    const outPath = join(dir, 'result.out');
    const input = { segments, speakers: manifest.speakers, durationMs, width: ctx.width, height: ctx.height };
    const { args, video } = mixArgs(input, segments.map((s) => join(dir, s.file)), outPath);
    const started = Date.now();
    await runMix(ctx.ffmpeg, args);
    result = await probeResult(ffprobeOf(ctx.ffmpeg), outPath);
    log.info({ inputs: segments.length, video, durationMs, mixMs: Date.now() - started, result }, 'recording mixed');
    const name = fileName(manifest, await ctx.timeZone(projectId), video);
    const meta = await ctx.library.upload(projectId, by, name, createReadStream(outPath));
    summary.document = ctx.documents.toRef(meta);
    await ctx.bus.publish(projectId, { type: 'documentsChanged', documentId: meta.documentId, change: 'added' });
  } else {
    log.info({ files: manifest.segments.length }, 'recording: nothing was recorded');
  }
  await ctx.store.addSummary(projectId, meetingId, summary);
  if (summary.document) {
    await ctx.chat.send(projectId, {
      clientMessageId: `sys-recording-stored-${manifest.recordingId}`,
      kind: 'recording-stored',
      author: by,
      // 'interrupted' or '': the client words it.
      text: summary.interrupted ? 'interrupted' : '',
      attachment: summary.document,
      meetingId,
    });
  }
  // The raw files go only when the stored result holds what they hold.
  const keep = filesToKeep({ checked, durationMs, result });
  await writeManifest(dir, { ...manifest, done: true, ...(keep.length > 0 ? { kept: keep } : {}) });
  if (keep.length === 0) await rm(dir, { recursive: true, force: true });
  else log.error({ dir, kept: keep }, 'recording: raw files kept, the stored result lacks what they hold');
  return summary;
}
