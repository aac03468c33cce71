/**
 * The forwarded-media metrics with real media: two Chromium participants
 * send camera and microphone (fake devices) through the real SFU while
 * /metrics is scraped. The bytes the SFU counts as forwarded grow while media
 * flows, never exceed what the pages really received, and are not lost when
 * the meeting ends (the counter never goes down); the worker's CPU time grows.
 */
import type { Page } from 'puppeteer-core';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { KEEP_PEER_CONNECTIONS } from '../../test/netlab/pageMedia.js';
import { parseExposition, sumOf, type PromSample } from '../../signaling/src/metrics/exposition.js';

const PROJECT = 'chantier-metrics';
const ROOM = 'releve';
const METRICS_TOKEN = randomBytes(24).toString('base64url');

let t: TestApp;
let chromium: TestBrowser;

/** Bytes received on all of the page's ICE transports (SRTP and RTCP, every byte the SFU sent it). */
async function receivedBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    let total = 0;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s: { type: string; bytesReceived?: number }) => {
        if (s.type === 'transport') total += s.bytesReceived ?? 0;
      });
    }
    return total;
  });
}

async function scrape(): Promise<PromSample[]> {
  const response = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function join(name: string): Promise<Page> {
  // Every RTCPeerConnection kept in window.__pcs, to read transport-level byte counts.
  const { page } = await openMeetingPage(chromium.browser, t, { name, projectId: PROJECT, roomId: ROOM, beforeApp: [KEEP_PEER_CONNECTIONS] });
  return page;
}

beforeAll(async () => {
  // No grace period: a closed page leaves at once, its transports with it.
  t = await startTestApp({ MEDIASOUP_WORKERS: '1', METRICS_TOKEN, PEER_GRACE_MS: '0' });
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('forwarded media in /metrics', () => {
  it('grows while media flows, stays under what the pages received, and survives the meeting\'s end', async () => {
    const slot = t.app.sfu.pool.slots[0]!;
    const labels = { worker: String(slot.index), pid: String(slot.worker.pid) };
    const idle = await scrape();
    expect(sumOf(idle, 'chantier_forwarded_bytes_total', labels)).toBe(0);
    const cpu0 = sumOf(idle, 'chantier_worker_cpu_seconds_total', labels);

    const pages = [await join('Alice'), await join('Bruno')];
    // Each receives the other's camera and microphone.
    await until(async () => sumOf(await scrape(), 'chantier_consumers', labels) === 4, 'four consumers');

    let first = 0;
    await until(async () => {
      first = sumOf(await scrape(), 'chantier_forwarded_bytes_total', labels);
      return first > 0;
    }, 'forwarded bytes counted');
    // Video flowing both ways: over what the two microphones alone make (about 2 × 40 kb/s).
    let latest = first;
    let bitrate = 0;
    await until(async () => {
      const s = await scrape();
      latest = sumOf(s, 'chantier_forwarded_bytes_total', labels);
      bitrate = sumOf(s, 'chantier_forwarded_bitrate_bps', labels);
      return latest > first && bitrate > 120_000;
    }, 'forwarded bytes growing, at a video bitrate');
    console.info(`forwarded ${first} then ${latest} RTP bytes, at ${Math.round(bitrate / 1000)} kb/s`);
    // What the SFU counts was really sent: the pages receive it (and more: SRTP, RTCP, probing).
    await until(async () => (await Promise.all(pages.map(receivedBytes))).reduce((a, b) => a + b, 0) >= latest, 'the pages to have received the counted bytes');
    await until(async () => sumOf(await scrape(), 'chantier_worker_cpu_seconds_total', labels) > cpu0, 'the worker\'s CPU time to grow');

    // The meeting ends: transports go, the bytes they forwarded stay counted.
    const lastLive = sumOf(await scrape(), 'chantier_forwarded_bytes_total', labels);
    for (const page of pages) await page.browserContext().close();
    let after: PromSample[] = [];
    await until(async () => {
      after = await scrape();
      return sumOf(after, 'chantier_transports', labels) === 0 && sumOf(after, 'chantier_rooms', labels) === 0;
    }, 'the meeting to be gone');
    expect(sumOf(after, 'chantier_forwarded_bytes_total', labels)).toBeGreaterThanOrEqual(lastLive);
    expect(sumOf(after, 'chantier_forwarded_bitrate_bps', labels)).toBe(0);
    expect(cspViolations).toEqual([]);
    console.info(`forwarded ${sumOf(after, 'chantier_forwarded_bytes_total', labels)} RTP bytes in the meeting`);
  });
});
