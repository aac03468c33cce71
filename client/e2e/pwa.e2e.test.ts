/**
 * The installable app: the built manifest is served, valid, and its icons
 * are real PNGs of the sizes it declares; index.html links it (and iOS's
 * tags); the service worker is served uncached, registers in real Chromium,
 * and the app shell then loads with the network cut, for the home page and
 * for a meeting link (which then says the server is out of reach instead of
 * the browser's offline page), with the server stopped. A repeat visit takes
 * its page and every app file from the worker's cache (the server is not
 * asked for the page), and the code split out of the first
 * load (the media code, the room's view) is precached too, so that it is
 * there offline. Nothing from /api is ever cached.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { HTTPResponse, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { newTestPage } from '../../test/meetingPage.js';

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

interface Manifest {
  name: string;
  short_name: string;
  description: string;
  lang: string;
  start_url: string;
  scope: string;
  display: string;
  theme_color: string;
  background_color: string;
  icons: ManifestIcon[];
}

const STYLES = readFileSync(join(import.meta.dirname, '../src/ui/styles.css'), 'utf8');

/** A colour of the app's palette (styles.css :root), e.g. '--surface'. */
function paletteColour(name: string): string {
  const match = new RegExp(`${name}:\\s*(#[0-9a-fA-F]{6})`).exec(STYLES);
  if (!match?.[1]) throw new Error(`${name} not in styles.css`);
  return match[1].toLowerCase();
}

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk header). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

let t: TestApp;
let chromium: TestBrowser;
let serverClosed = false;
/** The paths sw.js precaches (its build-time list). */
let precache: string[] = [];

async function closeServer(): Promise<void> {
  if (serverClosed) return;
  serverClosed = true;
  await t.close();
}

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  if (t) await closeServer();
});

describe('the web app manifest', () => {
  let manifest: Manifest;

  it('is served as a manifest and has the fields an install needs', async () => {
    const response = await fetch(`${t.url}/manifest.webmanifest`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/manifest+json');
    manifest = (await response.json()) as Manifest;
    expect(manifest.name).toBe('Chantier');
    expect(manifest.short_name).toBe('Chantier');
    expect(manifest.lang).toBe('fr');
    expect(manifest.description).toMatch(/chantier/i);
    expect(manifest.description).toMatch(/Réunions/); // French first
    expect(manifest.start_url).toBe('/');
    expect(manifest.scope).toBe('/');
    expect(manifest.display).toBe('standalone');
    expect(manifest.theme_color.toLowerCase()).toBe(paletteColour('--surface'));
    expect(manifest.background_color.toLowerCase()).toBe(paletteColour('--bg'));
  });

  it('declares 192 and 512 px icons and a maskable one, each a PNG of its declared size', async () => {
    const sizes = manifest.icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`);
    expect(sizes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
    for (const icon of manifest.icons) {
      const response = await fetch(new URL(icon.src, t.url));
      expect(response.status, icon.src).toBe(200);
      expect(response.headers.get('content-type')).toBe(icon.type);
      const { width, height } = pngSize(Buffer.from(await response.arrayBuffer()));
      expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
    }
  });

  it('is linked from index.html, with the iOS icon and tags and a full-screen viewport', async () => {
    const html = await (await fetch(`${t.url}/p/any/r/room`)).text();
    expect(html).toContain('<link rel="manifest" href="/manifest.webmanifest"');
    expect(html).toContain('viewport-fit=cover');
    expect(html).toContain('name="apple-mobile-web-app-capable" content="yes"');
    const apple = /<link rel="apple-touch-icon" href="([^"]+)"/.exec(html)?.[1];
    expect(apple).toBeTruthy();
    const icon = await fetch(new URL(apple!, t.url));
    expect(pngSize(Buffer.from(await icon.arrayBuffer()))).toEqual({ width: 180, height: 180 });
  });
});

describe('the app-shell service worker', () => {
  let page: Page;

  it('is served uncached, and precaches index.html and the entry files it loads', async () => {
    const response = await fetch(`${t.url}/sw.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-type')).toContain('javascript');
    const worker = await response.text();
    expect(worker).not.toContain('__CHANTIER_PRECACHE__');
    expect(worker).not.toMatch(/^\s*import\s/m); // a classic script
    const html = await (await fetch(`${t.url}/`)).text();
    const entries = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(entries.length).toBeGreaterThanOrEqual(2); // the script and the stylesheet
    for (const path of [...entries, '/index.html', '/manifest.webmanifest', '/icons/icon-192.png']) {
      expect(worker).toContain(JSON.stringify(path));
    }
    precache = [...worker.matchAll(/"(\/[^"]+)"/g)].map((m) => m[1]!).filter((path) => path.startsWith('/'));
    // The first load's entries and more: the chunks split out of it (media code, views).
    expect(precache.filter((path) => path.endsWith('.js')).length).toBeGreaterThan(entries.length + 2);
    expect(precache.some((path) => path.includes('pdf'))).toBe(false); // pdf.js: cached when first used
  });

  it('registers in Chromium and controls the page', async () => {
    ({ page } = await newTestPage(chromium.browser, { name: 'pwa' }));
    await page.goto(`${t.url}/`);
    await page.waitForSelector('[data-testid="home"]');
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${t.url}/`);
    // The first page load was not controlled (the worker came after it); the next one is.
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', { timeout: 10_000 });
  });

  it('serves a repeat visit\'s page and app files from its cache', async () => {
    const responses: HTTPResponse[] = [];
    const listener = (response: HTTPResponse): void => void responses.push(response);
    // What reaches the server: a repeat visit must not wait for it to send the page again.
    const asked: string[] = [];
    const onRequest = (request: IncomingMessage): void => void asked.push(request.url ?? '');
    t.app.server.on('request', onRequest);
    page.on('response', listener);
    await page.reload();
    await page.waitForSelector('[data-testid="home"]');
    page.off('response', listener);
    t.app.server.off('request', onRequest);
    expect(asked.filter((url) => url === '/' || url.startsWith('/?') || url.startsWith('/index.html'))).toEqual([]);
    const files = responses.filter((r) => new URL(r.url()).pathname.startsWith('/assets/'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const response of files) expect(response.fromServiceWorker(), response.url()).toBe(true);
    const cached = await page.evaluate(async () => {
      const paths: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) paths.push(new URL(request.url).pathname);
      }
      return paths;
    });
    // All of the build's list, so the repeat visit's files came from there (cache first), not the network.
    expect(cached).toEqual(expect.arrayContaining(precache));
  });

  it('never caches the API', async () => {
    await page.goto(`${t.url}/`);
    await page.waitForSelector('[data-testid="home"]');
    // A call to the API through the worker's scope (refused without a token, but answered).
    const status = await page.evaluate(async () => (await fetch('/api/projects/pwa/documents')).status);
    expect(status).toBe(401);
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    expect(cached).toContain('/index.html');
    expect(cached.filter((u) => u.startsWith('/api') || u.startsWith('/ws'))).toEqual([]);
  });

  it('loads the app shell with the network cut and the server gone', async () => {
    // Both: Chromium's offline mode, and no server at all (it may not cover the worker's own fetches).
    await closeServer();
    await page.setOfflineMode(true);
    await page.reload();
    await page.waitForSelector('[data-testid="home"]', { timeout: 10_000 });
    expect(await page.$eval('[data-testid="home"] h1', (el) => el.textContent)).toBeTruthy();
    // The stylesheet came from the cache too: the page is laid out in the app's colours.
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(18, 25, 31)'); // --bg #12191f
    // The code a meeting loads after its first paint is there offline too.
    const statuses = await page.evaluate(async (paths) => Promise.all(paths.map(async (path) => `${path} ${(await fetch(path)).status}`)), precache);
    expect(statuses).toEqual(precache.map((path) => `${path} 200`));
  });

  it('opens a meeting link offline on the shell, which then reports the lost connection', async () => {
    const token = await t.token({ displayName: 'Hors ligne', projectId: 'pwa' });
    await page.goto(`${t.url}/p/pwa/r/reunion#token=${token}`);
    await page.waitForSelector('[data-testid="error"], [data-testid="connecting"], [data-testid="disconnected"]', { timeout: 15_000 });
    await page.waitForSelector('[data-testid="error"]', { timeout: 15_000 });
    expect(await page.$eval('[data-testid="error"]', (el) => el.getAttribute('data-code'))).toBe('CONNECTION_LOST');
    await page.browserContext().close();
  });

});


describe('the Content-Security-Policy', () => {
  it('was never violated by the pages above', () => {
    expect(cspViolations).toEqual([]);
  });
});
