/**
 * Resume, not rejoin, in real Chromium through the real server and SFU.
 * Three participants meet; Alice's signaling socket is then lost twice:
 *
 *  1. the server cuts it abruptly (terminate(), no close frame) and, for a
 *     moment, refuses her new sockets: her page shows "Reconnecting…", a
 *     chat message she sends meanwhile waits as pending;
 *  2. her socket goes silent (the server stops reading it, nothing closes):
 *     her heartbeat finds it dead, a message she sent just before is sent
 *     again after the resume.
 *
 * Each time: she comes back as the same peer, the others never see her
 * tile go or double (watched in their pages for the whole test), her media
 * keeps reaching them, and her message reaches them exactly once.
 */
import type { Page } from 'puppeteer-core';
import type { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { mediaFrom, mediaRises } from '../../test/receiveStats.js';

interface Participant {
  name: string;
  page: Page;
  peerId: string;
}

/** What a page saw of one peer's tile, sampled on every DOM change. */
interface TileWatch {
  samples: number;
  missing: number;
  doubled: number;
}

const PROJECT = 'chantier-resume-e2e';
const ROOM = 'reunion';

let t: TestApp;
let chromium: TestBrowser;
let alice: Participant;
let others: Participant[];

async function join(name: string): Promise<Participant> {
  const { page, peerId } = await openMeetingPage(chromium.browser, t, { name, projectId: PROJECT, roomId: ROOM });
  await page.click('[data-testid="chat-toggle"]');
  await page.waitForSelector('[data-testid="chat"]');
  return { name, page, peerId };
}

/** Counts, on every DOM change from now on, how many tiles `peerId` has (exactly one is right). */
async function watchTile(page: Page, peerId: string): Promise<void> {
  await page.evaluate((id) => {
    const watch = { samples: 0, missing: 0, doubled: 0 };
    (window as unknown as { __tileWatch: typeof watch }).__tileWatch = watch;
    const sample = (): void => {
      const n = document.querySelectorAll(`[data-testid="tile"][data-peer-id="${id}"]`).length;
      watch.samples++;
      if (n === 0) watch.missing++;
      if (n > 1) watch.doubled++;
    };
    new MutationObserver(sample).observe(document.body, { childList: true, subtree: true, attributes: true });
    sample();
  }, peerId);
}

async function tileWatch(page: Page): Promise<TileWatch> {
  return page.evaluate(() => (window as unknown as { __tileWatch: TileWatch }).__tileWatch);
}

/** Records, from now on, whether the reconnecting banner ever showed. */
async function watchBanner(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen = { shown: false };
    (window as unknown as { __bannerSeen: typeof seen }).__bannerSeen = seen;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="reconnecting-banner"]')) seen.shown = true;
    }).observe(document.body, { childList: true, subtree: true });
  });
}

async function send(page: Page, text: string): Promise<void> {
  await page.click('[data-testid="chat-input"]');
  await page.keyboard.type(text);
  await page.click('[data-testid="chat-send"]');
}

/** The statuses of the messages with this text, as the page shows them. */
async function shown(page: Page, text: string): Promise<string[]> {
  return page.$$eval(
    '[data-testid="chat-message"]',
    (els, wanted) =>
      els
        .filter((el) => el.querySelector('[data-testid="chat-text"]')?.textContent === wanted)
        .map((el) => el.getAttribute('data-status') ?? ''),
    text,
  );
}

/** `text` shows as sent, and only once, on every page. */
async function arrivesOnce(pages: Participant[], text: string): Promise<void> {
  for (const p of pages) {
    await p.page.waitForFunction(
      (wanted) =>
        [...document.querySelectorAll('[data-testid="chat-message"][data-status="sent"]')].some(
          (el) => el.querySelector('[data-testid="chat-text"]')?.textContent === wanted,
        ),
      { timeout: 20_000 },
      text,
    );
    // A late duplicate would come right after: give it a moment to show.
    await new Promise((r) => setTimeout(r, 300));
    expect(await shown(p.page, text), `${p.name} shows "${text}" once`).toEqual(['sent']);
  }
}

function aliceSocket(): WebSocket {
  const session = [...t.app.sessions].find((s) => s.peerId === alice.peerId);
  const socket = session?.socketForTests;
  if (!socket) throw new Error("Alice's session has no socket on the server");
  return socket;
}

async function selfPeerId(page: Page): Promise<string | null> {
  return page.$eval('[data-testid="tile"][data-self="true"]', (el) => el.getAttribute('data-peer-id'));
}

async function othersStillWatching(): Promise<void> {
  for (const p of others) {
    const watch = await tileWatch(p.page);
    expect(watch.samples, `${p.name} watched the tiles`).toBeGreaterThan(0);
    expect(watch, `${p.name} always saw Alice's tile exactly once`).toMatchObject({ missing: 0, doubled: 0 });
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

describe('a participant whose signaling socket is lost', () => {
  it('meets the others, media flowing', async () => {
    alice = await join('Alice');
    others = [await join('Bruno'), await join('Chloé')];
    for (const p of [alice, ...others]) {
      await p.page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 3, { timeout: 15_000 });
    }
    for (const p of others) {
      await mediaRises(p.page, alice.peerId, { frames: 0, audioPackets: 0 }, `${p.name} receives Alice`);
      await watchTile(p.page, alice.peerId);
    }
    await watchBanner(alice.page);
  });

  it('cut abruptly: shows "Reconnecting…", queues her message, resumes as the same peer', async () => {
    const before = await Promise.all(others.map((p) => mediaFrom(p.page, alice.peerId)));
    // Her new sockets are refused for a while, as when the network is still down.
    const refuse = (ws: WebSocket): void => ws.terminate();
    t.app.websocketServer.on('connection', refuse);
    try {
      aliceSocket().terminate();
      await alice.page.waitForSelector('[data-testid="reconnecting-banner"]', { timeout: 5_000 });
      expect(await alice.page.$eval('[data-testid="reconnecting-banner"]', (el) => el.textContent)).toContain('Reconnexion');
      await send(alice.page, 'Message pendant la coupure');
      await alice.page.waitForFunction(
        () => document.querySelector('[data-testid="chat-message"][data-status="pending"]') !== null,
        { timeout: 10_000 },
      );
      expect(await shown(alice.page, 'Message pendant la coupure')).toEqual(['pending']);
      // Still in the room on her screen, and for the server.
      expect(await alice.page.$$eval('[data-testid="tile"]', (els) => els.length)).toBe(3);
      expect(t.app.rooms.get(PROJECT, ROOM)!.joinedSessions.has(alice.peerId)).toBe(true);
      await new Promise((r) => setTimeout(r, 2_500));
    } finally {
      t.app.websocketServer.off('connection', refuse);
    }
    await alice.page.waitForSelector('[data-testid="reconnecting-banner"]', { hidden: true, timeout: 15_000 });
    expect(await selfPeerId(alice.page)).toBe(alice.peerId);

    await arrivesOnce([alice, ...others], 'Message pendant la coupure');
    for (const [i, p] of others.entries()) await mediaRises(p.page, alice.peerId, before[i]!, `${p.name} receives Alice after the resume`);
    await othersStillWatching();
    expect(t.app.rooms.get(PROJECT, ROOM)!.joinedSessions.size).toBe(3);
  });

  it('gone silent (no close at all): the heartbeat notices, the message in flight arrives once', async () => {
    const before = await Promise.all(others.map((p) => mediaFrom(p.page, alice.peerId)));
    const old = aliceSocket();
    // What the server closes it with (its close event reports the client's code, not ours).
    const closedWith: number[] = [];
    const close = old.close.bind(old);
    old.close = (code?: number, reason?: string | Buffer) => {
      if (code !== undefined) closedWith.push(code);
      close(code, reason);
    };
    // The server stops reading her socket: her pings and her message go unanswered.
    (old as unknown as { _socket: { pause(): void } })._socket.pause();
    await alice.page.evaluate(() => {
      (window as unknown as { __bannerSeen: { shown: boolean } }).__bannerSeen.shown = false;
    });
    await send(alice.page, 'Envoyé dans le vide');
    // Ping every 5 s, 3 s without answer: dead within about 8 s.
    await alice.page.waitForFunction(
      () => (window as unknown as { __bannerSeen: { shown: boolean } }).__bannerSeen.shown,
      { timeout: 15_000 },
    );
    await alice.page.waitForSelector('[data-testid="reconnecting-banner"]', { hidden: true, timeout: 15_000 });
    expect(await selfPeerId(alice.page)).toBe(alice.peerId);
    // The server had not noticed: the resume closed the old socket with 4006.
    expect(closedWith).toEqual([4006]);
    (old as unknown as { _socket: { resume(): void } })._socket.resume();

    await arrivesOnce([alice, ...others], 'Envoyé dans le vide');
    for (const [i, p] of others.entries()) await mediaRises(p.page, alice.peerId, before[i]!, `${p.name} receives Alice after the resume`);
    await othersStillWatching();
  });
});
