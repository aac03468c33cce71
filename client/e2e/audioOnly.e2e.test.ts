/**
 * Four real Chromium participants: three send camera and microphone (fake
 * devices), the fourth joins audio-only. The server must hold no video
 * consumer for it at all; its page must receive under 100 kb/s in total
 * while it hears all three speakers. Switched to video and back, its video
 * consumers appear and go; a tile it hides gets its consumer paused.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { KEEP_PEER_CONNECTIONS } from '../../test/netlab/pageMedia.js';

interface ReceiveStat {
  peerId: string;
  kind: 'audio' | 'video';
  packetsReceived: number;
  totalAudioEnergy: number;
  framesDecoded: number;
}

interface Participant {
  name: string;
  page: Page;
  peerId: string;
}

const PROJECT = 'chantier-nantes-2';
const ROOM = 'audio-seul';

let t: TestApp;
let chromium: TestBrowser;
const speakers: Participant[] = [];
let listener: Participant;

/** Bytes received on all of the page's ICE transports (RTP and RTCP with their headers). */
async function transportBytes(page: Page): Promise<number> {
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

async function receiveStats(page: Page): Promise<ReceiveStat[]> {
  return page.evaluate(async () => {
    const controller = (window as unknown as { __chantier: { getReceiveStats(): Promise<unknown[]> } }).__chantier;
    return (await controller.getReceiveStats()) as never;
  });
}

function audioByPeer(stats: ReceiveStat[]): Map<string, { packets: number; energy: number }> {
  const out = new Map<string, { packets: number; energy: number }>();
  for (const s of stats) {
    if (s.kind !== 'audio') continue;
    const e = out.get(s.peerId) ?? { packets: 0, energy: 0 };
    e.packets += s.packetsReceived;
    e.energy += s.totalAudioEnergy;
    out.set(s.peerId, e);
  }
  return out;
}

async function join(name: string, audioOnly = false): Promise<Participant> {
  const { page, peerId } = await openMeetingPage(chromium.browser, t, {
    name,
    projectId: PROJECT,
    roomId: ROOM,
    // Every RTCPeerConnection kept in window.__pcs, to read transport-level byte counts.
    beforeApp: [KEEP_PEER_CONNECTIONS],
    join: {
      beforePress: audioOnly
        ? async (page) => {
            await page.click('[data-testid="audio-only-lobby"]');
            // The camera preview goes, and the camera cannot be turned back on.
            await page.waitForSelector('[data-testid="camera-toggle-lobby"][aria-pressed="false"][disabled]');
          }
        : undefined,
    },
  });
  return { name, page, peerId };
}

function mediaPeer(peerId: string) {
  const peer = t.app.rooms.get(PROJECT, ROOM)?.media.peers.get(peerId);
  if (!peer) throw new Error(`no media peer ${peerId}`);
  return peer;
}

function consumersOf(peerId: string, kind: 'audio' | 'video') {
  return [...mediaPeer(peerId).consumers.values()].filter((c) => c.kind === kind);
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('an audio-only participant among three with video', () => {
  it('gets no video consumer, receives under 100 kb/s, and hears all three speakers', async () => {
    for (const name of ['Alice', 'Bruno', 'Chloé']) speakers.push(await join(name));
    listener = await join('Dana', true);
    const ids = speakers.map((s) => s.peerId);

    // The server consumes the three microphones for Dana, and no video at all.
    await until(() => consumersOf(listener.peerId, 'audio').length === 3, 'three audio consumers for Dana');
    expect(mediaPeer(listener.peerId).audioOnly).toBe(true);
    // Others know: Dana's tile carries the badge on their pages.
    await speakers[0]!.page.waitForSelector(`[data-testid="tile"][data-peer-id="${listener.peerId}"][data-audio-only="true"]`);

    // Audio flowing from each speaker before the window starts.
    await until(async () => {
      const audio = audioByPeer(await receiveStats(listener.page));
      return ids.every((id) => (audio.get(id)?.packets ?? 0) > 0);
    }, 'audio from all three speakers');

    // A 5-second window: bytes on the wire and audio heard per speaker.
    const bytes0 = await transportBytes(listener.page);
    const audio0 = audioByPeer(await receiveStats(listener.page));
    const start = Date.now();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      // Never a video consumer, at any moment of the window.
      expect(consumersOf(listener.peerId, 'video')).toEqual([]);
    }
    const bytes1 = await transportBytes(listener.page);
    const audio1 = audioByPeer(await receiveStats(listener.page));
    const seconds = (Date.now() - start) / 1_000;
    const kbps = ((bytes1 - bytes0) * 8) / seconds / 1_000;
    const perSpeaker = (await receiveStats(listener.page))
      .filter((s) => s.kind === 'audio')
      .map((s) => `${s.peerId.slice(0, 4)}: ${(s.packetsReceived - (audio0.get(s.peerId)?.packets ?? 0)) / seconds} pkt/s`);
    console.info(
      `audio-only participant received ${kbps.toFixed(1)} kb/s over ${seconds.toFixed(1)} s (${perSpeaker.join(', ')})`,
    );
    expect(bytes1).toBeGreaterThan(bytes0);
    expect(kbps).toBeLessThan(100);
    for (const id of ids) {
      expect(audio1.get(id)!.packets, `packets from ${id}`).toBeGreaterThan(audio0.get(id)!.packets);
      expect(audio1.get(id)!.energy, `audio energy from ${id}`).toBeGreaterThan(audio0.get(id)!.energy);
    }
    // Nothing video-like in the page either: no remote <video>, every tile shows initials.
    expect(await listener.page.$$eval('[data-testid="tile"] video', (els) => els.length)).toBe(0);
    // Quality bars: for self, and for each of the others.
    for (const id of [listener.peerId, ...ids]) {
      await listener.page.waitForSelector(`[data-testid="quality-${id}"][data-quality]`, { timeout: 10_000 });
    }
  });

  it('consumes video when switched off, and closes it when switched on again', async () => {
    const ids = speakers.map((s) => s.peerId);
    await listener.page.click('[data-testid="audio-only-toggle"]');
    await until(() => consumersOf(listener.peerId, 'video').length === 3, 'three video consumers after video on');
    expect(mediaPeer(listener.peerId).audioOnly).toBe(false);
    // Frames arrive from each.
    await until(async () => {
      const stats = await receiveStats(listener.page);
      return ids.every((id) => stats.some((s) => s.peerId === id && s.kind === 'video' && s.framesDecoded > 0));
    }, 'decoded video from all three', 20_000).catch((error: unknown) => {
      const peer = mediaPeer(listener.peerId);
      const state = consumersOf(listener.peerId, 'video').map((c) => ({
        from: c.appData.producerPeerId,
        paused: c.paused,
        reasons: [...peer.pauseReasons(c.id)],
        layers: c.currentLayers,
        preferred: c.preferredLayers,
      }));
      throw new Error(`${String(error)}; estimate ${peer.availableBitrate}; ${JSON.stringify(state)}`);
    });

    // A tile the viewer cannot see: its consumer pauses on the server, and resumes when shown.
    const hidden = ids[0]!;
    const camera = () => consumersOf(listener.peerId, 'video').find((c) => c.appData.producerPeerId === hidden)!;
    expect(camera().paused).toBe(false);
    await listener.page.evaluate((id) => {
      const tile = document.querySelector<HTMLElement>(`[data-testid="tile"][data-peer-id="${id}"]`)!;
      tile.style.display = 'none';
    }, hidden);
    await until(() => camera().paused, 'the hidden tile’s consumer paused', 5_000);
    expect([...mediaPeer(listener.peerId).pauseReasons(camera().id)]).toEqual(['viewport']);
    const others = consumersOf(listener.peerId, 'video').filter((c) => c.appData.producerPeerId !== hidden);
    expect(others.map((c) => c.paused)).toEqual([false, false]);
    await listener.page.evaluate((id) => {
      document.querySelector<HTMLElement>(`[data-testid="tile"][data-peer-id="${id}"]`)!.style.display = '';
    }, hidden);
    await until(() => !camera().paused, 'the shown tile’s consumer resumed', 5_000);

    // Audio-only again: the video consumers go, on the server and in the page.
    await listener.page.click('[data-testid="audio-only-toggle"]');
    await until(() => consumersOf(listener.peerId, 'video').length === 0, 'no video consumer after audio-only on');
    await listener.page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"] video').length === 0, {
      timeout: 5_000,
    });
    expect(consumersOf(listener.peerId, 'audio')).toHaveLength(3);
  });
});
