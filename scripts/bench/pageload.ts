/**
 * A phone opening a meeting link: time until the lobby's join button is
 * usable (in the page, enabled, and the element under its centre: clickable)
 * and bytes transferred before it, on a first visit (empty browser) and a
 * repeat visit (same browser profile a moment later: HTTP cache and the app
 * shell's service worker), unthrottled, on 3G and on a weak link, with
 * Chromium's network throttling (CDP Network.emulateNetworkConditions) and a
 * phone's viewport (360x740, touch). Three runs of each; the issue's targets
 * (issue 21) printed beside the weak link's figures, met or missed.
 *
 * How it is measured:
 * - time: the page's own clock (performance.now(), from the navigation's
 *   start), taken by a check run on every animation frame from before the
 *   app's first script;
 * - bytes: what the page's and its service worker's DevTools sessions report
 *   as received (Network.loadingFinished's encodedDataLength: compressed
 *   bodies plus headers) and the WebSocket frames' payloads, counted until
 *   the page says the button is usable;
 * - the throttling is set on the page and on its service worker (a worker
 *   started during the run is throttled as soon as it appears: its first
 *   few ms may escape it). Chromium applies the latency per request (no TCP
 *   handshakes emulated) and shares the bandwidth between requests.
 * Loopback; one server, one Chromium; a fresh browser context per run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { BrowserContext, CDPSession, Page, Target } from 'puppeteer-core';
import { silentLogger } from '../../sfu/src/logger.js';
import { startEmbeddedRedis } from '../../signaling/src/redis/embedded.js';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { spread, withTimeout } from './stats.js';
import type { BenchResult, Table } from './types.js';

export const name = 'pageload';
export const description = 'a phone opening a meeting link, first and repeat visit: time and bytes until the join button is usable, throttled';

const RUNS = 3;
const VISIT_TIMEOUT_MS = 60_000;
const PHONE = { width: 360, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

interface Link {
  label: string;
  /** kbit/s; 0: not throttled. */
  downKbps: number;
  upKbps: number;
  /** Added to each request, ms. */
  latencyMs: number;
}

const LINKS: readonly Link[] = [
  { label: 'unthrottled', downKbps: 0, upKbps: 0, latencyMs: 0 },
  // Chromium's "3G" preset's shape, at the figures (its upload: Chromium's 3G preset's).
  { label: '3G (750/250 kbit/s, 200 ms)', downKbps: 750, upKbps: 250, latencyMs: 200 },
  { label: 'weak (400/150 kbit/s, 400 ms)', downKbps: 400, upKbps: 150, latencyMs: 400 },
];
const WEAK = LINKS[2]!;

/** Issue 21's targets, on the weak link. */
const TARGETS = { firstMs: 4_000, repeatMs: 1_500, firstKiB: 150 };

interface Visit {
  ms: number;
  kib: number;
  /** Of which over HTTP (the page's and the service worker's requests). */
  httpKiB: number;
  requests: number;
  fromServiceWorker: number;
}

/** Sets the page's clock reading when the join button first becomes usable (window.__lpUsableAt). */
const WATCH_JOIN_BUTTON = `(() => {
  const check = () => {
    const button = document.querySelector('[data-testid="join-button"]');
    if (button && !button.disabled) {
      const r = button.getBoundingClientRect();
      const hit = r.width > 0 && r.height > 0 ? document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) : null;
      if (hit && (hit === button || button.contains(hit))) {
        const at = performance.now();
        window.__lpUsable?.(at);
        return;
      }
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();`;

function conditions(link: Link) {
  const bytesPerSecond = (kbps: number): number => (kbps > 0 ? (kbps * 1000) / 8 : -1);
  return {
    offline: false,
    latency: link.latencyMs,
    downloadThroughput: bytesPerSecond(link.downKbps),
    uploadThroughput: bytesPerSecond(link.upKbps),
  };
}

/** Counts what one DevTools session receives; `stop()` freezes the count. */
class ByteCounter {
  http = 0;
  ws = 0;
  requests = 0;
  fromServiceWorker = 0;
  private counting = true;

  watch(session: CDPSession): void {
    session.on('Network.loadingFinished', (event: { encodedDataLength: number }) => {
      if (!this.counting) return;
      this.http += event.encodedDataLength;
      this.requests++;
    });
    session.on('Network.responseReceived', (event: { response: { fromServiceWorker?: boolean } }) => {
      if (this.counting && event.response.fromServiceWorker) this.fromServiceWorker++;
    });
    session.on('Network.webSocketFrameReceived', (event: { response: { payloadData: string } }) => {
      if (this.counting) this.ws += event.response.payloadData.length;
    });
    session.on('Network.webSocketFrameSent', (event: { response: { payloadData: string } }) => {
      if (this.counting) this.ws += event.response.payloadData.length;
    });
  }

  /** A response of the page's service worker (its own session). */
  addWorkerResponse(bytes: number): void {
    if (!this.counting) return;
    this.http += bytes;
    this.requests++;
  }

  stop(): void {
    this.counting = false;
  }
}

/** Throttles (and counts) every service worker of the context from the moment it appears. */
async function watchServiceWorkers(context: BrowserContext, link: Link, counter: () => ByteCounter | null): Promise<() => void> {
  const sessions = new Set<string>();
  const attach = async (target: Target): Promise<void> => {
    if (target.type() !== 'service_worker' || target.browserContext() !== context) return;
    const id = (target as unknown as { _targetId: string })._targetId;
    if (sessions.has(id)) return;
    sessions.add(id);
    try {
      const session = await target.createCDPSession();
      await session.send('Network.enable');
      await session.send('Network.emulateNetworkConditions', conditions(link));
      session.on('Network.loadingFinished', (event: { encodedDataLength: number }) => counter()?.addWorkerResponse(event.encodedDataLength));
    } catch {
      // A worker gone before it could be throttled: nothing to count.
    }
  };
  const listener = (target: Target): void => void attach(target);
  context.browser().on('targetcreated', listener);
  for (const target of context.targets()) await attach(target);
  return () => context.browser().off('targetcreated', listener);
}

/** One visit of the meeting link in a new page of `context`; the page stays open (closed by the caller). */
async function visit(context: BrowserContext, link: Link, url: string, counter: ByteCounter): Promise<{ page: Page; result: Visit }> {
  const page = await context.newPage();
  await page.setViewport(PHONE);
  const session = await page.createCDPSession();
  await session.send('Network.enable');
  await session.send('Network.setCacheDisabled', { cacheDisabled: false });
  await session.send('Network.emulateNetworkConditions', conditions(link));
  counter.watch(session);
  let usable: (ms: number) => void = () => {};
  const usableAt = new Promise<number>((resolve) => (usable = resolve));
  await page.exposeFunction('__lpUsable', (ms: number) => {
    counter.stop();
    usable(ms);
  });
  await page.evaluateOnNewDocument(WATCH_JOIN_BUTTON);
  // Not awaited: the wait below is the measure (goto's load event can come later than the button).
  void page.goto(url, { timeout: VISIT_TIMEOUT_MS }).catch(() => undefined);
  const ms = await withTimeout(usableAt, VISIT_TIMEOUT_MS, `${link.label}: join button`);
  const kib = (counter.http + counter.ws) / 1024;
  return {
    page,
    result: { ms, kib, httpKiB: counter.http / 1024, requests: counter.requests, fromServiceWorker: counter.fromServiceWorker },
  };
}

/** The service worker installed and its precache written (what a repeat visit relies on). */
async function waitForShellCached(page: Page): Promise<void> {
  await page.waitForFunction(
    async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      if (!registration?.active) return false;
      for (const name of await caches.keys()) if (await (await caches.open(name)).match('/index.html')) return true;
      return false;
    },
    { timeout: VISIT_TIMEOUT_MS, polling: 200 },
  );
}

async function runOnce(browser: TestBrowser, app: TestApp, link: Link, run: number): Promise<{ first: Visit; repeat: Visit }> {
  const context = await browser.browser.createBrowserContext();
  let current: ByteCounter | null = null;
  const stopWatching = await watchServiceWorkers(context, link, () => current);
  try {
    const token = await app.token({ projectId: 'pageload', userId: `u-phone-${run}`, displayName: 'Téléphone' });
    const url = `${app.url}/p/pageload/r/reunion-${run}#token=${token}`;
    current = new ByteCounter();
    const first = await visit(context, link, url, current);
    await waitForShellCached(first.page);
    await first.page.close();
    current = new ByteCounter();
    const repeat = await visit(context, link, url, current);
    await repeat.page.close();
    return { first: first.result, repeat: repeat.result };
  } finally {
    stopWatching();
    await context.close();
  }
}

const verdict = (value: number, target: number): string => (Number.isFinite(value) ? (value <= target ? 'met' : 'MISSED') : 'n/a');

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(joinPath(tmpdir(), 'chantier-bench-pageload-'));
  const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
  let app: TestApp | null = null;
  let browser: TestBrowser | null = null;
  try {
    app = await startTestApp({ MEDIASOUP_WORKERS: '1' }, `unix://${redis.socketPath}`);
    browser = await launchBrowser();
    const measured: Array<{ link: string; runs: Array<{ first: Visit; repeat: Visit }> }> = [];
    for (const link of LINKS) {
      const runs: Array<{ first: Visit; repeat: Visit }> = [];
      for (let i = 0; i < RUNS; i++) runs.push(await runOnce(browser, app, link, measured.length * RUNS + i));
      measured.push({ link: link.label, runs });
    }
    const fmt = (v: number): string => v.toFixed(0);
    const rows: Array<Array<string | number>> = [];
    for (const m of measured) {
      for (const kind of ['first', 'repeat'] as const) {
        const visits = m.runs.map((r) => r[kind]);
        rows.push([
          m.link,
          kind,
          visits.map((v) => fmt(v.ms)).join(' / '),
          spread(visits.map((v) => v.ms)).median,
          visits.map((v) => v.kib.toFixed(1)).join(' / '),
          spread(visits.map((v) => v.httpKiB)).median,
          spread(visits.map((v) => v.requests)).median,
          spread(visits.map((v) => v.fromServiceWorker)).median,
        ]);
      }
    }
    const weak = measured.find((m) => m.link === WEAK.label)!;
    const worst = (values: number[]): number => Math.max(...values);
    const firstMs = weak.runs.map((r) => r.first.ms);
    const repeatMs = weak.runs.map((r) => r.repeat.ms);
    const firstKiB = weak.runs.map((r) => r.first.kib);
    const targets: Table = {
      title: `Issue 21's targets on the weak link (worst of ${RUNS} runs)`,
      columns: ['figure', 'runs', 'worst', 'target', 'verdict'],
      rows: [
        ['first visit: join button usable, ms', firstMs.map(fmt).join(' / '), worst(firstMs), `≤ ${TARGETS.firstMs}`, verdict(worst(firstMs), TARGETS.firstMs)],
        ['repeat visit: join button usable, ms', repeatMs.map(fmt).join(' / '), worst(repeatMs), `≤ ${TARGETS.repeatMs}`, verdict(worst(repeatMs), TARGETS.repeatMs)],
        ['first visit: KiB before it', firstKiB.map((v) => v.toFixed(1)).join(' / '), worst(firstKiB), `≤ ${TARGETS.firstKiB}`, verdict(worst(firstKiB), TARGETS.firstKiB)],
      ],
      headline: true,
    };
    return {
      tables: [
        {
          title: `Meeting link on a phone (${PHONE.width}x${PHONE.height}): until the join button is usable, ${RUNS} runs each`,
          columns: ['link', 'visit', 'ms (runs)', 'ms median', 'KiB (runs)', 'HTTP KiB median', 'requests', 'from service worker'],
          rows,
        },
        targets,
      ],
      notes: [
        'time: the page clock from the navigation start until the join button is enabled and under its own centre (checked every frame)',
        'KiB: HTTP bytes received (compressed bodies and headers) by the page and its service worker, plus WebSocket payloads sent and received',
        'repeat visit: a new tab of the same browser profile once the service worker has cached the shell',
        'Chromium throttling: latency per request, bandwidth shared; a service worker started during a run is throttled from when it appears',
        'the machine may be shared with other work: times are noisy',
      ],
      data: measured,
    };
  } finally {
    await browser?.close();
    await app?.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
