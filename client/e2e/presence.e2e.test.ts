/**
 * Presence in real browsers:
 * - when a browser dies: a member watches the project page while another
 *   member's whole Chromium is killed (SIGKILL, as when a phone's browser is
 *   swiped away or crashes). The watcher's list must drop the killed member
 *   within the presence TTL (30 s by default);
 * - in sight: on a 1280x720 project page, everyone of four people online is
 *   within the visible part of the list (it was capped at 30 % of the height
 *   and showed one or two, issue 16), and a long list scrolls inside the
 *   page, its last entry reachable.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openProjectPage } from '../../test/meetingPage.js';
import { TestClient } from '../../test/TestClient.js';
import { PROTOCOL_VERSION } from '../../signaling/src/protocol/index.js';

const PROJECT = 'chantier-presence-e2e';
let t: TestApp;
let watcherBrowser: TestBrowser;
let doomedBrowser: TestBrowser;

beforeAll(async () => {
  t = await startTestApp();
  watcherBrowser = await launchBrowser();
  doomedBrowser = await launchBrowser();
});

afterAll(async () => {
  await watcherBrowser?.close();
  await doomedBrowser?.close();
  await t?.close();
});

async function openProject(browser: TestBrowser, name: string) {
  const { page } = await openProjectPage(browser.browser, t, { name, projectId: PROJECT });
  await page.waitForSelector('[data-testid="project-page"]', { timeout: 15_000 });
  return page;
}

describe('presence in real browsers', () => {
  it('drops a member whose browser is killed within the presence TTL', async () => {
    const watcher = await openProject(watcherBrowser, 'Chef');
    await openProject(doomedBrowser, 'Gaston');
    const online = '[data-testid="online-user"][data-user-id="u-Gaston"]';
    // On a desktop-size page the online list is visible without switching tabs.
    await watcher.waitForSelector(online, { timeout: 10_000 });

    doomedBrowser.browser.process()!.kill('SIGKILL');

    await watcher.waitForFunction((sel) => !document.querySelector(sel), { timeout: 30_000 }, online);
    expect(await watcher.$$eval('[data-testid="online-user"]', (els) => els.map((e) => e.getAttribute('data-user-id')))).toEqual([
      'u-Chef',
    ]);
  });
});

/** Where each entry of the online list stands against the visible part of its scroll container (and of the window). */
async function onlineRows(page: Page) {
  return page.$$eval('[data-testid="online-user"]', (rows) =>
    rows.map((row) => {
      let scroller = row.parentElement;
      while (scroller && !/(auto|scroll)/.test(getComputedStyle(scroller).overflowY)) scroller = scroller.parentElement;
      const box = row.getBoundingClientRect();
      const area = scroller?.getBoundingClientRect();
      const top = Math.max(area?.top ?? 0, 0);
      const bottom = Math.min(area?.bottom ?? innerHeight, innerHeight);
      return {
        userId: row.getAttribute('data-user-id'),
        top: Math.round(box.top),
        bottom: Math.round(box.bottom),
        visible: [Math.round(top), Math.round(bottom)],
        inSight: box.height > 0 && box.top >= top - 0.5 && box.bottom <= bottom + 0.5,
        scroller: scroller ? { className: scroller.className, clientHeight: scroller.clientHeight, scrollHeight: scroller.scrollHeight } : null,
      };
    }),
  );
}

describe('who is online, in sight on a 1280x720 project page (issue 16)', () => {
  const LAYOUT_PROJECT = 'chantier-presence-layout-e2e';
  const clients: TestClient[] = [];
  let page: Page;

  afterAll(() => {
    for (const c of clients) c.ws.close();
  });

  it('shows every one of four people online without scrolling', async () => {
    // The owner (whose page also has the invitations button above the list), and three members on their own pages.
    ({ page } = await openProjectPage(watcherBrowser.browser, t, {
      name: 'Odile',
      projectId: LAYOUT_PROJECT,
      role: 'owner',
      viewport: { width: 1280, height: 720 },
    }));
    for (const name of ['Bruno', 'Chloé', 'Damien']) {
      await openProjectPage(watcherBrowser.browser, t, { name, userId: `u-${name.slice(0, 3)}`, projectId: LAYOUT_PROJECT });
    }
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="online-user"]').length === 4, { timeout: 15_000 });
    await page.waitForSelector('[data-testid="online"] .section-title__count');
    const rows = await onlineRows(page);
    expect(rows, JSON.stringify(rows)).toHaveLength(4);
    for (const row of rows) expect(row.inSight, JSON.stringify(row)).toBe(true);
  });

  it('keeps a long list reachable: it scrolls inside the page, down to its last entry', async () => {
    for (let i = 0; i < 16; i++) {
      const c = await TestClient.connect(t.url);
      clients.push(c);
      const token = await t.token({ projectId: LAYOUT_PROJECT, userId: `u-crowd-${i}`, displayName: `Compagnon ${i + 1}` });
      await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: LAYOUT_PROJECT });
    }
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="online-user"]').length === 20, { timeout: 15_000 });
    const before = await onlineRows(page);
    const scroller = before[0]!.scroller!;
    // The list scrolls by itself, not the page (the chat and the documents stay where they are).
    expect(scroller.scrollHeight, JSON.stringify(scroller)).toBeGreaterThan(scroller.clientHeight);
    expect(await page.evaluate(() => document.documentElement.scrollHeight <= innerHeight)).toBe(true);
    // It still shows several people at once, the first ones first.
    expect(before.filter((r) => r.inSight).length, JSON.stringify(before)).toBeGreaterThanOrEqual(4);
    expect(before[0]!.inSight).toBe(true);
    // Scrolled to its end, the last person is in sight.
    await page.$eval('[data-testid="online-user"]:last-child', (row) => row.scrollIntoView({ block: 'nearest' }));
    const after = await onlineRows(page);
    expect(after[after.length - 1]!.inSight, JSON.stringify(after[after.length - 1])).toBe(true);
  });
});
