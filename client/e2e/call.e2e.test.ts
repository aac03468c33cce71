/**
 * Calls in real Chromium pages through the real server and SFU: Alice, on
 * the project page, calls Bruno, who has the project page open on a phone-
 * sized screen. Bruno's page rings (the incoming-call screen, the WebAudio
 * ringtone running), he answers; both end up in the call's room, audio-only,
 * and each receives the other's sound. Then a call Bruno declines: Alice is
 * told on her "calling…" screen. Then a call Alice hangs up: Bruno's chat
 * says "Appel manqué de Alice", and its "Rappeler" rings her.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { assertUsableControls } from '../../test/layout.js';
import { openProjectPage } from '../../test/meetingPage.js';

const PROJECT = 'chantier-appels';

interface AudioStat {
  peerId: string;
  kind: 'audio' | 'video';
  packetsReceived: number;
}

/** Screenshots of the call views, for a person to look at (path logged). */
const shots = mkdtempSync(join(tmpdir(), 'chantier-call-shots-'));
let t: TestApp;
let chromium: TestBrowser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1', CALL_RING_MS: '30000' });
  chromium = await launchBrowser();
});

afterAll(async () => {
  console.log(`call screenshots: ${shots}`);
  for (const context of contexts) await context.close().catch(() => {});
  await chromium?.close();
  await t?.close();
});

async function openProject(browser: Browser, name: string, viewport: { width: number; height: number }): Promise<Page> {
  const { page } = await openProjectPage(browser, t, {
    name,
    projectId: PROJECT,
    viewport: { ...viewport, ...(viewport.width < 500 ? { isMobile: true, hasTouch: true } : {}) },
  });
  contexts.push(page.browserContext());
  await page.waitForSelector('[data-testid="project-page"][data-phase="online"]', { timeout: 15_000 });
  return page;
}

/** The call's room id, from the page's address once it went there. */
async function callRoomOf(page: Page): Promise<string> {
  await page.waitForFunction(() => /\/r\/appel-/.test(location.pathname), { timeout: 15_000 });
  const match = /\/r\/(appel-[A-Za-z0-9_-]+)/.exec(new URL(page.url()).pathname);
  expect(new URL(page.url()).search).toContain('audio=1');
  return match![1]!;
}

async function audioStats(page: Page): Promise<AudioStat[]> {
  return page.evaluate(async () => (await window.__chantier!.getReceiveStats()) as never);
}

/**
 * Energy of what the page plays: the remote tracks of its <audio> elements
 * through an AnalyserNode for `ms` (sum of squared samples).
 */
async function playedEnergy(page: Page, ms: number): Promise<number> {
  return page.evaluate(async (duration) => {
    const tracks = [...document.querySelectorAll('audio')]
      .map((el) => el.srcObject)
      .filter((s): s is MediaStream => s instanceof MediaStream)
      .flatMap((s) => s.getAudioTracks());
    if (tracks.length === 0) return 0;
    const context = new AudioContext();
    await context.resume();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    context.createMediaStreamSource(new MediaStream(tracks)).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let energy = 0;
    const end = performance.now() + duration;
    while (performance.now() < end) {
      await new Promise((r) => setTimeout(r, 40));
      analyser.getFloatTimeDomainData(samples);
      for (const v of samples) energy += v * v;
    }
    await context.close();
    return energy;
  }, ms);
}

describe('calling a project member', () => {
  it('rings the callee, who answers; both meet audio-only and hear each other', async () => {
    const alice = await openProject(chromium.browser, 'Alice', { width: 1280, height: 800 });
    // Bruno on a phone-sized screen.
    const bruno = await openProject(chromium.browser, 'Bruno', { width: 360, height: 740 });

    const callButton = '[data-testid="call-u-Bruno"]';
    await alice.waitForSelector(callButton, { timeout: 10_000 });
    // No button to call oneself.
    expect(await alice.$('[data-testid="call-u-Alice"]')).toBeNull();
    await alice.click(callButton);

    // Bruno's page rings: the screen, the caller's name, the ringtone's AudioContext running.
    const incoming = await bruno.waitForSelector('[data-testid="incoming-call"]', { timeout: 10_000 });
    expect(await bruno.$eval('[data-testid="call-caller"]', (el) => el.textContent)).toContain('Alice');
    await bruno.waitForSelector('[data-testid="incoming-call"][data-ringtone="playing"]', { timeout: 5_000 });
    expect(await incoming!.evaluate((el) => el.getAttribute('data-ringing'))).toBe('true');
    // The call view on a 360x740 phone: every control on screen, uncovered, thumb-sized.
    await assertUsableControls(bruno, '[data-testid="incoming-call"]', { minSize: 56 });
    await bruno.screenshot({ path: join(shots, 'incoming-call-360x740.png') });
    // Phone-first: big buttons in the lower part of the screen.
    for (const id of ['call-accept', 'call-decline']) {
      const box = (await bruno.$eval(`[data-testid="${id}"]`, (el) => {
        const r = el.getBoundingClientRect();
        return { width: r.width, height: r.height, bottom: r.bottom };
      }))!;
      expect(box.width, id).toBeGreaterThanOrEqual(56);
      expect(box.height, id).toBeGreaterThanOrEqual(56);
      expect(box.bottom, id).toBeGreaterThan(740 * 0.6);
      expect(box.bottom, id).toBeLessThanOrEqual(740);
    }

    // Alice went to the call's room at once and waits there, "calling…".
    const roomId = await callRoomOf(alice);
    await alice.waitForSelector('[data-testid="outgoing-call"][data-outcome="ringing"]', { timeout: 10_000 });

    await bruno.click('[data-testid="call-accept"]');
    expect(await callRoomOf(bruno)).toBe(roomId);

    // Both in the room without the lobby; Alice's "calling…" screen gives way.
    for (const page of [alice, bruno]) {
      await page.waitForSelector('[data-testid="room"]', { timeout: 15_000 });
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 2, { timeout: 15_000 });
    }
    await alice.waitForFunction(() => !document.querySelector('[data-testid="outgoing-call"]'), { timeout: 10_000 });
    expect(await bruno.$('[data-testid="incoming-call"]')).toBeNull();

    // Audio only on the server: microphones produced, no camera, and no video consumer.
    // (join.audioOnly itself is the audio-only helper's work; no camera is this page's.)
    const room = t.app.rooms.get(PROJECT, roomId)!;
    await expect.poll(() => room.joinedSessions.size, { timeout: 10_000 }).toBe(2);
    for (const session of room.joinedSessions.values()) {
      const peer = session.media!;
      expect([...peer.producers.values()].map((p) => p.appData.source)).toEqual(['mic']);
      expect([...peer.consumers.values()].filter((c) => c.kind === 'video')).toEqual([]);
    }

    // Each receives the other's audio: packets rising, and sound in what it plays.
    for (const [name, page] of [['Alice', alice], ['Bruno', bruno]] as const) {
      const packets = async () =>
        (await audioStats(page)).filter((s) => s.kind === 'audio').reduce((n, s) => n + s.packetsReceived, 0);
      await expect.poll(packets, { timeout: 15_000, message: `${name} receives audio` }).toBeGreaterThan(0);
      const first = await packets();
      await expect.poll(packets, { timeout: 10_000, message: `${name}'s audio keeps coming` }).toBeGreaterThan(first);
      expect((await audioStats(page)).filter((s) => s.kind === 'video'), `${name} consumes no video`).toEqual([]);
      const energy = await playedEnergy(page, 2_500);
      console.info(`${name}: ${await packets()} audio packets received, played energy ${energy.toFixed(1)} over 2.5 s`);
      // The fake microphone beeps: far above the decoder's silence (0).
      expect(energy, `${name} hears the other`).toBeGreaterThan(1);
    }
  });

  it('tells the caller when the callee declines', async () => {
    const alice = await openProject(chromium.browser, 'Alice', { width: 360, height: 740 });
    const bruno = await openProject(chromium.browser, 'Bruno', { width: 1280, height: 800 });
    // On a phone the people online are under their own tab.
    await alice.click('[data-testid="tab-online"]');
    await alice.waitForSelector('[data-testid="call-u-Bruno"]', { visible: true, timeout: 10_000 });
    await alice.click('[data-testid="call-u-Bruno"]');
    await callRoomOf(alice);
    await alice.waitForSelector('[data-testid="outgoing-call"][data-outcome="ringing"]', { timeout: 10_000 });
    const cancel = await alice.$eval('[data-testid="call-cancel"]', (el) => el.getBoundingClientRect().height);
    expect(cancel).toBeGreaterThanOrEqual(56);
    await assertUsableControls(alice, '[data-testid="outgoing-call"]', { minSize: 48 });
    await alice.screenshot({ path: join(shots, 'outgoing-call-360x740.png') });

    await bruno.waitForSelector('[data-testid="incoming-call"]', { timeout: 10_000 });
    await bruno.click('[data-testid="call-decline"]');
    await bruno.waitForFunction(() => !document.querySelector('[data-testid="incoming-call"]'), { timeout: 5_000 });
    // Bruno stays on the project page.
    expect(new URL(bruno.url()).pathname).toBe(`/p/${PROJECT}`);

    await alice.waitForSelector('[data-testid="outgoing-call"][data-outcome="declined"]', { timeout: 10_000 });
    expect(await alice.$eval('[data-testid="call-invitee"][data-user-id="u-Bruno"]', (el) => el.getAttribute('data-answer'))).toBe('declined');
    // Closing it leaves the call's room, back to the project page.
    await alice.click('[data-testid="call-close"]');
    await alice.waitForFunction((p) => location.pathname === `/p/${p}`, { timeout: 10_000 }, PROJECT);
    // A declined call is an answer: no missed-call message.
    const history = await t.app.chat.history(PROJECT, undefined, 50);
    expect(history.messages.filter((m) => m.kind === 'missed-call')).toEqual([]);
  });

  it('leaves "Appel manqué de X" in the chat when the caller hangs up, and "Rappeler" rings the caller back', async () => {
    const alice = await openProject(chromium.browser, 'Alice', { width: 1280, height: 800 });
    const bruno = await openProject(chromium.browser, 'Bruno', { width: 1280, height: 800 });
    await alice.waitForSelector('[data-testid="call-u-Bruno"]', { timeout: 10_000 });
    await alice.click('[data-testid="call-u-Bruno"]');
    await bruno.waitForSelector('[data-testid="incoming-call"]', { timeout: 10_000 });
    await callRoomOf(alice);
    await alice.waitForSelector('[data-testid="call-cancel"]', { timeout: 10_000 });
    await alice.click('[data-testid="call-cancel"]');

    // Bruno's page stops ringing; the chat says whose call he missed.
    await bruno.waitForFunction(() => !document.querySelector('[data-testid="incoming-call"]'), { timeout: 5_000 });
    const missed = '[data-testid="chat-message"][data-kind="missed-call"]';
    await bruno.waitForSelector(missed, { timeout: 10_000 });
    expect(await bruno.$eval(`${missed} [data-testid="chat-text"]`, (el) => el.textContent)).toBe('Appel manqué de Alice');

    // Alice is back on the project page; Bruno calls her back from the message.
    await alice.waitForFunction((p) => location.pathname === `/p/${p}`, { timeout: 10_000 }, PROJECT);
    await alice.waitForSelector('[data-testid="project-page"][data-phase="online"]', { timeout: 10_000 });
    await bruno.click(`${missed} [data-testid="chat-call-back"]`);
    await alice.waitForSelector('[data-testid="incoming-call"]', { timeout: 10_000 });
    expect(await alice.$eval('[data-testid="call-caller"]', (el) => el.textContent)).toContain('Bruno');
    await alice.click('[data-testid="call-decline"]');
    await bruno.waitForSelector('[data-testid="outgoing-call"][data-outcome="declined"]', { timeout: 15_000 });
  });
});
