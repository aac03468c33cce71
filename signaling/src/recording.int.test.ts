/**
 * Recording without a browser (issue 22): who may start and stop, the coded
 * errors, the state told to a session still on the join screen and kept in
 * Redis, the chat lines, a recording in which nothing was sent (writers
 * started, no packet: no document, the record says so), and a node killed
 * mid-recording: its files and manifest are found at the next start and made
 * into a partial result, stored, marked interrupted; a mix that runs past
 * its time (RECORDING_MIX_TIMEOUT_S) stopped, what it wrote stored, marked
 * interrupted, the raw files kept; summaries stored at once all kept. Real
 * Redis, real workers, real FFmpeg; the media itself is checked in
 * client/e2e/recording.e2e.test.ts and recording/spread.int.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { joinMeeting } from '../../test/meetingClient.js';
import { probe, storedFile, waitForRecordings } from '../../test/recording.js';
import { closeCheckedClients, helloSession } from '../../test/session.js';
import { answerCode as code, type TestClient } from '../../test/TestClient.js';
import { ErrorCode, type RecordingSummary } from './protocol/index.js';
import type { Manifest } from './recording/Recording.js';
import { testTempDir } from '../../test/tempDir.js';

const PROJECT = 'rec-int';
let t: TestApp;
const clients: TestClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  closeCheckedClients(clients);
  await t?.close();
});

async function joined(room: string, role: 'owner' | 'moderator' | 'member' | 'guest', userId: string) {
  const token = await t.token({ projectId: PROJECT, userId, displayName: userId, role });
  const m = await joinMeeting(t.url, token, PROJECT, room);
  clients.push(m.c);
  return m.c;
}

describe('recording, start and stop', () => {
  it('lets moderators start and stop, tells the join screen, refuses the rest with coded errors', async () => {
    const room = 'salle-1';
    const lea = await joined(room, 'owner', 'lea');
    const bruno = await joined(room, 'member', 'bruno');
    const lobby = await helloSession(t, { projectId: PROJECT, room, userId: 'chloe', role: 'member' });
    clients.push(lobby.c);
    expect((await lobby.c.request('recordingStatus', {})).recording).toBeNull();

    expect(await code(bruno.request('recordingStart', {}))).toBe(ErrorCode.FORBIDDEN);
    expect(await code(lea.request('recordingStop', {}))).toBe(ErrorCode.NOT_RECORDING);
    const { recording } = await lea.request('recordingStart', {});
    expect(recording.by).toEqual({ userId: 'lea', displayName: 'lea' });
    expect(recording.endsBy - recording.startedAt).toBe(t.config.recording.maxMinutes * 60_000);
    expect(await code(lea.request('recordingStart', {}))).toBe(ErrorCode.RECORDING_ACTIVE);

    // The join screen learns it, by notification and by asking (as a reload would).
    await lobby.c.waitFor('recordingState', (d) => d.recording?.recordingId === recording.recordingId);
    await bruno.waitFor('recordingState', (d) => d.recording !== null);
    expect((await lobby.c.request('recordingStatus', {})).recording?.recordingId).toBe(recording.recordingId);
    expect((await t.app.recordingStore.live(PROJECT, room))?.recordingId).toBe(recording.recordingId);

    expect(await code(bruno.request('recordingStop', {}))).toBe(ErrorCode.FORBIDDEN);
    await lea.request('recordingStop', {});
    await lobby.c.waitFor('recordingState', (d) => d.recording === null && d.end === 'stopped');
    expect((await lobby.c.request('recordingStatus', {})).recording).toBeNull();

    // Nothing was sent (these clients send no packets): no document, and the record says how it ended.
    const meetingId = (await t.app.meetings.current(PROJECT, room))!.meetingId;
    const [summary] = await waitForRecordings(t.app, PROJECT, meetingId, 1);
    expect(summary).toMatchObject({ recordingId: recording.recordingId, end: 'stopped' });
    expect(summary!.document).toBeUndefined();
    expect(await t.app.recordingStore.live(PROJECT, room)).toBeUndefined();
    const { messages } = await t.app.chat.history(PROJECT, undefined, 20);
    expect(messages.filter((m) => m.meetingId === meetingId && m.kind.startsWith('recording-')).map((m) => [m.kind, m.text])).toEqual([
      ['recording-stopped', 'stopped'],
      ['recording-started', 'Enregistrement démarré'],
    ]);
    // A new recording may start again.
    await lea.request('recordingStart', {});
    closeCheckedClients(clients);
    // The meeting ended with everyone gone: so did its recording.
    const list = await waitForRecordings(t.app, PROJECT, meetingId, 2);
    expect(list[1]!.end).toBe('meeting-ended');
  });
});

/** What a node that died mid-recording leaves: `seconds` of a tone as a writer copied it from `startMs`, and its manifest. */
function deadNodeRecording(data: string, recordingId: string, meetingId: string, seconds: number, startMs: number, aliveMs: number): string {
  const dir = join(data, 'recordings', recordingId);
  mkdirSync(dir, { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`, '-c:a', 'libopus', '-f', 'webm', join(dir, 'p1-mic-0.webm')]);
  const manifest: Manifest = {
    recordingId,
    projectId: PROJECT,
    roomId: 'salle-2',
    meetingId,
    node: 'dead',
    startedAt: Date.now() - 60_000,
    by: { userId: 'lea', displayName: 'Léa' },
    segments: [{ file: 'p1-mic-0.webm', kind: 'audio', mimeType: 'audio/opus', peerId: 'p1', displayName: 'Léa', source: 'mic', startMs, endMs: null }],
    speakers: [],
    aliveMs,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

/**
 * One restarted node finds two recordings its dead predecessor left. Its
 * FFmpeg mixes one of them (slow-mix-rec) at a quarter of real time (reads
 * its inputs slowly): 1 s of recording takes 4 s, past RECORDING_MIX_TIMEOUT_S
 * (1 s) plus the recording's length (1 s).
 */
describe('recordings a node killed mid-recording left', () => {
  let restarted: TestApp;
  let slowDir: string;
  beforeAll(async () => {
    const data = testTempDir('chantier-rec-recovery');
    // What a writer leaves when its server dies: a WebM of a tone, as copied from RTP.
    deadNodeRecording(data, 'dead-node-rec', 'meeting-of-a-dead-node', 3, 500, 3_400);
    slowDir = deadNodeRecording(data, 'slow-mix-rec', 'meeting-of-a-slow-mix', 1, 0, 1_000);
    const bin = join(data, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'ffmpeg'), [
      '#!/bin/bash',
      'case " $* " in *slow-mix-rec*-filter_complex*) ;; *) exec ffmpeg "$@";; esac',
      'args=()',
      'for a in "$@"; do [ "$a" = "-i" ] && args+=("-readrate" "0.25"); args+=("$a"); done',
      'exec ffmpeg "${args[@]}"',
      '',
    ].join('\n'));
    chmodSync(join(bin, 'ffmpeg'), 0o755);
    symlinkSync(execFileSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).trim(), join(bin, 'ffprobe'));
    restarted = await startTestApp({
      DATA_DIR: data,
      REDIS_KEY_PREFIX: `${t.config.redisKeyPrefix}restart:`,
      FFMPEG_PATH: join(bin, 'ffmpeg'),
      RECORDING_MIX_TIMEOUT_S: '1',
    });
  });
  afterAll(async () => {
    await restarted?.close();
  });

  const chatOf = async (meetingId: string) =>
    (await restarted.app.chat.history(PROJECT, undefined, 20)).messages.filter((m) => m.meetingId === meetingId).map((m) => [m.kind, m.text]);

  it('makes a partial result of what was written at the next start, marked interrupted', async () => {
    const [summary] = await waitForRecordings(restarted.app, PROJECT, 'meeting-of-a-dead-node', 1);
    expect(summary).toMatchObject({ end: 'server-stopped', interrupted: true });
    expect(summary!.document?.mimeType).toBe('audio/ogg');
    const info = await probe(await storedFile(restarted.app, PROJECT, summary!.document!.documentId));
    expect(info.streams.map((s) => s.codec)).toEqual(['opus']);
    expect(Math.abs(info.durationS - 3.4)).toBeLessThan(0.3);
    expect(await chatOf('meeting-of-a-dead-node')).toEqual([
      ['recording-stored', 'interrupted'],
      ['recording-stopped', 'server-stopped'],
    ]);
  });

  it('stops a mix that runs past its time: what it wrote is stored, the record says interrupted, the raw files stay', async () => {
    const [summary] = await waitForRecordings(restarted.app, PROJECT, 'meeting-of-a-slow-mix', 1);
    expect(summary).toMatchObject({ end: 'server-stopped', interrupted: true });
    // Stopped with SIGINT, FFmpeg closed its file: the part it mixed is playable.
    const info = await probe(await storedFile(restarted.app, PROJECT, summary!.document!.documentId));
    expect(info.streams.map((s) => s.codec)).toEqual(['opus']);
    expect(info.durationS).toBeGreaterThan(0);
    expect(info.durationS).toBeLessThan(0.9);
    // The raw files stay, listed in the manifest with why.
    expect(existsSync(join(slowDir, 'p1-mic-0.webm'))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(slowDir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest).toMatchObject({ done: true, kept: [{ file: 'p1-mic-0.webm', why: expect.stringContaining('RECORDING_MIX_TIMEOUT_S') }] });
  });
});

describe('the meeting record of recordings', () => {
  it('keeps every summary stored at once, and replaces one stored again by its id', async () => {
    const meetingId = 'meeting-with-many-recordings';
    const store = t.app.recordingStore;
    const summary = (i: number): RecordingSummary => ({
      recordingId: `rec-${i}`,
      startedAt: 1_765_000_000_000 + i,
      endedAt: 1_765_000_060_000 + i,
      // Quotes, braces, brackets and a backslash in a name: the list is split as JSON, not by characters.
      by: { userId: 'lea', displayName: i === 3 ? 'Léa "la {cheffe}" [chantier] \\' : 'Léa' },
      end: 'stopped',
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.addSummary(PROJECT, meetingId, summary(i))));
    let list = (await store.summaries(PROJECT)).get(meetingId)!;
    expect(list.map((s) => s.recordingId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `rec-${i}`).sort());
    expect(list.find((s) => s.recordingId === 'rec-3')).toEqual(summary(3));
    // A recording stored again (its result made anew) replaces its entry, while another is added.
    await Promise.all([store.addSummary(PROJECT, meetingId, { ...summary(5), interrupted: true }), store.addSummary(PROJECT, meetingId, summary(20))]);
    list = (await store.summaries(PROJECT)).get(meetingId)!;
    expect(list).toHaveLength(21);
    expect(list.filter((s) => s.recordingId === 'rec-5')).toEqual([{ ...summary(5), interrupted: true }]);
    expect(list.find((s) => s.recordingId === 'rec-3')).toEqual(summary(3));
  });
});
