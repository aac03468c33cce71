/**
 * The client under the server's Content-Security-Policy (signaling/src/plugins/edge.ts):
 * the project page and a meeting's lobby load without a single violation, and
 * the watcher the other browser tests rely on (test/browser.ts, watchCsp) does
 * see a violation when there is one, so their "no violation" checks can fail.
 * The Permissions-Policy header names only features Chromium knows: it logs
 * `Error with Permissions-Policy header: Unrecognized feature` otherwise.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openMeetingPage, openProjectPage } from '../../test/meetingPage.js';

const PROJECT = 'csp';
let t: TestApp;
let chromium: TestBrowser;
let page: Page;

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('the client under its Content-Security-Policy', () => {
  it('loads the project page and a meeting lobby with no violation', async () => {
    const token = await t.token({ projectId: PROJECT, displayName: 'Céline', userId: 'u-celine' });
    const opened = await openProjectPage(chromium.browser, t, { name: 'csp', projectId: PROJECT, token, pageErrors: 'collect' });
    ({ page } = opened);
    const { errors, response } = opened;
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('[data-testid="project-page"][data-phase="online"]', { timeout: 15_000 });
    await page.goto(`${t.url}/p/${PROJECT}/r/reunion#token=${token}`);
    await page.waitForSelector('[data-testid="join-button"]', { timeout: 15_000 });
    expect(errors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  it('reports an inline script the policy refuses, so that the other tests\' checks can fail', async () => {
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true;';
      document.body.append(script);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    const deadline = Date.now() + 10_000;
    while (cspViolations.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(cspViolations.join('\n')).toMatch(/script-src/);
    cspViolations.length = 0;
  });

  it('sends a Permissions-Policy header Chromium parses without complaint, on the project page and a meeting page', async () => {
    const project = await openProjectPage(chromium.browser, t, { name: 'policy-project', projectId: PROJECT });
    await project.page.waitForSelector('[data-testid="project-page"][data-phase="online"]', { timeout: 15_000 });
    const meeting = await openMeetingPage(chromium.browser, t, { name: 'policy-meeting', projectId: PROJECT, roomId: 'reunion', enter: 'lobby' });
    await meeting.page.waitForSelector('[data-testid="join-button"]', { timeout: 15_000 });
    // Every feature the header names is one the browser knows.
    const header = (await fetch(`${t.url}/p/${PROJECT}`)).headers.get('permissions-policy') ?? '';
    const named = header.split(',').map((member) => member.trim().split('=')[0]!);
    expect(named).toContain('camera');
    const known = await meeting.page.evaluate(() => (document as unknown as { featurePolicy?: { features(): string[] } }).featurePolicy?.features() ?? []);
    expect(known.length).toBeGreaterThan(0);
    expect(named.filter((feature) => !known.includes(feature))).toEqual([]);
    // Nothing reported by these two pages (the watcher records Chromium's Permissions-Policy complaints too).
    const found = cspViolations.filter((line) => line.startsWith('policy-'));
    expect(found.filter((line) => /Permissions-Policy/i.test(line))).toEqual([]);
    expect(found).toEqual([]);
  });
});

