/**
 * Recording a meeting (issue 22) in real Chromium, through the real server,
 * real mediasoup workers (two, with a low consumer limit so that the meeting
 * may spread and tracks come to the recorder through pipes; in the runs of
 * 2026-12-06 it stayed on one worker) and real FFmpeg. One browser, one
 * meeting, three recordings in a row:
 *
 * 1. Léa (owner, 440 Hz) and Bruno (member, 660 Hz) are in, cameras on.
 *    Léa records for 15 s; Bruno leaves at ~4 s; Chloé (880 Hz) reads "Cette
 *    réunion est enregistrée" on the join screen, then joins at ~7 s. The
 *    stored WebM decodes, lasts 15 s ± 0.5 s, has video at the configured
 *    size, and each tone is in the mix while its sender was there and not
 *    otherwise (Goertzel over the decoded PCM).
 * 2. Cameras off, a short recording: an Ogg Opus file with both voices.
 * 3. The home worker is killed 4 s into a recording: the meeting closes, and
 *    a playable partial result (both voices, Léa's camera, until the kill)
 *    is stored, marked interrupted.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { joinFromLobby } from '../../test/join.js';
import { clickControl, openMeetingPage, type MeetingPage } from '../../test/meetingPage.js';
import { decodeVideo, probe, storedFile, toneMicrophone, toneTimeline, waitForRecordings, within } from '../../test/recording.js';
import { until } from '../../test/until.js';

const PROJECT = 'chantier-enregistrement';
const ROOM = 'reunion';
const LEA = 440;
const BRUNO = 660;
const CHLOE = 880;
/** A frequency nobody sends: the noise floor. */
const CONTROL = 550;
const PRESENT_DB = -30;
const ABSENT_DB = -50;

let t: TestApp;
let chromium: TestBrowser;
let lea: MeetingPage;
let bruno: MeetingPage;
let chloe: MeetingPage;

beforeAll(async () => {
  t = await startTestApp({
    MEDIASOUP_WORKERS: '2',
    // A low limit, so that later participants may be placed on the other worker (pipes to the recorder).
    SFU_MAX_CONSUMERS_PER_WORKER: '1',
    RECORDING_VIDEO_SIZE: '640x360',
  });
  chromium = await launchBrowser();
  const open = (name: string, hz: number, role: 'owner' | 'member' | 'moderator', enter?: 'lobby') =>
    openMeetingPage(chromium.browser, t, {
      name,
      userId: `u-${name}`,
      projectId: PROJECT,
      roomId: ROOM,
      role,
      beforeApp: [toneMicrophone(hz)],
      // A loaded machine (several engineers' tests at once) took over 30 s to load a page.
      prepare: (page) => page.setDefaultNavigationTimeout(90_000),
      ...(enter ? { enter } : {}),
    });
  const t0 = Date.now();
  const step = (what: string) => process.env.RECORDING_TEST_TRACE && console.error(`[recording e2e] ${((Date.now() - t0) / 1000).toFixed(1)} s ${what}`);
  step('browser up');
  lea = await open('Léa', LEA, 'owner');
  step('Léa in');
  bruno = await open('Bruno', BRUNO, 'member');
  step('Bruno in');
  // Chloé waits on the join screen until the recording runs.
  chloe = await open('Chloé', CHLOE, 'moderator', 'lobby');
  step('Chloé on the join screen');
  lea.page.on('dialog', (dialog) => void dialog.accept());
}, 420_000);

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

function room() {
  const r = t.app.rooms.get(PROJECT, ROOM);
  if (!r) throw new Error('no room');
  return r;
}

/** Léa presses "Enregistrer"; resolves with the server's start time (ms since the epoch). */
async function startRecording(): Promise<number> {
  await clickControl(lea.page, 'recording-toggle');
  await lea.page.waitForSelector('[data-testid="recording-badge"]');
  const info = await t.app.recordingStore.live(PROJECT, ROOM);
  if (!info) throw new Error('no recording in Redis');
  return info.startedAt;
}

const sleepUntil = async (time: number): Promise<void> => {
  const wait = time - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
};

describe('recording a meeting', () => {
  let meetingId = '';

  it('records three voices and the video of a meeting where one leaves and one joins, into one WebM document', async () => {
    meetingId = (await t.app.meetings.current(PROJECT, ROOM))!.meetingId;
    // Whether the meeting spread depends on placement's consumer counts at each join (not asserted: see the report).
    if (process.env.RECORDING_TEST_TRACE) console.error('[recording e2e] layout', JSON.stringify(room().media.layout()));
    // Members cannot record: no control for Bruno.
    expect(await bruno.page.$('[data-testid="recording-toggle"]')).toBeNull();
    const startedAt = await startRecording();
    await bruno.page.waitForSelector('[data-testid="recording-badge"]');
    await bruno.page.waitForSelector('[data-testid="recorder"]');
    // Consent: the join screen says so before Chloé enters.
    await chloe.page.waitForSelector('[data-testid="recording-notice"]');

    await sleepUntil(startedAt + 4_000);
    const leftAt = (Date.now() - startedAt) / 1000;
    await clickControl(bruno.page, 'leave-button');
    await sleepUntil(startedAt + 7_000);
    const joinFrom = (Date.now() - startedAt) / 1000;
    await joinFromLobby(chloe.page);
    const joinedAt = (Date.now() - startedAt) / 1000;
    await chloe.page.waitForSelector('[data-testid="recording-badge"]');

    await sleepUntil(startedAt + 15_000);
    await clickControl(lea.page, 'recording-toggle');
    await lea.page.waitForFunction(() => !document.querySelector('[data-testid="recording-badge"]'));

    const [summary] = await waitForRecordings(t.app, PROJECT, meetingId, 1);
    expect(summary).toMatchObject({ end: 'stopped', by: { userId: 'u-Léa' } });
    expect(summary!.interrupted).toBeUndefined();
    expect(summary!.document?.mimeType).toBe('video/webm');
    const file = await storedFile(t.app, PROJECT, summary!.document!.documentId);
    const info = await probe(file);
    expect(info.format).toContain('webm');
    expect(Math.abs(info.durationS - 15)).toBeLessThanOrEqual(0.5);
    expect(info.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:opus', 'video:vp8']);
    const video = await decodeVideo(file);
    expect({ width: video.width, height: video.height }).toEqual({ width: 640, height: 360 });
    expect(video.frames).toBeGreaterThan(15 * 10);

    const timeline = await toneTimeline(file, [LEA, BRUNO, CHLOE, CONTROL]);
    const report = timeline.map((w) => `${w.t.toFixed(1)}: ${w.db.map((d) => d.toFixed(0)).join(' ')}`).join('\n');
    const fail = (what: string) => `${what}; left ${leftAt.toFixed(1)} s, join ${joinFrom.toFixed(1)}–${joinedAt.toFixed(1)} s\n${report}`;
    // Léa all along (the recording starts once every writer listens), Bruno until he left (his
    // writer, killed with no packets coming, loses its last half-second cluster), Chloé once her microphone was on.
    for (const w of within(timeline, 0.5, 14.5)) expect(w.db[0], fail(`440 Hz at ${w.t}`)).toBeGreaterThan(PRESENT_DB);
    for (const w of within(timeline, 0.5, leftAt - 0.5)) expect(w.db[1], fail(`660 Hz at ${w.t}`)).toBeGreaterThan(PRESENT_DB);
    for (const w of within(timeline, leftAt + 1.5, 15)) expect(w.db[1], fail(`660 Hz at ${w.t}`)).toBeLessThan(ABSENT_DB);
    for (const w of within(timeline, 0, joinFrom)) expect(w.db[2], fail(`880 Hz at ${w.t}`)).toBeLessThan(ABSENT_DB);
    // From 3 s after her join: her microphone's producer, then its writer (an FFmpeg started for it) must be up;
    // at +2 s her voice was missing once in six runs.
    for (const w of within(timeline, joinedAt + 3, 14.5)) expect(w.db[2], fail(`880 Hz at ${w.t}`)).toBeGreaterThan(PRESENT_DB);
    for (const w of timeline) expect(w.db[3], fail(`550 Hz at ${w.t}`)).toBeLessThan(ABSENT_DB);

    // The chat tells the project: started, stopped, stored (with the document).
    const { messages } = await t.app.chat.history(PROJECT, undefined, 50);
    const kinds = messages.filter((m) => m.kind.startsWith('recording-')).map((m) => m.kind);
    expect(kinds.sort()).toEqual(['recording-started', 'recording-stopped', 'recording-stored']);
    expect(messages.find((m) => m.kind === 'recording-stored')?.attachment?.documentId).toBe(summary!.document!.documentId);
    // The raw files went once the result (which holds them) was stored.
    expect(existsSync(join(t.config.recording.dir, summary!.recordingId))).toBe(false);
  }, 120_000);

  it('gives an Opus file with the voices when nobody sends video', async () => {
    await clickControl(lea.page, 'camera-toggle');
    await clickControl(chloe.page, 'camera-toggle');
    await lea.page.waitForFunction(() => !document.querySelector('[data-testid="tile"] video'), { timeout: 15_000 }).catch(() => {});
    const startedAt = await startRecording();
    await sleepUntil(startedAt + 4_000);
    await clickControl(lea.page, 'recording-toggle');
    const list = await waitForRecordings(t.app, PROJECT, meetingId, 2);
    const summary = list[1]!;
    expect(summary.document?.mimeType).toBe('audio/ogg');
    expect(summary.document?.name).toMatch(/\.opus$/);
    const file = await storedFile(t.app, PROJECT, summary.document!.documentId);
    const info = await probe(file);
    expect(info.streams.map((s) => `${s.type}:${s.codec}`)).toEqual(['audio:opus']);
    expect(Math.abs(info.durationS - 4)).toBeLessThanOrEqual(0.5);
    const timeline = within(await toneTimeline(file, [LEA, CHLOE, BRUNO]), 0.5, 3.5);
    for (const w of timeline) {
      expect(w.db[0]).toBeGreaterThan(PRESENT_DB);
      expect(w.db[1]).toBeGreaterThan(PRESENT_DB);
      expect(w.db[2]).toBeLessThan(ABSENT_DB);
    }
  }, 60_000);

  it('keeps a playable partial result, marked interrupted, when the worker dies mid-recording', async () => {
    await clickControl(lea.page, 'camera-toggle');
    // Her camera sending before the start: a camera still starting when the worker dies
    // has nothing written yet (seen once on a loaded machine: a result without video).
    await until(
      () => [...room().media.peers.values()].some((p) => [...p.producers.values()].some((pr) => pr.kind === 'video' && pr.score.some((s) => s.score > 0))),
      'Léa’s camera sending',
    );
    const startedAt = await startRecording();
    // And her camera in the recording (its first key frame reached the recorder: the manifest's video segment
    // has a start) before the worker dies: in a full suite on a loaded machine it once had not 4 s in.
    const live = await t.app.recordingStore.live(PROJECT, ROOM);
    const manifest = join(t.config.recording.dir, live!.recordingId, 'manifest.json');
    const videoRecorded = (): boolean => {
      try {
        const { segments } = JSON.parse(readFileSync(manifest, 'utf8')) as { segments: Array<{ kind: string; startMs: number | null }> };
        return segments.some((s) => s.kind === 'video' && s.startMs !== null);
      } catch {
        return false; // not written yet, or being replaced
      }
    };
    await until(videoRecorded, 'Léa’s camera in the recording', { timeoutMs: 20_000, stepMs: 100 });
    await sleepUntil(startedAt + 4_000);
    const killedAt = (Date.now() - startedAt) / 1000;
    process.kill(room().media.slot.worker.pid, 'SIGKILL');
    const list = await waitForRecordings(t.app, PROJECT, meetingId, 3);
    const summary = list[2]!;
    expect(summary).toMatchObject({ end: 'worker-died', interrupted: true });
    const file = await storedFile(t.app, PROJECT, summary.document!.documentId);
    const info = await probe(file);
    // What was written until the worker died, Léa's camera included, both voices until then.
    expect(Math.abs(info.durationS - killedAt)).toBeLessThanOrEqual(0.5);
    expect(info.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:opus', 'video:vp8']);
    expect((await decodeVideo(file)).frames).toBeGreaterThan(0);
    const timeline = within(await toneTimeline(file, [LEA, CHLOE]), 0.5, killedAt - 0.5);
    expect(timeline.length).toBeGreaterThan(4);
    for (const w of timeline) {
      expect(w.db[0]).toBeGreaterThan(PRESENT_DB);
      expect(w.db[1]).toBeGreaterThan(PRESENT_DB);
    }
    expect(existsSync(join(t.config.recording.dir, summary.recordingId))).toBe(false);
    expect(cspViolations).toEqual([]);
  }, 60_000);
});
