/**
 * A participant on a weak network: three real Chromium participants in one
 * meeting through the real server; Alice and Bruno in the root namespace
 * (camera and microphone), Chloé in a network namespace behind an emulated
 * link (test/netlab/). Everyone joins on an unshaped link; then Chloé's link
 * becomes 300 kbit/s, 100 ms one way (200 ms round trip) and 5 % random loss,
 * in each direction, with a 200-ms bottleneck queue (tail drop). After 10 s
 * to settle, over a 20-s window, Chloé must keep receiving both others'
 * audio with under 8 % of its samples concealed and no gap (no stretch of
 * ~1 s without a new packet or a new sample decoded from one, read every
 * 250 ms in her page), while the video she
 * receives degrades: under 70 % of the bitrate she received unshaped (a
 * lower layer, fewer frames, or none), and below the link's rate. The
 * figures are printed (ICE pairs, per-stream deltas, the link's counters).
 *
 * Then, in the same meeting with the link still weak, Dana joins from the
 * root side and shares a 1920x1080 plan with 8-px text (real tab capture).
 * Chloé's downlink cannot carry the plan's video (on main she decoded no
 * frame of it in 30 s: each key frame overflowed her link's queue and was
 * replaced by the next one she asked for): her stage must show it legible
 * (>= 30 dB luma PSNR, measured on what her stage shows) within a guard of
 * 30 s, as a still picture labelled as such (issue 21), while Alice, on her
 * good link, still gets the video (decoded at full size). Times are the
 * bench's (`npm run bench -- screenshare`, the weak-link case: 3 s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import {
  framePsnr,
  joinAsSharer,
  showPlan,
  startSharing,
  TAB_CAPTURE_FLAGS,
  waitForFullResolution,
  type MeetingPage,
} from '../../test/screenShare.js';
import { startLabMeeting, type LabMeeting } from '../../test/netlab/labMeeting.js';
import {
  decodedSamples,
  deltas,
  longestStall,
  pageMedia,
  startMediaLog,
  stopMediaLog,
  type PageMedia,
  type StreamDelta,
} from '../../test/netlab/pageMedia.js';

const RATE_KBIT = 300;
const ONE_WAY_DELAY_MS = 100;
const LOSS_PCT = 5;
const SETTLE_MS = 10_000;
const WINDOW_MS = 20_000;
/** Sub-windows of the window: audio must rise in each one, not only overall. */
const SLICES = 4;
/** How often Chloé's page reads its audio counters during the window (in the page). */
const LOG_EVERY_MS = 250;
/**
 * A voice with no new packet, or no new sample decoded from one, for this
 * long is a gap: ~1 s, at the log's resolution. Measured (3 runs, 2026-12-06,
 * shared machine): the longest stretch was 273-326 ms, i.e. one or two log
 * intervals: packets (40-ms Opus frames) and decoded samples rose at every
 * reading; ~4x margin for a loaded host.
 */
const MAX_STALL_MS = 1_000 + LOG_EVERY_MS;
/** Concealed share of a voice's samples: 0.7-3.0 % measured in the same runs (10 % before); 8 % leaves ~2.5x. */
const MAX_CONCEALED = 0.08;

let m: LabMeeting;
let alice: MeetingPage;
let bruno: MeetingPage;
let chloe: MeetingPage;
let sharerBrowser: TestBrowser | undefined;

/** A plan is legible from this luma PSNR on (its 8-px text readable: scripts/bench/lib/legibility.ts). */
const LEGIBLE_DB = 30;
/** Guard of the waits for the plan, from the click (the weak link's target is 3 s: a bench figure). */
const PLAN_GUARD_MS = 30_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (bounded) until the page receives audio and decodes video from `peers` streams of each kind. */
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

/** Summed bitrate of a kind; video: the streams that carry pictures, not the server's bandwidth probe. */
const total = (ds: StreamDelta[], kind: 'audio' | 'video'): number =>
  ds.filter((d) => d.kind === kind && (kind === 'audio' || d.frameWidth > 0)).reduce((sum, d) => sum + d.kbps, 0);

/** The SFU's log lines on who gets the screen as video or as a still, printed with the plan case's figures. */
const SFU_DECISIONS = /"msg":"(screen consumed|screen held[^"]*|video limited by downlink)"/;

/** The kept decisions since `since`, one short line each, peers by name. */
function decisionsSince(since: number, names: Record<string, string>): string[] {
  const noise = new Set(['level', 'time', 'pid', 'hostname', 'component', 'roomId', 'home', 'worker', 'peerId', 'msg', 'consumerId']);
  return m.keptLog().flatMap((line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (typeof entry.time !== 'number' || entry.time < since) return [];
    const figures = Object.fromEntries(Object.entries(entry).filter(([key]) => !noise.has(key)));
    return [`+${entry.time - since} ms ${names[String(entry.peerId)] ?? String(entry.peerId)}: ${String(entry.msg)} ${JSON.stringify(figures)}`];
  });
}

/** One line per stream, for the figures printed. */
const brief = (ds: StreamDelta[]): string[] =>
  ds.map(
    (d) =>
      `${d.kind} ${d.key}: ${d.packets} packets, ${d.lost} lost, ${d.kbps.toFixed(1)} kb/s` +
      (d.kind === 'audio'
        ? `, concealed ${(d.concealedRatio * 100).toFixed(2)} % (silent ${(d.silentConcealedRatio * 100).toFixed(2)} %)`
        : `, ${d.frames} frames, ${d.frameWidth}x${d.frameHeight}`),
  );

beforeAll(async () => {
  m = await startLabMeeting({ projectId: 'chantier-reseau', roomId: 'reseau-faible', keepLog: SFU_DECISIONS });
});

afterAll(async () => {
  await sharerBrowser?.close();
  await m?.close();
});

/** Waits (bounded by the guard from `since`) until the page's stage shows the plan legible; the last PSNR. */
async function waitForLegible(viewer: MeetingPage, since: number): Promise<number> {
  let psnr = 0;
  while (psnr < LEGIBLE_DB && Date.now() - since < PLAN_GUARD_MS) {
    psnr = await framePsnr(viewer.page).catch(() => 0);
    if (psnr < LEGIBLE_DB) await sleep(300);
  }
  return psnr;
}

/** Whether the page's stage shows a still picture of the share (and its label) instead of the video. */
function showsStill(viewer: MeetingPage): Promise<boolean> {
  return viewer.page.evaluate(
    () => !!document.querySelector('[data-testid="stage-still"]') && !!document.querySelector('[data-testid="stage-still-label"]'),
  );
}

describe('a participant behind a weak link (300 kbit/s, 200 ms RTT, 5 % loss)', () => {
  it('keeps receiving audio with little concealment while video degrades', async () => {
    alice = await m.join(m.rootBrowser, 'Alice');
    bruno = await m.join(m.rootBrowser, 'Bruno');
    chloe = await m.join(m.labBrowser, 'Chloé');
    for (const p of [alice, bruno, chloe]) await waitForMedia(p, 2);

    // Chloé's media really crosses the link: her ICE pair goes from her
    // namespace address to the server's address on the root side.
    const first = await pageMedia(chloe.page);
    expect(first.pairs.length).toBeGreaterThan(0);
    for (const pair of first.pairs) {
      expect(pair.remoteAddress).toBe(m.lab.hostIp);
      expect(pair.local.startsWith(`${m.lab.peerIp}:`)).toBe(true);
    }
    const rootPairs = (await pageMedia(alice.page)).pairs;

    // Unshaped reference: what Chloé receives with nothing in the way, once
    // the senders' and the server's bandwidth estimates have ramped up.
    // On a starved machine (a loaded CI host) the client's downlink guard
    // may pause a video for a while even on this unshaped link: the reference
    // is the first 5-s window in which both videos come, within four tries.
    await sleep(10_000);
    let reference: ReturnType<typeof deltas> = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const refStart = await pageMedia(chloe.page);
      await sleep(5_000);
      reference = deltas(refStart, await pageMedia(chloe.page));
      if (reference.filter((d) => d.kind === 'video' && d.frames > 0).length === 2) break;
      process.stdout.write(`[weak link] reference window ${attempt}: not both videos yet: ${JSON.stringify(brief(reference))}\n`);
    }
    const referenceVideoKbps = total(reference, 'video');
    // Why the reference is what it is: what a sender encodes, and what holds it back.
    const aliceSends = await alice.page.evaluate(() =>
      (window as unknown as { __chantier: { getSendStats(): Promise<unknown> } }).__chantier.getSendStats(),
    );

    await m.lab.set({ rateKbit: RATE_KBIT, delayMs: ONE_WAY_DELAY_MS, lossPct: LOSS_PCT });
    await sleep(SETTLE_MS);
    const linkBefore = await m.lab.stats();
    await startMediaLog(chloe.page, LOG_EVERY_MS);
    const readings: PageMedia[] = [await pageMedia(chloe.page)];
    for (let i = 0; i < SLICES; i++) {
      await sleep(WINDOW_MS / SLICES);
      readings.push(await pageMedia(chloe.page));
    }
    const log = await stopMediaLog(chloe.page);
    const linkAfter = await m.lab.stats();
    const window = deltas(readings[0]!, readings.at(-1)!);
    const audio = window.filter((d) => d.kind === 'audio');
    const down = {
      packets: linkAfter.down.packets - linkBefore.down.packets,
      lossDropped: linkAfter.down.lossDropped - linkBefore.down.lossDropped,
      queueDropped: linkAfter.down.queueDropped - linkBefore.down.queueDropped,
      deliveredKbps: ((linkAfter.down.deliveredBytes - linkBefore.down.deliveredBytes) * 8) / WINDOW_MS,
    };
    // Each voice's longest stretch without a new packet, and without a new sample decoded from one.
    const voices = audio.map((d) => ({
      key: d.key,
      packetStallMs: longestStall(log, d.key, (x) => x.packetsReceived),
      decodedStallMs: longestStall(log, d.key, decodedSamples),
      concealed: d.concealedRatio,
    }));
    const figures = {
      logReadings: log.length,
      voices,
      rootPairs,
      labPairs: first.pairs,
      referenceVideoKbps,
      aliceSends,
      reference: brief(reference),
      window: brief(window),
      slices: readings.slice(1).map((r, i) => deltas(readings[i]!, r).map((d) => `${d.kind} ${d.packets}p ${d.kbps.toFixed(0)}kb/s`)),
      down,
    };
    process.stdout.write(`[weak link] ${JSON.stringify(figures, null, 1)}\n`);

    // Audio from both others, all along the window, with < 8 % concealed.
    expect(audio).toHaveLength(2);
    for (let i = 1; i < readings.length; i++) {
      const slice = deltas(readings[i - 1]!, readings[i]!).filter((d) => d.kind === 'audio');
      for (const d of slice) expect(d.packets, `audio ${d.key} in slice ${i}`).toBeGreaterThan(0);
    }
    for (const d of audio) {
      expect(d.concealedRatio, `audio ${d.key} concealed`).toBeLessThan(MAX_CONCEALED);
    }
    // No gap in either voice: packets come, and are decoded, all along.
    expect(log.length).toBeGreaterThan(WINDOW_MS / LOG_EVERY_MS / 2);
    for (const v of voices) {
      expect(v.packetStallMs, `audio ${v.key}: longest stretch without a packet`).toBeLessThanOrEqual(MAX_STALL_MS);
      expect(v.decodedStallMs, `audio ${v.key}: longest stretch without a decoded sample`).toBeLessThanOrEqual(MAX_STALL_MS);
    }
    // The link was really weak over the window: losses and the rate bound what came down.
    expect(down.lossDropped).toBeGreaterThan(0);
    expect(down.deliveredKbps).toBeLessThanOrEqual(RATE_KBIT * 1.02);
    // Video degrades or stops: well below the unshaped reference (fewer
    // frames, a lower layer, or none), and never the whole link.
    const videoKbps = total(window, 'video');
    expect(reference.filter((d) => d.kind === 'video' && d.frames > 0)).toHaveLength(2);
    expect(videoKbps).toBeLessThan(RATE_KBIT);
    expect(videoKbps).toBeLessThan(referenceVideoKbps * 0.7);
    // The others see that Chloé's link is weak: her tile's connection badge is not "good" (a state, not a time: the guard is wide).
    await alice.page.waitForSelector(`[data-testid="quality-${chloe.peerId}"]:is([data-quality="fair"], [data-quality="poor"])`, { timeout: 15_000 });
  }, 180_000);

  it('shows a plan shared from a good link legible to the weak viewer as a still, and as video to the others', async () => {
    expect(chloe, 'the weak viewer of the first case').toBeDefined();
    sharerBrowser = await launchBrowser(TAB_CAPTURE_FLAGS, { fakeUi: false, secureOrigins: [m.app.url] });
    const dana = await joinAsSharer(sharerBrowser, m.place, 'Dana');
    await chloe.page.waitForSelector(`[data-testid="tile"][data-peer-id="${dana.peerId}"]`, { timeout: 15_000 });
    await showPlan(dana.page);
    const linkBefore = await m.lab.stats();
    const clicked = Date.now();
    const names = { [alice.peerId]: 'Alice', [bruno.peerId]: 'Bruno', [chloe.peerId]: 'Chloé', [dana.peerId]: 'Dana' };
    try {
      // Both producers made within the guard: measured on a loaded host (load 15), the screen's produce alone took 7 s.
      await startSharing(dana, PLAN_GUARD_MS);
      const [chloePsnr, alicePsnr] = await Promise.all([
        waitForLegible(chloe, clicked),
        // Alice's legibility on a good link is the screenshare bench's (a loaded host refines slowly): she must get the video.
        waitForFullResolution(alice.page, dana.peerId, clicked, PLAN_GUARD_MS).then(() => framePsnr(alice.page).catch(() => 0)),
      ]);
      const linkAfter = await m.lab.stats();
      const [chloeStill, aliceStill] = await Promise.all([showsStill(chloe), showsStill(alice)]);
      process.stdout.write(
        `[weak link] plan: Chloé ${chloePsnr.toFixed(1)} dB (${chloeStill ? 'still' : 'video'}), Alice ${alicePsnr.toFixed(1)} dB (${aliceStill ? 'still' : 'video'}), ` +
          `${Date.now() - clicked} ms after the click; down: ${linkAfter.down.queueDropped - linkBefore.down.queueDropped} queue drops, ` +
          `${linkAfter.down.lossDropped - linkBefore.down.lossDropped} lost\n`,
      );
      expect(chloePsnr, 'the weak viewer: plan PSNR on her stage').toBeGreaterThanOrEqual(LEGIBLE_DB);
      expect(chloeStill, 'the weak viewer sees a still, labelled').toBe(true);
      expect(aliceStill, 'a viewer on a good link gets the video').toBe(false);
    } finally {
      // The SFU's side, passed or failed: who got the screen as video, who as a still, and why.
      process.stdout.write(`[weak link] plan, the SFU's decisions:\n${decisionsSince(clicked, names).map((line) => `  ${line}\n`).join('')}`);
    }
  }, 120_000);
});
