/**
 * Screen sharing through the real client, shared by the legibility test
 * (client/e2e/screenshare.e2e.test.ts) and the codec benchmark
 * (scripts/bench/screenshare.ts).
 *
 * The sharer's browser really captures a tab (see ../shared/TESTING.md):
 * launched without the fake media UI, camera and microphone granted per
 * context. The only thing emulated is the person's choice in the picker, two
 * ways:
 *   - this tab (default): --auto-accept-this-tab-capture, and `getDisplayMedia`
 *     wrapped before the app loads to add `preferCurrentTab: true`; the tab
 *     shows the test plan over the app, so the share carries the plan (and
 *     whatever moves in the meeting under it keeps the capture busy);
 *   - another tab (`planTab`): what a person does, sharing the tab of their
 *     PDF viewer: the plan in a tab of its own (openPlanTab), picked by its
 *     title with --auto-select-tab-capture-source-by-title.
 * The viewer draws the same plan itself as the reference.
 */
import type { BrowserContext, Page } from 'puppeteer-core';
import type { ReceiveStats, SendStats } from '../client/src/room/stats.js';
import type { TestApp } from './app.js';
import { cspViolations, launchBrowser, type TestBrowser } from './browser.js';
import { openMeetingPage } from './meetingPage.js';
import { receiveStats } from './receiveStats.js';
import { drawPlan, drawScrolledPlan, lumaPsnr, pageSource, PLAN_HEIGHT, PLAN_WIDTH, readScrollOffset } from './plan.js';

export const TAB_CAPTURE_FLAGS = [
  '--auto-accept-this-tab-capture',
  // Headless Chromium's screen is 800x600 by default, and a tab capture is no larger.
  `--screen-info={0,0 ${PLAN_WIDTH}x${PLAN_HEIGHT}}`,
];

/**
 * Runs before the app on every load: the picker "picks" this tab (or, the
 * browser's flag picking the plan's tab, only records), and the captured
 * stream is kept where the test can reach its track.
 */
const pickTab = (thisTab: boolean): string => `(() => {
  const media = navigator.mediaDevices;
  if (!media || !media.getDisplayMedia) return;
  const original = media.getDisplayMedia.bind(media);
  media.getDisplayMedia = (options) =>
    original({ ...(options || {})${thisTab ? ', preferCurrentTab: true' : ''} }).then((stream) => {
      window.__capturedDisplay = stream;
      return stream;
    });
})();`;

export interface MeetingPlace {
  app: Pick<TestApp, 'url' | 'token'>;
  projectId: string;
  roomId: string;
}

export interface MeetingPage {
  name: string;
  page: Page;
  context: BrowserContext;
  peerId: string;
}

export interface JoinOptions {
  /** hasTouch here, not later: puppeteer reloads the page to change it. */
  viewport?: { width: number; height: number; hasTouch?: boolean };
  /** For browsers launched without the fake media UI. */
  grantMedia?: boolean;
  /** localStorage entries set before the app starts (the codec override of the benchmark). */
  localStorage?: Readonly<Record<string, string>>;
  /** Scripts evaluated before the app on every load. */
  beforeApp?: readonly string[];
  /** Bound of the lobby's and then the room's showing; default 15 s each. */
  timeoutMs?: number;
}

/** The title of the tab that shows the plan in `planTab` mode: the picker picks the tab by it. */
export const PLAN_TAB_TITLE = 'Plan R+1 - Chantier test';

export interface SharerOptions {
  /** Share a tab of its own showing the plan (openPlanTab), not the meeting's tab. */
  planTab?: boolean;
}

/** The sharer's browser: real tab capture, no fake media UI. */
export function launchSharerBrowser(options: SharerOptions = {}): Promise<TestBrowser> {
  const pick = options.planTab ? [`--auto-select-tab-capture-source-by-title=${PLAN_TAB_TITLE}`] : [];
  return launchBrowser([...TAB_CAPTURE_FLAGS, ...pick], { fakeUi: false });
}

/** Opens the meeting link in a fresh context and joins from the lobby. */
export async function joinMeeting(
  browser: TestBrowser,
  place: MeetingPlace,
  name: string,
  options: JoinOptions = {},
): Promise<MeetingPage> {
  const storage = Object.entries(options.localStorage ?? {});
  const { page, peerId } = await openMeetingPage(browser.browser, place.app, {
    name,
    projectId: place.projectId,
    roomId: place.roomId,
    ...(options.viewport ? { viewport: options.viewport } : {}),
    beforeApp: [
      ...(storage.length > 0 ? [`(() => { for (const [k, v] of ${JSON.stringify(storage)}) localStorage.setItem(k, v); })();`] : []),
      ...(options.beforeApp ?? []),
    ],
    prepare: options.grantMedia ? (page) => page.browserContext().overridePermissions(place.app.url, ['camera', 'microphone']) : undefined,
    join: options.timeoutMs ? { timeoutMs: options.timeoutMs } : {},
  });
  if (!peerId) throw new Error(`${name}: no peer id on the self tile`);
  return { name, page, context: page.browserContext(), peerId };
}

/** Joins with real tab capture armed, the viewport at the plan's size. */
export function joinAsSharer(
  browser: TestBrowser,
  place: MeetingPlace,
  name: string,
  options: Pick<JoinOptions, 'localStorage' | 'beforeApp'> & SharerOptions = {},
): Promise<MeetingPage> {
  const { planTab, ...join } = options;
  return joinMeeting(browser, place, name, {
    ...join,
    grantMedia: true,
    viewport: { width: PLAN_WIDTH, height: PLAN_HEIGHT },
    beforeApp: [pickTab(!planTab), ...(join.beforeApp ?? [])],
  });
}

/**
 * Opens the plan in a tab of its own beside the sharer's meeting (a PDF
 * viewer's tab, still unless the test changes it), then puts the meeting's
 * tab in front again for its clicks. showPlan, showNextSheet and
 * startScrolling work on the page returned, as on a meeting tab.
 */
export async function openPlanTab(sharer: MeetingPage): Promise<Page> {
  const page = await sharer.context.newPage();
  await page.setViewport({ width: PLAN_WIDTH, height: PLAN_HEIGHT });
  await page.setContent(`<!doctype html><html><head><title>${PLAN_TAB_TITLE}</title></head><body style="margin:0;background:#fff"></body></html>`);
  await showPlan(page);
  await sharer.page.bringToFront();
  return page;
}

/** Lays the plan over the whole viewport; clicks go through it to the app. */
export async function showPlan(page: Page): Promise<void> {
  await page.evaluate(
    (source: string, width: number, height: number) => {
      const draw = new Function(`return (${source})`)() as (ctx: CanvasRenderingContext2D, w: number, h: number) => void;
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      canvas.setAttribute('data-testid', 'test-plan');
      canvas.style.cssText = `position:fixed;left:0;top:0;width:${width}px;height:${height}px;z-index:2147483647;pointer-events:none`;
      draw(canvas.getContext('2d')!, width, height);
      document.body.append(canvas);
    },
    pageSource(drawPlan),
    PLAN_WIDTH,
    PLAN_HEIGHT,
  );
}

/**
 * Scrolls the plan at a steady speed (someone panning down a drawing) until
 * stopScrolling; each frame carries its offset (see drawScrolledPlan). A
 * string, not a function: the animation loop needs a named callback, which
 * a transpiler may wrap in a helper the page lacks.
 */
export async function startScrolling(page: Page, pixelsPerSecond: number): Promise<void> {
  await page.evaluate(`(() => {
    const drawScrolled = (${pageSource(drawScrolledPlan)});
    const overlay = document.querySelector('[data-testid="test-plan"]');
    if (!overlay) throw new Error('showPlan first');
    const plan = document.createElement('canvas');
    plan.width = overlay.width;
    plan.height = overlay.height;
    plan.getContext('2d').drawImage(overlay, 0, 0);
    const ctx = overlay.getContext('2d');
    const start = performance.now();
    const state = { plan, running: true };
    window.__testScroll = state;
    const step = (now) => {
      if (!state.running) return;
      drawScrolled(ctx, plan, overlay.width, overlay.height, ((now - start) * ${pixelsPerSecond}) / 1000);
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  })()`);
}

/** Stops the scrolling and puts the plan back still, unscrolled. */
export async function stopScrolling(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const state = window.__testScroll;
    const overlay = document.querySelector('[data-testid="test-plan"]');
    if (!state || !overlay) return;
    state.running = false;
    overlay.getContext('2d').drawImage(state.plan, 0, 0);
  })()`);
}

/**
 * Turns the page to the next sheet of the set: the plan mirrored, the same
 * detail (grid, walls, 8-px text) in other pixels, which the encoder cannot
 * predict from the previous picture by moving blocks. `framePsnr(viewer,
 * 'next-sheet')` compares against the same drawing.
 */
export async function showNextSheet(page: Page): Promise<void> {
  await page.evaluate(() => {
    const overlay = document.querySelector<HTMLCanvasElement>('[data-testid="test-plan"]');
    if (!overlay) throw new Error('showPlan first');
    const copy = document.createElement('canvas');
    copy.width = overlay.width;
    copy.height = overlay.height;
    copy.getContext('2d')!.drawImage(overlay, 0, 0);
    const ctx = overlay.getContext('2d')!;
    ctx.save();
    ctx.translate(overlay.width, 0);
    ctx.scale(-1, 1);
    ctx.drawImage(copy, 0, 0);
    ctx.restore();
  });
}

/**
 * Clicks the app's share button (the picker picks this tab) and waits for
 * the share to be on (both producers made), bounded by `guardMs`.
 */
export async function startSharing(sharer: MeetingPage, guardMs = 10_000): Promise<void> {
  await sharer.page.click('[data-testid="screen-toggle"]');
  await sharer.page.waitForSelector('[data-testid="screen-toggle"][data-state="on"]', { timeout: guardMs });
}

/**
 * What Chrome does when its own "Stop sharing" bar is used: the captured
 * track fires `ended`. Dispatched on the track the app received.
 */
export async function endCaptureFromBrowser(sharer: MeetingPage): Promise<void> {
  await sharer.page.evaluate(() => {
    const stream = (window as unknown as { __capturedDisplay?: MediaStream }).__capturedDisplay;
    const track = stream?.getVideoTracks()[0];
    if (!track) throw new Error('no captured display track');
    track.dispatchEvent(new Event('ended'));
  });
}

export async function sendStats(page: Page): Promise<SendStats[]> {
  return page.evaluate(() => window.__chantier?.getSendStats() ?? Promise.resolve([]));
}

/** The viewer's inbound stats of one peer's screen, or null before it is consumed. */
export async function screenStats(viewer: Page, sharerPeerId: string): Promise<ReceiveStats | null> {
  return (await receiveStats(viewer)).find((s) => s.source === 'screen' && s.peerId === sharerPeerId) ?? null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls until the viewer decodes the share at the plan's resolution (the
 * inbound-rtp frame size); returns how long it took from `since`.
 */
export async function waitForFullResolution(
  viewer: Page,
  sharerPeerId: string,
  since: number,
  timeoutMs: number,
): Promise<{ elapsedMs: number; stats: ReceiveStats }> {
  const deadline = since + timeoutMs;
  let last: ReceiveStats | null = null;
  for (;;) {
    last = await screenStats(viewer, sharerPeerId);
    if (last && last.framesDecoded > 0 && last.frameWidth === PLAN_WIDTH && last.frameHeight === PLAN_HEIGHT) {
      return { elapsedMs: Date.now() - since, stats: last };
    }
    if (Date.now() > deadline) {
      throw new Error(`no ${PLAN_WIDTH}x${PLAN_HEIGHT} share decoded within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    }
    await sleep(200);
  }
}

type Drawing = (ctx: OffscreenCanvasRenderingContext2D, w: number, h: number) => void;
type ScrolledDrawing = (ctx: OffscreenCanvasRenderingContext2D, plan: CanvasImageSource, w: number, h: number, offset: number) => void;

/** What the sharer shows: the plan, the plan scrolling (startScrolling), or the next sheet (showNextSheet). */
export type PlanView = 'plan' | 'scrolled' | 'next-sheet';

/**
 * Luma PSNR (dB) of the picture the viewer's stage shows now (its video, or
 * its still picture when the downlink cannot carry the video) against the
 * plan drawn by the viewer itself (`scrolled`: at the offset the frame
 * carries); computed in the page, so that no 8-MB image crosses the
 * DevTools protocol.
 */
export async function framePsnr(viewer: Page, view: PlanView = 'plan'): Promise<number> {
  return (await framePsnrSample(viewer, view)).psnr;
}

/**
 * framePsnr, and when the picture was read from the stage (epoch ms, the
 * page's clock: the machine's): the PSNR itself takes 0.1-0.5 s more to
 * compute (the plan drawn again, 2 M pixels compared), during which the
 * picture measured was already on the screen.
 */
export async function framePsnrSample(viewer: Page, view: PlanView = 'plan'): Promise<{ psnr: number; at: number }> {
  const [psnr, at] = await viewer.evaluate(
    (sources: { draw: string; scrolled: string; read: string; psnr: string }, width: number, height: number, shown: PlanView) => {
      const draw = new Function(`return (${sources.draw})`)() as Drawing;
      const drawScrolled = new Function(`return (${sources.scrolled})`)() as ScrolledDrawing;
      const readOffset = new Function(`return (${sources.read})`)() as (data: Uint8ClampedArray, w: number) => number;
      const psnr = new Function(`return (${sources.psnr})`)() as (a: Uint8ClampedArray, b: Uint8ClampedArray) => number;
      // What the stage shows: its still picture when the downlink cannot carry the video (issue 21), else the video.
      const still = document.querySelector<HTMLImageElement>('[data-testid="stage-still"]');
      const video = document.querySelector<HTMLVideoElement>('[data-testid="stage-video"]');
      const onStage = still && still.complete ? { element: still, w: still.naturalWidth, h: still.naturalHeight } : video && { element: video, w: video.videoWidth, h: video.videoHeight };
      if (!onStage) throw new Error('no shared screen on the stage');
      if (onStage.w !== width || onStage.h !== height) {
        throw new Error(`stage picture is ${onStage.w}x${onStage.h}, not ${width}x${height}`);
      }
      const frame = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
      const at = Date.now();
      frame.drawImage(onStage.element, 0, 0);
      const received = frame.getImageData(0, 0, width, height).data;
      const reference = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
      draw(reference, width, height);
      if (shown !== 'plan') {
        const plan = new OffscreenCanvas(width, height);
        plan.getContext('2d')!.drawImage(reference.canvas, 0, 0);
        if (shown === 'scrolled') drawScrolled(reference, plan, width, height, readOffset(received, width));
        else {
          reference.save();
          reference.translate(width, 0);
          reference.scale(-1, 1);
          reference.drawImage(plan, 0, 0);
          reference.restore();
        }
      }
      return [psnr(received, reference.getImageData(0, 0, width, height).data), at] as [number, number];
    },
    {
      draw: pageSource(drawPlan),
      scrolled: pageSource(drawScrolledPlan),
      read: pageSource(readScrollOffset),
      psnr: pageSource(lumaPsnr),
    },
    PLAN_WIDTH,
    PLAN_HEIGHT,
    view,
  );
  return { psnr, at };
}

export interface SettledPsnr {
  psnr: number;
  /** One figure a second, first to last. */
  history: number[];
  elapsedMs: number;
}

/**
 * A screen encoder starts coarse and refines a still picture over a few
 * seconds: samples once a second until three successive figures agree
 * within `toleranceDb`, or until `timeoutMs`; returns the last figure.
 */
export async function settledPsnr(viewer: Page, timeoutMs: number, toleranceDb = 0.5): Promise<SettledPsnr> {
  const start = Date.now();
  const history: number[] = [];
  for (;;) {
    history.push(await framePsnr(viewer));
    const recent = history.slice(-3);
    const settled = recent.length === 3 && Math.max(...recent) - Math.min(...recent) <= toleranceDb;
    if (settled || Date.now() - start > timeoutMs) {
      return { psnr: history.at(-1)!, history, elapsedMs: Date.now() - start };
    }
    await sleep(1000);
  }
}
