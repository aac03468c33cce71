/**
 * Issue 8: "A room with more consumers than the per-worker limit spreads over
 * workers and media still flows." Two mediasoup workers and a limit of four
 * consumers per worker: two participants sending camera and microphone fill
 * the meeting's worker (each consumes the other's two), so the third is
 * placed on the other worker and the producers are piped between them
 * (pipeToRouter). Three real Chromium participants must then each decode
 * the others' video and receive their audio, across workers both ways; when
 * the third leaves, its router of the room and the pipes close.
 */
import type { Page } from 'puppeteer-core';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { mediaByPeer, receiveStats, type MediaTotals } from '../../test/receiveStats.js';
import { parseExposition, sumOf } from '../../signaling/src/metrics/exposition.js';

interface Participant {
  name: string;
  page: Page;
  peerId: string;
}

const PROJECT = 'chantier-grand-site';
const ROOM = 'revue-de-chantier';
const LIMIT = 4;
const METRICS_TOKEN = randomBytes(24).toString('base64url');

let t: TestApp;
let chromium: TestBrowser;
const participants: Participant[] = [];

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function join(name: string): Promise<Participant> {
  const { page, peerId } = await openMeetingPage(chromium.browser, t, { name, projectId: PROJECT, roomId: ROOM });
  expect(peerId).toBeTruthy();
  return { name, page, peerId };
}

function meeting() {
  const room = t.app.rooms.get(PROJECT, ROOM);
  if (!room) throw new Error('the meeting is not open on the server');
  return room;
}

/** The worker index each participant's media is on, read from the server in this process. */
function workersOf(): Map<string, number> {
  return new Map([...meeting().joinedSessions].map(([peerId, s]) => [peerId, s.media!.slot.index]));
}

beforeAll(async () => {
  t = await startTestApp({
    MEDIASOUP_WORKERS: '2',
    SFU_MAX_CONSUMERS_PER_WORKER: String(LIMIT),
    METRICS_TOKEN,
    GUEST_LOBBY: 'off',
    // A closed page leaves at once, so that its router's closing is seen.
    PEER_GRACE_MS: '0',
  });
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('a meeting bigger than one worker', () => {
  it('spreads over two workers and every participant sees and hears every other', async () => {
    participants.push(await join('Alice'), await join('Bruno'));
    const home = meeting().media.slot;
    // Both on the meeting's worker; once each consumes the other's camera and
    // microphone that worker is at its limit (consumers are counted exactly).
    expect([...workersOf().values()]).toEqual([home.index, home.index]);
    await until(() => home.load.consumers >= LIMIT, `${LIMIT} consumers on the meeting's worker`);

    participants.push(await join('Chloé'));
    const chloe = participants[2]!;
    // (a) The server placed the third participant on the other worker.
    const placed = workersOf();
    console.info(`participants by worker: ${JSON.stringify(Object.fromEntries(placed))}, layout ${JSON.stringify(meeting().media.layout())}`);
    expect(placed.get(participants[0]!.peerId)).toBe(home.index);
    expect(placed.get(participants[1]!.peerId)).toBe(home.index);
    expect(placed.get(chloe.peerId)).not.toBe(home.index);
    expect(new Set(placed.values()).size).toBe(2);
    expect(meeting().media.spread).toBe(true);

    // (b) Media flows from each to each, across workers: video decoded, audio received, and rising.
    for (const p of participants) {
      const others = participants.filter((o) => o !== p).map((o) => o.peerId);
      let first = new Map<string, MediaTotals>();
      await until(async () => {
        first = mediaByPeer(await receiveStats(p.page));
        return others.every((id) => (first.get(id)?.frames ?? 0) > 0 && (first.get(id)?.audioPackets ?? 0) > 0);
      }, `${p.name} to receive media from both others`, 30_000).catch((error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify([...first])}`);
      });
      // Rising, not just started (a loaded 2-core machine may decode a frame or two a second).
      let second = first;
      const rising = (): boolean =>
        others.every(
          (id) => second.get(id)!.frames > first.get(id)!.frames && second.get(id)!.audioPackets > first.get(id)!.audioPackets,
        );
      const deadline = Date.now() + 10_000;
      do {
        await new Promise((r) => setTimeout(r, 500));
        second = mediaByPeer(await receiveStats(p.page));
      } while (!rising() && Date.now() < deadline);
      for (const id of others) {
        expect(second.get(id)!.frames, `${p.name} decodes video of ${id}`).toBeGreaterThan(first.get(id)!.frames);
        expect(second.get(id)!.audioPackets, `${p.name} receives audio of ${id}`).toBeGreaterThan(first.get(id)!.audioPackets);
      }
    }

    // The media went through pipes: both routers hold pipe producers of the other side's
    // microphone and camera, and /metrics shows the pipe transports on both workers.
    const layout = meeting().media.layout();
    expect(layout.routers).toHaveLength(2);
    const other = layout.routers.find((r) => r.worker !== home.index)!;
    expect(other.peers).toEqual([chloe.peerId]);
    expect(other.pipeProducers).toBe(4);
    expect(layout.routers.find((r) => r.worker === home.index)!.pipeProducers).toBe(2);
    const response = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const samples = parseExposition(await response.text());
    for (const slot of t.app.sfu.pool.slots) {
      const labels = { worker: String(slot.index), pid: String(slot.worker.pid) };
      expect(sumOf(samples, 'chantier_pipe_transports', labels), `pipe transports on worker ${slot.index}`).toBe(1);
      expect(sumOf(samples, 'chantier_peers', labels)).toBe(slot === home ? 2 : 1);
    }
  });

  it("closes the other worker's router and the pipes when its participant leaves", async () => {
    const chloe = participants[2]!;
    const home = meeting().media.slot;
    const other = t.app.sfu.pool.slots.find((s) => s !== home)!;
    await chloe.page.browserContext().close();
    await until(() => !meeting().media.spread && meeting().joinedSessions.size === 2, 'the meeting back on one worker');
    await until(() => other.load.pipeTransports === 0 && home.load.pipeTransports === 0, 'the pipes closed');
    expect(other.load).toMatchObject({ routers: 0, consumers: 0, producers: 0 });
    // The two left still see each other.
    const stats = mediaByPeer(await receiveStats(participants[0]!.page));
    expect(stats.get(participants[1]!.peerId)?.frames ?? 0).toBeGreaterThan(0);
  });
});

describe('the Content-Security-Policy', () => {
  it('was never violated by the pages above', () => {
    expect(cspViolations).toEqual([]);
  });
});
