/**
 * Screen sharing through the real server and SFU, in real Chromium.
 *
 * Alice's tab shows a construction plan (hairlines, hatching, 8-px text) at
 * 1920x1080 over the app, and she shares that very tab with the app's own
 * button (real tab capture; see test/screenShare.ts). Bruno, a normal
 * participant, must decode it at 1920x1080 (waited for within the test's
 * timeout; the time is printed, `npm run bench -- screenshare` measures it)
 * and see it legibly: luma PSNR ≥ 30 dB against the plan drawn by his own page;
 * meanwhile Alice's camera sends its small layer only, and both again after. He
 * zooms and pans it with the wheel, the mouse and two fingers, on a desktop
 * window and on a 360-px phone screen. Alice then stops from the browser's
 * side (the track's `ended`), and the share must leave Bruno's stage and the
 * server soon after (bounded at 10 s). Last, two people share at once: Chloé (a fake 800x600
 * screen) and Alice again; Bruno's stage follows the newest share, lets him
 * pick, and falls back when one stops from the app.
 *
 * Three pages in two browsers: the sharer's browser cannot use the fake
 * media UI, Bruno's and Chloé's use it.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { receiveStats } from '../../test/receiveStats.js';
import {
  endCaptureFromBrowser,
  joinAsSharer,
  joinMeeting,
  launchSharerBrowser,
  screenStats,
  sendStats,
  settledPsnr,
  showPlan,
  startSharing,
  waitForFullResolution,
  type MeetingPage,
  type MeetingPlace,
} from '../../test/screenShare.js';

const PROJECT = 'chantier-partage-ecran';
const ROOM = 'revue-plans';
const MIN_PSNR_DB = 30;
/** The first test's timeout (vitest's browser default): it also bounds the wait for the first full-size frame. */
const SHARE_TEST_TIMEOUT_MS = 120_000;
const DESKTOP = { width: 1280, height: 800, hasTouch: true };
const PHONE = { width: 360, height: 740, hasTouch: true };

let t: TestApp;
let sharerBrowser: TestBrowser;
let viewerBrowser: TestBrowser;
let place: MeetingPlace;
let alice: MeetingPage;
let bruno: MeetingPage;

/** `peer:source` of every screen producer the server holds in the room. */
function screenProducersOnServer(): string[] {
  const room = t.app.rooms.get(PROJECT, ROOM);
  if (!room) throw new Error('no room on the server');
  return [...room.joinedSessions.values()]
    .flatMap((session) =>
      [...(session.media?.producers.values() ?? [])]
        .filter((p) => p.appData.source === 'screen' || p.appData.source === 'screen-audio')
        .map((p) => `${session.displayName ?? '?'}:${p.appData.source}`),
    )
    .sort();
}

/**
 * Polls `check` until it gives a value. A condition, not a time: the 30-s
 * guard only keeps a broken run from polling past the test's own timeout.
 */
async function eventually<T>(what: string, check: () => T | null, guardMs = 30_000): Promise<T> {
  const deadline = Date.now() + guardMs;
  for (;;) {
    const value = check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${guardMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Encodings Alice's camera sender is told to send (2: both simulcast layers; 1: the small one). */
async function cameraLayersSent(page: Page): Promise<number | null> {
  return (await sendStats(page)).find((s) => s.source === 'camera')?.activeEncodings ?? null;
}

/** Bruno's decoded frames of Alice's camera. */
async function cameraFramesDecoded(): Promise<number> {
  return (await receiveStats(bruno.page)).find((s) => s.source === 'camera' && s.peerId === alice.peerId)?.framesDecoded ?? 0;
}

/** eventually, for a check that must ask a page. */
async function eventuallyAsync<T>(what: string, check: () => Promise<T | null>, guardMs = 30_000): Promise<T> {
  const deadline = Date.now() + guardMs;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${guardMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stageScale(page: Page): Promise<number> {
  return Number(await page.$eval('[data-testid="stage-screen"]', (el) => el.getAttribute('data-scale')));
}

/** The centre of the shared screen's viewport, in page coordinates. */
async function viewportCentre(page: Page): Promise<{ x: number; y: number }> {
  return page.$eval('.screen-stage__viewport', (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
}

async function videoTransform(page: Page): Promise<string> {
  return page.$eval('[data-testid="stage-video"]', (el) => (el as HTMLElement).style.transform);
}

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  [sharerBrowser, viewerBrowser] = await Promise.all([launchSharerBrowser(), launchBrowser()]);
  place = { app: t, projectId: PROJECT, roomId: ROOM };
  alice = await joinAsSharer(sharerBrowser, place, 'Alice');
  bruno = await joinMeeting(viewerBrowser, place, 'Bruno', { viewport: DESKTOP });
  await bruno.page.waitForSelector(`[data-testid="tile"][data-peer-id="${alice.peerId}"]`, { timeout: 15_000 });
});

afterAll(async () => {
  await sharerBrowser?.close();
  await viewerBrowser?.close();
  await t?.close();
});

describe('sharing a tab through the SFU', () => {
  it('delivers the plan at full resolution, and legibly', async () => {
    await showPlan(alice.page);
    expect(await cameraLayersSent(alice.page)).toBe(2);
    const clicked = Date.now();
    await startSharing(alice);

    // A condition, not a time: the wait is bounded by the test's own timeout
    // (the click comes after the test's start, so vitest's bound ends it first).
    const { elapsedMs, stats } = await waitForFullResolution(bruno.page, alice.peerId, clicked, SHARE_TEST_TIMEOUT_MS);
    console.info(`[screenshare] ${stats.codec} ${stats.frameWidth}x${stats.frameHeight} decoded ${elapsedMs} ms after the click`);

    // The stage put Alice's screen up by itself, at the source size.
    await bruno.page.waitForSelector(`[data-testid="stage-screen"][data-peer-id="${alice.peerId}"]`, { timeout: 10_000 });
    await bruno.page.waitForFunction(
      () => document.querySelector<HTMLVideoElement>('[data-testid="stage-video"]')?.videoWidth === 1920,
      { timeout: 10_000 },
    );

    // The encoder starts coarse and refines the still plan: wait for it to settle.
    const settled = await settledPsnr(bruno.page, 20_000);
    console.info(
      `[screenshare] luma PSNR ${settled.psnr.toFixed(2)} dB after ${settled.elapsedMs} ms ` +
        `(samples: ${settled.history.map((p) => p.toFixed(1)).join(', ')})`,
    );
    expect(settled.psnr).toBeGreaterThanOrEqual(MIN_PSNR_DB);

    // While she shares, Alice's camera sends its small layer only (the CPU goes to the plan),
    // and Bruno still sees her.
    expect(await cameraLayersSent(alice.page)).toBe(1);
    const decoded = await cameraFramesDecoded();
    await eventuallyAsync("Bruno decoding Alice's camera beside the share", async () => ((await cameraFramesDecoded()) > decoded ? true : null));

    // Alice sees that she shares, and her tile says so to Bruno.
    await alice.page.waitForSelector('[data-testid="screen-sharing"]');
    const sharing = await bruno.page.$eval(`[data-testid="tile"][data-peer-id="${alice.peerId}"]`, (el) => el.getAttribute('data-sharing'));
    expect(sharing).toBe('true');
    // The tab's own sound went along (tab capture offers it), as 'screen-audio'.
    expect(screenProducersOnServer()).toEqual(['Alice:screen', 'Alice:screen-audio']);
    const tabAudio = (await receiveStats(bruno.page)).find((s) => s.source === 'screen-audio' && s.peerId === alice.peerId);
    expect(tabAudio?.packetsReceived ?? 0).toBeGreaterThan(0);
  }, SHARE_TEST_TIMEOUT_MS);

  it('lets the viewer zoom and pan with the wheel, the mouse and two fingers, down to a 360-px phone', async () => {
    const page = bruno.page;
    expect(await stageScale(page)).toBe(1);

    // Desktop: the wheel zooms at the cursor, a drag pans, the fit button comes back.
    const centre = await viewportCentre(page);
    await page.mouse.move(centre.x, centre.y);
    await page.mouse.wheel({ deltaY: -400 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="stage-screen"]')?.getAttribute('data-scale')) > 1.5);
    const before = await videoTransform(page);
    await page.mouse.down();
    await page.mouse.move(centre.x - 120, centre.y - 60, { steps: 4 });
    await page.mouse.up();
    expect(await videoTransform(page)).not.toBe(before);
    await page.click('[data-testid="zoom-fit"]');
    expect(await stageScale(page)).toBe(1);

    // A phone: nothing wider than the screen, every control at least 48 px.
    await page.setViewport(PHONE);
    await page.waitForFunction((w) => window.innerWidth === w, {}, PHONE.width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const small = await page.$$eval(
      '.controls button, .screen-stage__tools button, .stage-switcher button',
      (buttons) =>
        buttons
          .map((b) => ({ id: b.getAttribute('data-testid') ?? b.textContent ?? '', r: b.getBoundingClientRect() }))
          .filter(({ r }) => r.width > 0 && (r.width < 48 || r.height < 48))
          .map(({ id, r }) => `${id} ${r.width}x${r.height}`),
    );
    expect(small).toEqual([]);

    // Two fingers spreading from 80 px apart to 240 px: about three times larger.
    const mid = await viewportCentre(page);
    const left = await page.touchscreen.touchStart(mid.x - 40, mid.y);
    const right = await page.touchscreen.touchStart(mid.x + 40, mid.y);
    for (let step = 1; step <= 4; step++) {
      await left.move(mid.x - 40 - step * 20, mid.y);
      await right.move(mid.x + 40 + step * 20, mid.y);
    }
    await left.end();
    await right.end();
    const pinched = await stageScale(page);
    expect(pinched).toBeGreaterThan(2.5);
    expect(pinched).toBeLessThan(3.5);

    // A double tap goes back to the whole screen.
    await page.touchscreen.tap(mid.x, mid.y);
    await page.touchscreen.tap(mid.x, mid.y);
    await page.waitForFunction(() => document.querySelector('[data-testid="stage-screen"]')?.getAttribute('data-scale') === '1.000');

    // Full screen holds the shared screen alone, and gives it back.
    await page.click('[data-testid="fullscreen-toggle"]');
    await page.waitForFunction(() => document.fullscreenElement?.getAttribute('data-testid') === 'stage-screen');
    await page.click('[data-testid="fullscreen-toggle"]');
    await page.waitForFunction(() => document.fullscreenElement === null);
    await page.setViewport(DESKTOP);
  });

  it('removes the share from the other stage and the server once the browser ends it (bounded at 10 s)', async () => {
    expect(await screenStats(bruno.page, alice.peerId)).not.toBeNull();
    await endCaptureFromBrowser(alice);
    const ended = Date.now();

    await bruno.page.waitForSelector('[data-testid="stage-screen"]', { hidden: true, timeout: 10_000 });
    await bruno.page.waitForSelector('[data-testid="stage"][data-kind="grid"]', { timeout: 10_000 });
    await eventually('no screen producer on the server', () => (screenProducersOnServer().length === 0 ? true : null));
    console.info(`[screenshare] share gone from the viewer and the server ${Date.now() - ended} ms after 'ended'`);
    await alice.page.waitForSelector('[data-testid="screen-toggle"][data-state="off"]', { timeout: 10_000 });
    expect(await screenStats(bruno.page, alice.peerId)).toBeNull();
    // Her camera's top layer is back.
    await eventuallyAsync("Alice's camera with both layers", async () => ((await cameraLayersSent(alice.page)) === 2 ? true : null));
  });

  it('shows the newest of two shares, lets the viewer pick, and falls back when one stops', async () => {
    const chloe = await joinMeeting(viewerBrowser, place, 'Chloé');
    await chloe.page.waitForSelector(`[data-testid="tile"][data-peer-id="${alice.peerId}"]`, { timeout: 15_000 });
    const onStage = (peerId: string): Promise<unknown> =>
      bruno.page.waitForSelector(`[data-testid="stage-screen"][data-peer-id="${peerId}"]`, { timeout: 5_000 });

    // Chloé shares her (fake, 800x600) screen: it goes up on Bruno's stage.
    await startSharing(chloe);
    await onStage(chloe.peerId);
    // Then Alice shares again: the newest share goes up.
    await startSharing(alice);
    await onStage(alice.peerId);
    const options = await bruno.page.$$eval('[data-testid="stage-option"]', (els) => els.map((el) => el.getAttribute('data-peer-id') ?? 'grid'));
    expect(options).toEqual([chloe.peerId, alice.peerId, 'grid']);

    // Bruno picks Chloé's; Alice stops from the app's banner: Chloé's stays up.
    await bruno.page.click(`[data-testid="stage-option"][data-peer-id="${chloe.peerId}"]`);
    await onStage(chloe.peerId);
    await alice.page.click('[data-testid="screen-stop"]');
    await bruno.page.waitForSelector(`[data-testid="stage-option"][data-peer-id="${alice.peerId}"]`, { hidden: true, timeout: 10_000 });
    await onStage(chloe.peerId);
    await eventually("Alice's producers closed", () =>
      screenProducersOnServer().every((p) => p.startsWith('Chloé:')) ? true : null,
    );

    // Bruno goes to the speakers; Chloé stops with her control: nothing is shared any more.
    await bruno.page.click('[data-testid="stage-option"][data-key="grid"]');
    await bruno.page.waitForSelector('[data-testid="stage"][data-kind="grid"]');
    await chloe.page.click('[data-testid="screen-toggle"]');
    await chloe.page.waitForSelector('[data-testid="screen-toggle"][data-state="off"]');
    await bruno.page.waitForFunction(() => document.querySelectorAll('[data-testid="stage-option"]').length === 0, { timeout: 10_000 });
    await eventually('no screen producer on the server', () => (screenProducersOnServer().length === 0 ? true : null));
  });
});


describe('the Content-Security-Policy', () => {
  it('was never violated by the pages above', () => {
    expect(cspViolations).toEqual([]);
  });
});
