/**
 * A participant's network cut for 5 s: three real Chromium participants in
 * one meeting through the real server; Alice and Bruno in the root
 * namespace, Chloé in a network namespace behind an emulated, unshaped link
 * (test/netlab/). Chloé's link goes down (every packet dropped both ways,
 * like a lost radio: no reset, no error) for 5 s, then comes back.
 *   - Media flows to Chloé again within 3 s of the link's return (first new
 *     inbound RTP packets, polled every 100 ms).
 *   - Alice and Bruno never see Chloé leave, nor twice (their tiles sampled
 *     every 150 ms in the page, for the whole test).
 *   - A chat message Chloé sends while her link is down arrives exactly
 *     once at Alice and Bruno once it is back.
 * Figures (times, phases, ICE pairs) are printed.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeetingPage } from '../../test/screenShare.js';
import {
  openChat,
  readTileLog,
  sendChat,
  startLabMeeting,
  startTileLog,
  type LabMeeting,
  type TileSample,
} from '../../test/netlab/labMeeting.js';
import { firstNewPackets, pageMedia, type PageMedia } from '../../test/netlab/pageMedia.js';

const CUT_MS = 5_000;
const RESUME_LIMIT_MS = 3_000;
const SAMPLE_EVERY_MS = 150;
const MESSAGE = 'Coupure réseau au 3e étage, je reviens';

let m: LabMeeting;
let alice: MeetingPage;
let bruno: MeetingPage;
let chloe: MeetingPage;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForMedia(page: MeetingPage, streams: number): Promise<PageMedia> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const media = await pageMedia(page.page);
    const audio = media.inbound.filter((s) => s.kind === 'audio' && s.packetsReceived > 0).length;
    const video = media.inbound.filter((s) => s.kind === 'video' && s.framesDecoded > 0).length;
    if (audio >= streams && video >= streams) return media;
    if (Date.now() > deadline) throw new Error(`${page.name}: no media from ${streams} others: ${JSON.stringify(media.inbound)}`);
    await sleep(250);
  }
}

/** Times the phase or the signaling state changed, relative to `origin`. */
function phases(log: TileSample[], origin: number): string[] {
  const out: string[] = [];
  let last = '';
  for (const s of log) {
    const state = `${s.phase}/${s.connection}`;
    if (state === last) continue;
    last = state;
    out.push(`${((s.at - origin) / 1000).toFixed(2)} s ${state}`);
  }
  return out;
}

beforeAll(async () => {
  m = await startLabMeeting({ projectId: 'chantier-reseau', roomId: 'coupure' });
});

afterAll(async () => {
  await m?.close();
});

describe('a participant whose link is cut for 5 s', () => {
  it('gets media back within 3 s, stays in the others’ grids once, and its chat arrives once', async () => {
    alice = await m.join(m.rootBrowser, 'Alice');
    bruno = await m.join(m.rootBrowser, 'Bruno');
    chloe = await m.join(m.labBrowser, 'Chloé');
    for (const p of [alice, bruno, chloe]) await waitForMedia(p, 2);
    for (const p of [alice, bruno, chloe]) await openChat(p.page);
    for (const p of [alice, bruno]) await startTileLog(p.page, SAMPLE_EVERY_MS, MESSAGE);
    await startTileLog(chloe.page, SAMPLE_EVERY_MS, MESSAGE);
    const pairsBefore = (await pageMedia(chloe.page)).pairs;
    await sleep(2_000);

    const cutAt = Date.now();
    await m.lab.down();
    await sleep(1_000);
    await sendChat(chloe.page, MESSAGE);
    await sleep(CUT_MS - (Date.now() - cutAt));
    const linkStats = await m.lab.stats();
    await m.lab.up();
    const upAt = Date.now();

    // Both directions: Chloé receives again, and the others receive her again.
    const [toChloe, toAlice] = await Promise.all([
      firstNewPackets(chloe.page, upAt, 30_000),
      (async () => {
        const base = await alice.page.evaluate(() =>
          (window as unknown as { __chantier: { getReceiveStats(): Promise<Array<{ peerId: string; packetsReceived: number }>> } }).__chantier.getReceiveStats(),
        );
        const from = (stats: typeof base): number =>
          stats.filter((s) => s.peerId === chloe.peerId).reduce((n, s) => n + s.packetsReceived, 0);
        while (Date.now() - upAt < 30_000) {
          await sleep(100);
          const now = await alice.page.evaluate(() =>
            (window as unknown as { __chantier: { getReceiveStats(): Promise<Array<{ peerId: string; packetsReceived: number }>> } }).__chantier.getReceiveStats(),
          );
          if (from(now) > from(base)) return Date.now() - upAt;
        }
        return null;
      })(),
    ]);

    // The message reaches the others (bounded wait), then stays single for 3 s more.
    const chatDeadline = Date.now() + 20_000;
    let chatArrivedMs: number | null = null;
    while (Date.now() < chatDeadline) {
      const counts = await Promise.all([alice, bruno].map((p) => readTileLog(p.page).then((log) => log.at(-1)?.textCount ?? 0)));
      if (counts.every((n) => n > 0)) {
        chatArrivedMs = Date.now() - upAt;
        break;
      }
      await sleep(200);
    }
    await sleep(3_000);

    const logs = await Promise.all([alice, bruno].map((p) => readTileLog(p.page)));
    const chloeLog = await readTileLog(chloe.page);
    const pairsAfter = (await pageMedia(chloe.page)).pairs;
    const figures = {
      toChloeMs: toChloe,
      toAliceMs: toAlice,
      chatArrivedMs,
      linkDuringCut: { up: linkStats.up.downDropped, down: linkStats.down.downDropped },
      // Times from the cut; the link came back at CUT_MS.
      chloePhases: phases(chloeLog, cutAt),
      alicePhases: phases(logs[0]!, cutAt),
      pairsBefore,
      pairsAfter,
      chloeCountsAtOthers: logs.map((log) => [...new Set(log.map((s) => s.names.filter((n) => n === 'Chloé').length))]),
      chatCountsAtOthers: logs.map((log) => [...new Set(log.map((s) => s.textCount))]),
      samples: logs.map((log) => log.length),
    };
    process.stdout.write(`[network cut] ${JSON.stringify(figures, null, 1)}\n`);

    // Chloé stayed in the others' grids, once, at every sample.
    for (const [i, log] of logs.entries()) {
      const who = i === 0 ? 'Alice' : 'Bruno';
      expect(log.length, `${who} sampled the whole test`).toBeGreaterThan((CUT_MS + 3_000) / SAMPLE_EVERY_MS / 2);
      const wrong = log.filter((s) => s.names.filter((n) => n === 'Chloé').length !== 1);
      expect(wrong.map((s) => `${s.at - cutAt} ms: ${s.names.join(', ')}`), `${who} always shows Chloé once`).toEqual([]);
    }
    // Media again within 3 s of the link's return.
    expect(toChloe, 'ms from link up to media at Chloé').not.toBeNull();
    expect(toChloe!).toBeLessThanOrEqual(RESUME_LIMIT_MS);
    // The message sent during the cut arrived, once, at both others, and never showed twice.
    expect(chatArrivedMs, 'chat from the cut arrived').not.toBeNull();
    for (const log of logs) expect(Math.max(...log.map((s) => s.textCount))).toBe(1);
  });
});
