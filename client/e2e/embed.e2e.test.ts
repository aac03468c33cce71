/**
 * Chantier embedded in a host platform's page, in real Chromium: the meeting
 * runs in an iframe of another origin (listed in EMBED_ORIGINS). Its first
 * token is short-lived; the parent page hands a fresh one by postMessage.
 * The server takes it (refreshToken), the first token expires, the meeting
 * socket is then cut, and the page resumes its session with the fresh token:
 * same peer, still in the meeting.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';

const PROJECT = 'p-embed';
const ROOM = 'visite';
const USER = 'u-embedded';

/** The host platform's page: it frames Chantier and passes tokens on. */
const PARENT_HTML = `<!doctype html><html><body>
<script>
  window.readyFrom = [];
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'chantier:ready') window.readyFrom.push(e.origin);
  });
  window.openChantier = (src) => {
    const frame = document.createElement('iframe');
    frame.allow = 'camera; microphone; autoplay';
    frame.width = 900; frame.height = 600;
    frame.src = src;
    document.body.appendChild(frame);
  };
  window.sendToken = (token, origin) => {
    document.querySelector('iframe').contentWindow.postMessage({ type: 'chantier:token', token }, origin);
  };
</script></body></html>`;

let parentServer: Server;
let parentUrl: string;
let t: TestApp;
let browser: TestBrowser;

beforeAll(async () => {
  parentServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(PARENT_HTML);
  });
  await new Promise<void>((resolve) => parentServer.listen(0, '127.0.0.1', resolve));
  parentUrl = `http://127.0.0.1:${(parentServer.address() as AddressInfo).port}`;
  // No clock leeway: the first token really expires within the test.
  t = await startTestApp({ EMBED_ORIGINS: parentUrl, JWT_CLOCK_TOLERANCE_S: '0' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await new Promise<void>((resolve) => (parentServer ? parentServer.close(() => resolve()) : resolve()));
});

function sessionOf(userId: string) {
  return [...t.app.sessions].filter((s) => s.identity?.userId === userId && s.state !== 'closed');
}

async function chantierFrame(page: Page): Promise<Frame> {
  let frame: Frame | undefined;
  await expect.poll(() => (frame = page.frames().find((f) => f.url().startsWith(`${t.url}/p/`))) !== undefined, { timeout: 15_000 }).toBe(true);
  return frame!;
}

describe('embedded in a host page', () => {
  it('takes a fresh token by postMessage and resumes with it after the first one expired', async () => {
    const page = await browser.browser.newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    await page.goto(parentUrl);

    const firstTtlS = 8;
    const first = await t.token({ projectId: PROJECT, userId: USER, displayName: 'Intégré', ttlSeconds: firstTtlS });
    const firstExp = Math.floor(Date.now() / 1000) + firstTtlS;
    await page.evaluate((src) => (window as unknown as { openChantier(s: string): void }).openChantier(src), `${t.url}/p/${PROJECT}/r/${ROOM}#token=${first}`);
    const frame = await chantierFrame(page);
    await frame.waitForSelector('[data-testid="join-button"]:not([disabled])', { timeout: 20_000 });
    await frame.evaluate(() => (window as unknown as { __chantier: { join(): Promise<void> } }).__chantier.join());
    await frame.waitForSelector('[data-testid="room"]', { timeout: 30_000 });
    const [session] = sessionOf(USER);
    expect(session?.state).toBe('joined');
    const peerId = session!.peerId;

    // The page told its parent, on the allowed origin, that it listens.
    await page.waitForFunction(() => (window as unknown as { readyFrom: string[] }).readyFrom.length > 0, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { readyFrom: string[] }).readyFrom)).toEqual([t.url]);

    // Another user's token: refused by the server (FORBIDDEN), the session keeps its identity.
    const stranger = await t.token({ projectId: PROJECT, userId: 'u-stranger', ttlSeconds: 3600 });
    await page.evaluate((token, origin) => (window as unknown as { sendToken(t: string, o: string): void }).sendToken(token, origin), stranger, t.url);
    await expect.poll(() => logs.some((l) => l.includes('token not refreshed')), { timeout: 10_000 }).toBe(true);
    expect(session!.identity!.userId).toBe(USER);
    expect(session!.state).toBe('joined');

    // The user's own fresh token is taken.
    const fresh = await t.token({ projectId: PROJECT, userId: USER, displayName: 'Intégré', ttlSeconds: 3600 });
    const freshExp = Math.floor(Date.now() / 1000) + 3600;
    await page.evaluate((token, origin) => (window as unknown as { sendToken(t: string, o: string): void }).sendToken(token, origin), fresh, t.url);
    await expect.poll(() => session!.identity!.expiresAt, { timeout: 10_000 }).toBeGreaterThanOrEqual(freshExp - 5);
    await expect
      .poll(() => frame.evaluate((key) => sessionStorage.getItem(key), `chantier.token:${PROJECT}`), { timeout: 5_000 })
      .toBe(fresh);

    // Past the first token's expiry the call goes on.
    await expect.poll(() => Date.now() / 1000 > firstExp + 1, { timeout: 20_000, interval: 250 }).toBe(true);
    expect(session!.state).toBe('joined');

    // The link is cut: the page resumes the same session, authenticated by the fresh token.
    const cutSocket = session!.socketForTests!;
    cutSocket.terminate();
    await expect.poll(() => session!.hasSocket && !session!.owns(cutSocket) && session!.open, { timeout: 20_000 }).toBe(true);
    expect(sessionOf(USER).map((s) => s.peerId)).toEqual([peerId]);
    expect(session!.state).toBe('joined');
    expect(await frame.$('[data-testid="room"]')).not.toBeNull();
    expect(logs.some((l) => l.includes('token refreshed'))).toBe(true);
    expect(logs.filter((l) => /TOKEN_EXPIRED|UNAUTHORIZED/.test(l))).toEqual([]);
    await page.close();
  });
});
