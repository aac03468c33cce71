/**
 * Presence when a browser dies: a member watches the project page while
 * another member's whole Chromium is killed (SIGKILL, as when a phone's
 * browser is swiped away or crashes). The watcher's list must drop the
 * killed member within the presence TTL (30 s by default).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';

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
  const page = await browser.browser.newPage();
  const token = await t.token({ projectId: PROJECT, userId: `u-${name}`, displayName: name });
  await page.goto(`${t.url}/p/${PROJECT}#token=${token}`);
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
