/**
 * Three real Chromium participants open the real client from the real server
 * and meet through the real SFU (mediasoup workers, Redis). Each must decode
 * the others' video and receive their audio; the server's own stats must show
 * the media went through mediasoup; a participant who leaves disappears from
 * the others' grids (aimed at 2 s; bounded at 10 s: timing belongs to benchmarks).
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { HOLD_DEVICES, releaseDevices } from '../../test/join.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { mediaByPeer, receiveStats, type MediaTotals } from '../../test/receiveStats.js';
import { KEEP_PEER_CONNECTIONS } from '../../test/netlab/pageMedia.js';

interface Participant {
  name: string;
  page: Page;
  peerId: string;
}

const PROJECT = 'chantier-lyon-7';
const ROOM = 'reunion-hebdo';

let t: TestApp;
let chromium: TestBrowser;
const participants: Participant[] = [];

async function join(name: string): Promise<Participant> {
  const { page, peerId } = await openMeetingPage(chromium.browser, t, {
    name,
    projectId: PROJECT,
    roomId: ROOM,
    beforeApp: [KEEP_PEER_CONNECTIONS],
    join: {
      // The name comes from the token; the field lets the person change it.
      beforePress: async (page) => {
        expect(await page.$eval('[data-testid="display-name"]', (el) => (el as HTMLInputElement).value)).toBe(name);
      },
    },
  });
  expect(peerId).toBeTruthy();
  return { name, page, peerId };
}

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('the join screen', () => {
  it('keeps the join button where it is while the devices open (a press aimed at it lands on it)', async () => {
    const { page } = await openMeetingPage(chromium.browser, t, {
      name: 'Denis',
      projectId: PROJECT,
      roomId: 'salle-attente',
      enter: 'lobby',
      beforeApp: [HOLD_DEVICES],
    });
    try {
      const box = () =>
        page.$eval('[data-testid="join-button"]', (el) => {
          const r = el.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        });
      // Hello answered, devices still held: the button is there, no preview, no device list yet.
      await page.waitForSelector('[data-testid="join-button"]:not([disabled])', { timeout: 15_000 });
      expect(await page.$('.join__preview video, #audio-input, #video-input')).toBeNull();
      const before = await box();
      await releaseDevices(page);
      // Opened: the camera's preview plays and both device lists are shown.
      await page.waitForFunction(
        () =>
          (document.querySelector('.join__preview video') as HTMLVideoElement | null)?.videoWidth &&
          document.querySelector('#audio-input') &&
          document.querySelector('#video-input'),
        { timeout: 15_000 },
      );
      expect(await box()).toEqual(before);
    } finally {
      await page.browserContext().close();
    }
  });
});

describe('a meeting of three browsers through the SFU', () => {
  it('lets each participant see and hear both others', async () => {
    for (const name of ['Alice', 'Bruno', 'Chloé']) participants.push(await join(name));

    // Everyone's grid shows three tiles with the right names.
    for (const p of participants) {
      await p.page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 3, {
        timeout: 15_000,
      });
      const names = await p.page.$$eval('[data-testid="tile-name"]', (els) => els.map((e) => e.textContent ?? ''));
      for (const other of participants) expect(names.join('|')).toContain(other.name);
    }

    // Media flows from each to each: video decoded, audio received, and rising.
    for (const p of participants) {
      const others = participants.filter((o) => o !== p).map((o) => o.peerId);
      let first = new Map<string, MediaTotals>();
      const deadline = Date.now() + 20_000;
      for (;;) {
        first = mediaByPeer(await receiveStats(p.page));
        const ok = others.every((id) => (first.get(id)?.frames ?? 0) > 0 && (first.get(id)?.audioPackets ?? 0) > 0);
        if (ok) break;
        if (Date.now() > deadline) {
          throw new Error(`${p.name} did not receive media from both others: ${JSON.stringify([...first])}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      // Rising, not just started: more frames and packets come (a loaded 2-core
      // machine may decode only a frame or two a second, so allow up to 10 s).
      let second = first;
      const rising = (): boolean =>
        others.every(
          (id) =>
            second.get(id)!.frames > first.get(id)!.frames && second.get(id)!.audioPackets > first.get(id)!.audioPackets,
        );
      const until = Date.now() + 10_000;
      do {
        await new Promise((r) => setTimeout(r, 500));
        second = mediaByPeer(await receiveStats(p.page));
      } while (!rising() && Date.now() < until);
      for (const id of others) {
        expect(second.get(id)!.frames, `${p.name} decodes video of ${id}`).toBeGreaterThan(first.get(id)!.frames);
        expect(second.get(id)!.audioPackets, `${p.name} receives audio of ${id}`).toBeGreaterThan(
          first.get(id)!.audioPackets,
        );
      }
    }

    // SRTP with AES-GCM (issue 9: the cheapest safe suite for the SFU) on every connected transport;
    // Chromium 156 with mediasoup negotiates SRTP_AEAD_AES_256_GCM (mediasoup offers GCM first).
    for (const p of participants) {
      const ciphers = await p.page.evaluate(`(async () => {
        const out = [];
        for (const pc of window.__pcs || []) {
          let report;
          try {
            report = await pc.getStats();
          } catch {
            continue; // closed
          }
          report.forEach((e) => { if (e.type === 'transport' && e.dtlsState === 'connected') out.push(String(e.srtpCipher)); });
        }
        return out;
      })()`);
      expect((ciphers as string[]).length, `${p.name}'s connected transports (send and receive)`).toBeGreaterThanOrEqual(2);
      for (const cipher of ciphers as string[]) expect(cipher, `${p.name}'s SRTP suite`).toMatch(/^(SRTP_)?AEAD_AES_(128|256)_GCM$/);
    }

    // The server saw the packets: every producer received RTP, every consumer sent RTP.
    const room = t.app.rooms.get(PROJECT, ROOM)!;
    expect(room.joinedSessions.size).toBe(3);
    for (const session of room.joinedSessions.values()) {
      const peer = session.media!;
      const sources = [...peer.producers.values()].map((p) => p.appData.source).sort();
      expect(sources).toEqual(['camera', 'mic']);
      for (const producer of peer.producers.values()) {
        const stats = await producer.getStats();
        const packets = stats.reduce((n, s) => n + s.packetCount, 0);
        expect(packets, `SFU received ${producer.kind} from ${session.displayName}`).toBeGreaterThan(0);
      }
      expect(peer.consumers.size).toBe(4);
      for (const consumer of peer.consumers.values()) {
        const stats = await consumer.getStats();
        const sent = stats.filter((s) => s.type === 'outbound-rtp').reduce((n, s) => n + s.packetCount, 0);
        expect(sent, `SFU sent ${consumer.kind} to ${session.displayName}`).toBeGreaterThan(0);
      }
    }
  });

  it("removes a participant's tile from the others soon after leaving (bounded at 10 s)", async () => {
    const leaving = participants[2]!;
    await leaving.page.click('[data-testid="leave-button"]');
    await leaving.page.waitForSelector('[data-testid="left"]', { timeout: 5000 });
    for (const p of participants.slice(0, 2)) {
      await p.page.waitForFunction(
        (id) => !document.querySelector(`[data-testid="tile"][data-peer-id="${id}"]`),
        { timeout: 10_000 },
        leaving.peerId,
      );
      expect(await p.page.$$eval('[data-testid="tile"]', (els) => els.length)).toBe(2);
    }
  });
});


describe('the Content-Security-Policy', () => {
  it('was never violated by the pages above', () => {
    expect(cspViolations).toEqual([]);
  });
});
