/**
 * Joining a meeting from the lobby, as a person does, for browser tests and
 * benchmarks: wait for the lobby to settle, press "Rejoindre", wait for the
 * room. The lobby's layout moves while the devices open (camera preview,
 * device lists, notices), and a click aimed at the button while it moves can
 * land beside it: a CI run once lost a join that way. So the button must hold
 * still first, and a join that does not happen fails with what the page shows
 * instead of a bare selector timeout.
 */
import type { Page } from 'puppeteer-core';

const JOIN = '[data-testid="join-button"]';
const ROOM = '[data-testid="room"]';
/** A guest's page while a moderator has not let them in yet (the meeting's lobby). */
const WAITING = '[data-testid="waiting-screen"]';

export interface JoinOptions {
  /** A touch tap instead of a mouse click (phones). */
  tap?: boolean;
  /** How long the lobby (default 15 s) and then the room (default 30 s) may take to appear. */
  timeoutMs?: number;
  /** Called once the lobby is settled, before the press (toggle devices...). */
  beforePress?: (page: Page) => Promise<void>;
}

/**
 * A page script (OpenOptions.beforeApp): the camera and microphone, and the
 * list of devices, answer only once the test calls `releaseDevices(page)`,
 * so that a test sees the join screen as it is while the devices load.
 */
export function HOLD_DEVICES(): void {
  const devices = navigator.mediaDevices;
  const getUserMedia = devices.getUserMedia.bind(devices);
  const enumerateDevices = devices.enumerateDevices.bind(devices);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  (window as unknown as { __releaseDevices: () => void }).__releaseDevices = release;
  devices.getUserMedia = async (constraints) => {
    await released;
    return getUserMedia(constraints);
  };
  devices.enumerateDevices = async () => {
    await released;
    return enumerateDevices();
  };
}

/** Lets a page opened with HOLD_DEVICES open its devices. */
export async function releaseDevices(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { __releaseDevices: () => void }).__releaseDevices());
}

/** Waits until the join button is enabled and its box has not moved for `stableMs`. */
export async function waitForSettledLobby(page: Page, timeoutMs = 15_000, stableMs = 300): Promise<void> {
  await page.waitForSelector(JOIN, { timeout: timeoutMs });
  await page.waitForFunction(
    (selector, stableMs) => {
      const w = window as unknown as { __joinBox?: { key: string; since: number } };
      const button = document.querySelector<HTMLButtonElement>(selector);
      // The lobby has finished opening the devices: a preview or its "off" placeholder.
      const previewDone = document.querySelector('.join__preview video, .join__preview-off') !== null;
      if (!button || button.disabled || !previewDone) {
        w.__joinBox = undefined;
        return false;
      }
      const r = button.getBoundingClientRect();
      const key = `${r.x},${r.y},${r.width},${r.height},${document.documentElement.scrollHeight}`;
      const now = performance.now();
      if (w.__joinBox?.key !== key) {
        w.__joinBox = { key, since: now };
        return false;
      }
      return now - w.__joinBox.since >= stableMs;
    },
    { timeout: timeoutMs, polling: 50 },
    JOIN,
    stableMs,
  );
}

/** What the page shows, for a failure message. */
export async function describePage(page: Page): Promise<string> {
  try {
    return await page.evaluate(() => {
      const text = (document.body?.innerText ?? '').replace(/\s+/g, ' ').trim().slice(0, 400);
      const button = document.querySelector<HTMLButtonElement>('[data-testid="join-button"]');
      const state = button ? `join button ${button.disabled ? 'disabled' : 'enabled'}` : 'no join button';
      return `${location.pathname}: ${state}; page text: "${text}"`;
    });
  } catch (error) {
    return `page not readable: ${String(error)}`;
  }
}

/** Whether the page is still in the lobby with an enabled join button (a press that did nothing). */
async function pressIgnored(page: Page, target: string): Promise<boolean> {
  return page
    .evaluate((target) => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid="join-button"]');
      return button !== null && !button.disabled && document.querySelector(target) === null;
    }, target)
    .catch(() => false);
}

/**
 * From the lobby into the room; throws with the page's state and its client
 * log when the room does not appear. A press that leaves the lobby as it was
 * (button enabled, not joining) after 8 s is reported on stdout and made
 * again, once, as a person would: CI lost such a press twice under load, and
 * the report is there to find out why.
 */
export async function joinFromLobby(page: Page, options: JoinOptions = {}): Promise<void> {
  await withClientLog(page, (clientLog) => pressJoin(page, options, clientLog, ROOM));
}

/**
 * A guest in a meeting whose guests wait to be admitted: from the lobby to
 * the waiting screen ("En attente d'admission…"), pressing join as
 * joinFromLobby does. A moderator then admits (or refuses) them; see
 * waitForRoom for what comes after an admission.
 */
export async function knockFromLobby(page: Page, options: JoinOptions = {}): Promise<void> {
  await withClientLog(page, (clientLog) => pressJoin(page, options, clientLog, WAITING));
}

/** After an admission: the waiting screen gives way to the room (the page joins by itself). */
export async function waitForRoom(page: Page, timeoutMs = 30_000): Promise<void> {
  await withClientLog(page, async (clientLog) => {
    try {
      await page.waitForSelector(ROOM, { timeout: timeoutMs });
    } catch {
      throw new Error(`the room did not appear: ${await describePage(page)}\nclient log:\n  ${clientLog.join('\n  ')}`);
    }
  });
}

async function withClientLog(page: Page, run: (clientLog: string[]) => Promise<void>): Promise<void> {
  const clientLog: string[] = [];
  const onConsole = (message: { text(): string }): void => {
    const text = message.text();
    if (text.startsWith('[chantier:')) clientLog.push(`${new Date().toISOString().slice(11, 23)} ${text}`);
  };
  page.on('console', onConsole);
  try {
    await run(clientLog);
  } finally {
    page.off('console', onConsole);
  }
}

/** Presses join and waits for `target` (the room, or a guest's waiting screen). */
async function pressJoin(page: Page, options: JoinOptions, clientLog: string[], target: string): Promise<void> {
  const lobbyTimeout = options.timeoutMs ?? 15_000;
  await waitForSettledLobby(page, lobbyTimeout);
  if (options.beforePress) {
    await options.beforePress(page);
    await waitForSettledLobby(page, lobbyTimeout);
  }
  const press = () => (options.tap ? page.tap(JOIN) : page.click(JOIN));
  await press();
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const firstLook = Date.now() + 8_000;
  let pressedAgain = false;
  for (;;) {
    if (await page.$(target)) return;
    if (!pressedAgain && Date.now() > firstLook && (await pressIgnored(page, target))) {
      process.stdout.write(
        `[join] a press of the join button was ignored; pressing again. ${await describePage(page)}\n` +
          `[join] client log:\n  ${clientLog.join('\n  ')}\n`,
      );
      pressedAgain = true;
      await press();
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${target === ROOM ? 'the room' : 'the waiting screen'} did not appear after pressing join: ${await describePage(page)}\nclient log:\n  ${clientLog.join('\n  ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
