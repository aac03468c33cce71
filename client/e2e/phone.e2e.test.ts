/**
 * The meeting on a phone, in real Chromium emulating one (touch, mobile
 * user agent, device pixel ratio 2) at 360×740 and at 320×640, against the
 * real server and SFU with a second (desktop) participant:
 * - the join screen, the meeting, the "more" sheet and the chat: every
 *   visible control at least 44 px (48 in the meeting bar, 56 for mic and
 *   leave), inside the screen, not covered by anything (test/layout.ts);
 * - the bar keeps mic, camera, chat and leave, the rest goes to the sheet;
 * - a tap on the mic toggles it;
 * - the page going to the background keeps the microphone sending and
 *   pauses the camera, coming back turns the camera on again; neither is a leave.
 * Screenshots go to a temp dir whose path is printed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { joinFromLobby } from '../../test/join.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { assertUsableControls } from '../../test/layout.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { TestClient } from '../../test/TestClient.js';
import { PROTOCOL_VERSION } from '../../signaling/src/protocol/index.js';

const PROJECT = 'chantier-phone-e2e';
const ROOM = 'reunion-terrain';
const MOBILE_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
const SCREENS = [
  { name: '360x740', width: 360, height: 740 },
  { name: '320x640', width: 320, height: 640 },
];
const BAR = '[data-testid="controls"]';
const PRIMARY = { selector: '[data-testid="mic-toggle"], [data-testid="leave-button"]', minSize: 56 };

let t: TestApp;
let chromium: TestBrowser;
let desktop: Page;
let shots: string;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** Sends the page to the background (or back) as a phone's browser does: visibilityState and its event. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

async function sendStats(page: Page): Promise<Array<{ source: string; packetsSent: number }>> {
  return page.evaluate(async () => (await window.__chantier!.getSendStats()).map((s) => ({ source: s.source, packetsSent: s.packetsSent })));
}

async function packetsSent(page: Page, source: string): Promise<number> {
  return (await sendStats(page)).filter((s) => s.source === source).reduce((sum, s) => sum + s.packetsSent, 0);
}

async function waitRising(page: Page, source: string): Promise<void> {
  const before = await packetsSent(page, source);
  const deadline = Date.now() + 10_000;
  while ((await packetsSent(page, source)) <= before) {
    if (Date.now() > deadline) throw new Error(`${source} packets did not rise from ${before}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a desktop in the same meeting', () => {
  it('shows every control in one bar, none in a sheet', async () => {
    await desktop.setViewport({ width: 1280, height: 800 });
    await desktop.waitForFunction(() => document.querySelector('[data-testid="controls"]')?.getAttribute('data-in-sheet') === '');
    await shot(desktop, 'desktop-1280x800-meeting');
    const bar = await assertUsableControls(desktop, BAR, { minSize: 48, primary: PRIMARY });
    expect(bar.map((c) => c.id)).toEqual(
      expect.arrayContaining(['mic-toggle', 'camera-toggle', 'screen-toggle', 'present-button', 'chat-toggle', 'leave-button']),
    );
  });
});

beforeAll(async () => {
  shots = mkdtempSync(join(tmpdir(), 'chantier-phone-shots-'));
  process.stdout.write(`phone screenshots: ${shots}\n`);
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  chromium = await launchBrowser();
  // The second participant, on a desktop: the phone's meeting has someone in it.
  ({ page: desktop } = await openMeetingPage(chromium.browser, t, {
    name: 'desktop',
    displayName: 'Bureau',
    userId: 'u-Bureau',
    projectId: PROJECT,
    roomId: ROOM,
  }));
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe.each(SCREENS)('a phone at $name', (screen) => {
  let phone: Page;

  it('shows a join screen whose every control is big, on screen and uncovered', async () => {
    ({ page: phone } = await openMeetingPage(chromium.browser, t, {
      name: `phone ${screen.name}`,
      displayName: `Chef ${screen.width}`,
      userId: `u-Chef ${screen.width}`,
      projectId: PROJECT,
      roomId: ROOM,
      enter: 'lobby',
      prepare: (page) =>
        page.emulate({
          userAgent: MOBILE_UA,
          viewport: { width: screen.width, height: screen.height, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
        }),
    }));
    await phone.waitForSelector('[data-testid="join-button"]', { timeout: 15_000 });
    // The camera preview is on: the lobby has opened the devices.
    await phone.waitForSelector('.join__preview video', { timeout: 15_000 });
    expect(await phone.evaluate(() => matchMedia('(pointer: coarse)').matches)).toBe(true);
    await shot(phone, `${screen.name}-join`);
    const controls = await assertUsableControls(phone, '[data-testid="join"]', { minSize: 44 });
    const ids = controls.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['display-name', 'mic-toggle-lobby', 'camera-toggle-lobby', 'join-button']));
    // The join button is where the thumb is, without scrolling.
    const join = controls.find((c) => c.id === 'join-button')!;
    expect(join.scrolled).toBe(false);
    expect(join.y + join.height).toBeLessThanOrEqual(screen.height);
  });

  it('joins with a tap and shows a meeting bar with mic, camera, chat, more and leave', async () => {
    await joinFromLobby(phone, { tap: true });
    await phone.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 2, { timeout: 15_000 });
    await phone.waitForFunction(() => (document.querySelector('[data-testid="mic-toggle"]') as HTMLButtonElement | null)?.disabled === false);
    const bar = await phone.$eval(BAR, (el) => ({ inBar: el.getAttribute('data-in-bar'), inSheet: el.getAttribute('data-in-sheet') }));
    expect(bar.inBar).toBe('mic camera chat leave');
    // Headless Chromium offers screen sharing even when emulating a phone; Android's Chrome does not.
    expect(bar.inSheet?.split(' ')).toContain('present');
    await shot(phone, `${screen.name}-meeting`);
    const barControls = await assertUsableControls(phone, BAR, { minSize: 48, primary: PRIMARY });
    expect(barControls.map((c) => c.id)).toEqual(['mic-toggle', 'camera-toggle', 'chat-toggle', 'more-toggle', 'leave-button']);
    // At the bottom of the screen, in thumb reach.
    for (const c of barControls) expect(c.y).toBeGreaterThan(screen.height * 0.8);
    await assertUsableControls(phone, '[data-testid="room"]', { minSize: 44, primary: PRIMARY });
  });

  it('toggles the microphone with a tap, and the other side sees it', async () => {
    const pressed = () => phone.$eval('[data-testid="mic-toggle"]', (el) => el.getAttribute('aria-pressed'));
    expect(await pressed()).toBe('true');
    await phone.tap('[data-testid="mic-toggle"]');
    await phone.waitForFunction(() => document.querySelector('[data-testid="mic-toggle"]')?.getAttribute('aria-pressed') === 'false');
    const self = await phone.$eval('[data-testid="tile"][data-self="true"]', (el) => el.getAttribute('data-peer-id'));
    await desktop.waitForFunction(
      (id) => document.querySelector(`[data-testid="tile"][data-peer-id="${id}"]`)?.getAttribute('data-mic-muted') === 'true',
      { timeout: 10_000 },
      self,
    );
    await phone.waitForFunction(() => (document.querySelector('[data-testid="mic-toggle"]') as HTMLButtonElement).disabled === false);
    await phone.tap('[data-testid="mic-toggle"]');
    await phone.waitForFunction(() => document.querySelector('[data-testid="mic-toggle"]')?.getAttribute('aria-pressed') === 'true');
    expect(await pressed()).toBe('true');
  });

  it('opens the "more" sheet with usable controls, and closes it', async () => {
    await phone.tap('[data-testid="more-toggle"]');
    await phone.waitForSelector('[data-testid="more-sheet"]');
    await shot(phone, `${screen.name}-more`);
    const sheet = await assertUsableControls(phone, '[data-testid="more-sheet"]', { minSize: 48 });
    expect(sheet.map((c) => c.id)).toEqual(expect.arrayContaining(['present-button', 'more-close']));
    // The bar stays usable above the backdrop (mic and leave included).
    await assertUsableControls(phone, BAR, { minSize: 48, primary: PRIMARY });

    // Chromium lets a page route its sound: the outputs are listed, and the choice reaches every remote <audio>.
    const outputs = await phone.$$eval('[data-testid="audio-output"] option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(outputs.length).toBeGreaterThanOrEqual(2);
    const chosen = outputs[outputs.length - 1]!;
    await phone.select('[data-testid="audio-output"]', chosen);
    await phone.waitForFunction(
      (id) => {
        const sinks = [...document.querySelectorAll<HTMLAudioElement & { sinkId: string }>('.audio-sinks audio')];
        return sinks.length > 0 && sinks.every((a) => a.sinkId === id);
      },
      { timeout: 5_000 },
      chosen,
    );
    expect(await phone.$('[data-testid="more-sheet"]')).not.toBeNull(); // choosing does not close the sheet
    await phone.tap('[data-testid="more-close"]');
    await phone.waitForFunction(() => !document.querySelector('[data-testid="more-sheet"]'));
    // A tap outside closes it too.
    await phone.tap('[data-testid="more-toggle"]');
    await phone.waitForSelector('[data-testid="more-sheet"]');
    await phone.touchscreen.tap(screen.width / 2, 80);
    await phone.waitForFunction(() => !document.querySelector('[data-testid="more-sheet"]'));
  });

  it('opens the chat full screen with usable controls, and comes back', async () => {
    await phone.tap('[data-testid="chat-toggle"]');
    await phone.waitForSelector('[data-testid="chat-panel"]');
    await phone.waitForFunction(() => !document.querySelector('[data-testid="chat"] [role="status"]'));
    await shot(phone, `${screen.name}-chat`);
    await assertUsableControls(phone, '[data-testid="chat-panel"]', { minSize: 44 });
    await phone.tap('[data-testid="chat-close"]');
    await phone.waitForFunction(() => !document.querySelector('[data-testid="chat-panel"]'));
    await assertUsableControls(phone, BAR, { minSize: 48, primary: PRIMARY });
    await shot(phone, `${screen.name}-chat-closed`);
  });

  it('keeps the microphone and pauses the camera in the background, without leaving', async () => {
    const self = await phone.$eval('[data-testid="tile"][data-self="true"]', (el) => el.getAttribute('data-peer-id'));
    const cameraOffOnDesktop = (off: boolean) =>
      desktop.waitForFunction(
        (id, off) => document.querySelector(`[data-testid="tile"][data-peer-id="${id}"]`)?.getAttribute('data-camera-off') === String(off),
        { timeout: 10_000 },
        self,
        off,
      );
    await cameraOffOnDesktop(false);

    await setHidden(phone, true);
    await cameraOffOnDesktop(true);
    await waitRising(phone, 'mic'); // the sound goes on
    expect(await phone.$('[data-testid="room"]')).not.toBeNull(); // hidden is not leaving

    await setHidden(phone, false);
    await cameraOffOnDesktop(false);
    await waitRising(phone, 'camera');
    expect(await phone.$eval('[data-testid="camera-toggle"]', (el) => el.getAttribute('aria-pressed'))).toBe('true');
  });

  it('leaves with a tap', async () => {
    await phone.tap('[data-testid="leave-button"]');
    await desktop.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 1, { timeout: 10_000 });
    await phone.browserContext().close();
  });
});

/** What a tile shows of a name: whether the first name is whole, and what covers the name. */
interface ShownName {
  name: string;
  firstNameWidth: number;
  /** The name's visible width (its box, ellipsis included). */
  shownWidth: number;
  whole: boolean;
  insideTile: boolean;
  /** Badges, hand, menu and "(vous)" whose box crosses the name's. */
  covering: string[];
}

async function shownNames(page: Page): Promise<ShownName[]> {
  return page.$$eval('[data-testid="tile"]', (tiles) =>
    tiles.map((tile) => {
      const el = tile.querySelector<HTMLElement>('[data-testid="tile-name"]')!;
      const name = el.textContent ?? '';
      const first = name.trim().split(/\s+/)[0] ?? '';
      const range = document.createRange();
      const text = el.firstChild!;
      range.setStart(text, name.indexOf(first));
      range.setEnd(text, name.indexOf(first) + first.length);
      const box = el.getBoundingClientRect();
      const tileBox = tile.getBoundingClientRect();
      const crosses = (r: DOMRect): boolean => r.width > 0 && r.left < box.right && r.right > box.left && r.top < box.bottom && r.bottom > box.top;
      const others = [...tile.querySelectorAll<HTMLElement>('.tile__label > :not(.tile__who), .tile__you, .tile__hand, .tile-menu__toggle')];
      return {
        name,
        firstNameWidth: range.getBoundingClientRect().width,
        shownWidth: el.clientWidth,
        whole: el.scrollWidth <= el.clientWidth,
        insideTile: box.left >= tileBox.left && box.right <= tileBox.right && box.top >= tileBox.top && box.bottom <= tileBox.bottom,
        covering: others.filter((o) => !o.contains(el) && crosses(o.getBoundingClientRect())).map((o) => o.className),
      };
    }),
  );
}

/** Every tile's first name shows whole (ellipsis only after it), inside its tile, covered by nothing. */
async function expectNamesReadable(page: Page, when: string): Promise<ShownName[]> {
  const names = await shownNames(page);
  for (const n of names) {
    const where = `${when}: "${n.name}" ${JSON.stringify(n)}`;
    expect(n.firstNameWidth, where).toBeGreaterThan(0);
    expect(n.shownWidth, where).toBeGreaterThanOrEqual(Math.floor(n.firstNameWidth));
    expect(n.insideTile, where).toBe(true);
    expect(n.covering, where).toEqual([]);
  }
  return names;
}

/** A participant over the protocol alone (no browser, no media): one more tile, audio only, hand raised. */
async function protocolParticipant(name: string): Promise<TestClient> {
  const c = await TestClient.connect(t.url);
  const token = await t.token({ projectId: PROJECT, userId: `u-bot-${name.length}`, displayName: name });
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId: ROOM, device: 'phone' });
  await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!), audioOnly: true });
  await c.request('raiseHand', { raised: true });
  return c;
}

describe('a phone in audio-only mode at 360x740 (issue 16)', () => {
  let phone: Page;
  let bot: TestClient | undefined;
  const selfTile = '[data-testid="tile"][data-self="true"]';

  afterAll(() => bot?.ws.close());

  it('shows its own name, not one letter, beside the signal bars and the "audio seul" badge', async () => {
    ({ page: phone } = await openMeetingPage(chromium.browser, t, {
      name: 'Damien Roux',
      userId: 'u-damien',
      projectId: PROJECT,
      roomId: ROOM,
      // A moderator: the tiles of the others carry the moderation menu too.
      role: 'owner',
      viewport: { width: 360, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
      join: {
        tap: true,
        beforePress: async (page) => {
          await page.tap('[data-testid="audio-only-lobby"]');
          await page.waitForSelector('[data-testid="camera-toggle-lobby"][aria-pressed="false"][disabled]');
        },
      },
    }));
    await phone.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 2, { timeout: 15_000 });
    await phone.waitForSelector(`${selfTile}[data-audio-only="true"] [data-testid="audio-only-badge"]`);
    // The signal bars come with the server's first scores.
    await phone.waitForSelector(`${selfTile} [data-quality]`, { timeout: 20_000 });
    await shot(phone, '360x740-audio-only');
    const names = await expectNamesReadable(phone, 'two tiles');
    expect(names.map((n) => n.name)).toEqual(expect.arrayContaining(['Damien Roux', 'Bureau']));
  });

  it('keeps every name readable two tiles a row: speaking, with the moderation menu, muted, hand raised', async () => {
    bot = await protocolParticipant('Jean-Baptiste Lemoine-Durand');
    await phone.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 3, { timeout: 15_000 });
    await phone.waitForSelector('[data-testid="tile"][data-hand-raised="true"][data-audio-only="true"]');
    await expectNamesReadable(phone, 'three tiles');

    // Speaking: the desktop mutes, the phone's microphone (Chromium's beep) is the only voice left.
    await desktop.click('[data-testid="mic-toggle"]');
    await desktop.waitForSelector('[data-testid="mic-toggle"][aria-pressed="false"]');
    await phone.waitForSelector(`${selfTile}[data-speaking="true"]`, { timeout: 15_000 });
    expect(await phone.$$('[data-testid="tile"] .tile-menu__toggle')).toHaveLength(2);
    await expectNamesReadable(phone, 'three tiles, speaking, moderation menus');

    // Muted, and its hand raised (from the "more" sheet).
    await phone.tap('[data-testid="mic-toggle"]');
    await phone.waitForSelector(`${selfTile}[data-mic-muted="true"]`);
    await phone.tap('[data-testid="more-toggle"]');
    await phone.waitForSelector('[data-testid="more-sheet"] [data-testid="hand-toggle"]');
    await phone.tap('[data-testid="hand-toggle"]');
    await phone.waitForSelector(`${selfTile}[data-hand-raised="true"]`);
    if (await phone.$('[data-testid="more-sheet"]')) {
      await phone.tap('[data-testid="more-close"]');
      await phone.waitForFunction(() => !document.querySelector('[data-testid="more-sheet"]'));
    }
    await shot(phone, '360x740-audio-only-three');
    const names = await expectNamesReadable(phone, 'three tiles, muted, hand raised');
    process.stdout.write(`names shown at 360 px: ${names.map((n) => `${n.name} (${n.whole ? 'whole' : 'cut after the first name'})`).join(', ')}\n`);
  });
});

describe('the Content-Security-Policy', () => {
  it('was never violated by the pages above', () => {
    expect(cspViolations).toEqual([]);
  });
});
