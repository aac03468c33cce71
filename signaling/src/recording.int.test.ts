/**
 * Recording without a browser (issue 22): who may start and stop, the coded
 * errors, the state told to a session still on the join screen and kept in
 * Redis, the chat lines, a recording in which nothing was sent (writers
 * started, no packet: no document, the record says so), and a node killed
 * mid-recording: its files and manifest are found at the next start and made
 * into a partial result, stored, marked interrupted. Real Redis, real
 * workers, real FFmpeg; the media itself is checked in
 * client/e2e/recording.e2e.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { joinMeeting } from '../../test/meetingClient.js';
import { probe, storedFile, waitForRecordings } from '../../test/recording.js';
import { closeCheckedClients, helloSession } from '../../test/session.js';
import { answerCode as code, type TestClient } from '../../test/TestClient.js';
import { ErrorCode } from './protocol/index.js';
import type { Manifest } from './recording/Recording.js';

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

describe('a node killed mid-recording', () => {
  it('makes a partial result of what it wrote at the next start, marked interrupted', async () => {
    const data = mkdtempSync(join(tmpdir(), 'chantier-rec-recovery-'));
    const dir = join(data, 'recordings', 'dead-node-rec');
    mkdirSync(dir, { recursive: true });
    // What a writer leaves when its server dies: a WebM of 3 s of a tone, as copied from RTP.
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=3', '-c:a', 'libopus', '-f', 'webm', join(dir, 'p1-mic-0.webm')]);
    const manifest: Manifest = {
      recordingId: 'dead-node-rec',
      projectId: PROJECT,
      roomId: 'salle-2',
      meetingId: 'meeting-of-a-dead-node',
      node: 'dead',
      startedAt: Date.now() - 60_000,
      by: { userId: 'lea', displayName: 'Léa' },
      segments: [{ file: 'p1-mic-0.webm', kind: 'audio', mimeType: 'audio/opus', peerId: 'p1', displayName: 'Léa', source: 'mic', startMs: 500, endMs: null }],
      speakers: [],
      aliveMs: 3_400,
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const restarted = await startTestApp({ DATA_DIR: data, REDIS_KEY_PREFIX: `${t.config.redisKeyPrefix}restart:` });
    try {
      const [summary] = await waitForRecordings(restarted.app, PROJECT, 'meeting-of-a-dead-node', 1);
      expect(summary).toMatchObject({ end: 'server-stopped', interrupted: true });
      expect(summary!.document?.mimeType).toBe('audio/ogg');
      const info = await probe(await storedFile(restarted.app, PROJECT, summary!.document!.documentId));
      expect(info.streams.map((s) => s.codec)).toEqual(['opus']);
      expect(Math.abs(info.durationS - 3.4)).toBeLessThan(0.3);
      const { messages } = await restarted.app.chat.history(PROJECT, undefined, 10);
      expect(messages.map((m) => [m.kind, m.text])).toEqual([
        ['recording-stored', 'interrupted'],
        ['recording-stopped', 'server-stopped'],
      ]);
    } finally {
      await restarted.close();
    }
  });
});
