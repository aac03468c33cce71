/**
 * At start-up: recordings a dead predecessor of this node left (its process
 * was killed mid-recording). Their manifest says what was written; writers
 * still running (FFmpeg does not die with its parent) are stopped with
 * SIGINT so that they finish their files; then the partial result is made
 * and stored like any other, marked interrupted ("server-stopped").
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { ChatStore } from '../store/chat.js';
import { publishRecording, stoppedText, type PublishContext } from './publish.js';
import { MANIFEST, type Manifest } from './Recording.js';

/** Is `pid` a writer of this recording (its command line names the directory)? */
async function isWriterOf(pid: number, dir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(dir);
}

async function stopLeftWriter(pid: number, dir: string): Promise<void> {
  if (!(await isWriterOf(pid, dir))) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && (await isWriterOf(pid, dir)); i++) await new Promise((r) => setTimeout(r, 50));
  if (await isWriterOf(pid, dir)) process.kill(pid, 'SIGKILL');
}

/** Makes the results of the recordings found under `root`; resolves with how many. */
export async function recoverRecordings(options: {
  root: string;
  publish: PublishContext;
  chat: ChatStore;
  log: FastifyBaseLogger;
  /** Recordings running in this process now (never touched). */
  running: (recordingId: string) => boolean;
}): Promise<number> {
  const entries = await readdir(options.root, { withFileTypes: true }).catch(() => []);
  let found = 0;
  for (const entry of entries) {
    if (!entry.isDirectory() || options.running(entry.name)) continue;
    const dir = join(options.root, entry.name);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
    } catch {
      continue; // not a recording's, or its manifest was never written
    }
    if (manifest.done) continue;
    found++;
    const log = options.log.child({ recordingId: manifest.recordingId, projectId: manifest.projectId });
    try {
      for (const s of manifest.segments) if (s.pid) await stopLeftWriter(s.pid, dir);
      const end = manifest.end ?? 'server-stopped';
      const recovered: Manifest = { ...manifest, end, durationMs: manifest.durationMs ?? manifest.aliveMs };
      log.warn({ end, aliveMs: manifest.aliveMs, files: manifest.segments.length }, 'recording left by a stopped server: making its result');
      await options.publish.store.release(manifest.projectId, manifest.roomId, manifest.recordingId).catch(() => {});
      if (!manifest.end) {
        await options.chat.send(manifest.projectId, {
          clientMessageId: `sys-recording-stopped-${manifest.recordingId}`,
          kind: 'recording-stopped',
          author: manifest.by,
          text: stoppedText(end),
          meetingId: manifest.meetingId,
        });
      }
      await publishRecording(options.publish, dir, recovered);
    } catch (error) {
      log.error({ err: error, dir }, 'recording left by a stopped server: result not made; its files are kept');
    }
  }
  return found;
}
