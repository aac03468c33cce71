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

export interface JoinOptions {
  /** A touch tap instead of a mouse click (phones). */
  tap?: boolean;
  /** How long the lobby (default 15 s) and then the room (default 30 s) may take to appear. */
  timeoutMs?: number;
  /** Called once the lobby is settled, before the press (toggle devices...). */
  beforePress?: (page: Page) => Promise<void>;
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

/** From the lobby into the room; throws with the page's state when the room does not appear. */
export async function joinFromLobby(page: Page, options: JoinOptions = {}): Promise<void> {
  const lobbyTimeout = options.timeoutMs ?? 15_000;
  await waitForSettledLobby(page, lobbyTimeout);
  if (options.beforePress) {
    await options.beforePress(page);
    await waitForSettledLobby(page, lobbyTimeout);
  }
  if (options.tap) await page.tap(JOIN);
  else await page.click(JOIN);
  try {
    await page.waitForSelector(ROOM, { timeout: options.timeoutMs ?? 30_000 });
  } catch (error) {
    throw new Error(`the room did not appear after pressing join: ${await describePage(page)}`, { cause: error });
  }
}
