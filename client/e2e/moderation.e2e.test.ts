/**
 * Moderation in real Chromium through the real server and SFU (issue 7):
 * Alice (owner, so a moderator) meets Bruno and Chloé (members).
 *
 *  1. From the menu on Bruno's tile she mutes him: his microphone is paused
 *     on the SFU, his audio packets stop reaching the others, and his page
 *     says "Alice a coupé votre micro" with the mic shown off.
 *  2. From the menu on Chloé's tile she removes her: Chloé's page says she
 *     was removed and by whom, with no way back in; her old session cannot be
 *     resumed, and reloading the page (same link, same token) does not get
 *     her back into the meeting.
 *  3. Bruno raises his hand (Alice sees it); Alice keeps muted participants
 *     muted (Bruno's mic button is disabled), then lets them unmute (he does,
 *     and is heard again); she locks the meeting (a newcomer is refused) and
 *     ends it for all, after confirming.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { describePage, waitForSettledLobby } from '../../test/join.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { TestClient } from '../../test/TestClient.js';
import { ErrorCode, PROTOCOL_VERSION, WsCloseCode } from '../../signaling/src/protocol/index.js';

interface ReceiveStat {
  peerId: string;
  kind: 'audio' | 'video';
  packetsReceived: number;
}

interface Participant {
  name: string;
  userId: string;
  page: Page;
  peerId: string;
}

const PROJECT = 'chantier-moderation-e2e';
const ROOM = 'reunion';

let t: TestApp;
let chromium: TestBrowser;
let alice: Participant;
let bruno: Participant;
let chloe: Participant;

async function join(name: string, role: 'owner' | 'member'): Promise<Participant> {
  const { page, userId, peerId } = await openMeetingPage(chromium.browser, t, { name, role, projectId: PROJECT, roomId: ROOM });
  return { name, userId, page, peerId };
}

/** Video frames `page` has decoded from `peerId` so far. */
async function framesFrom(page: Page, peerId: string): Promise<number> {
  const stats = await page.evaluate(async () => {
    const controller = (window as unknown as { __chantier: { getReceiveStats(): Promise<unknown[]> } }).__chantier;
    return (await controller.getReceiveStats()) as Array<ReceiveStat & { framesDecoded: number }>;
  });
  return stats.filter((s) => s.peerId === peerId && s.kind === 'video').reduce((n, s) => n + s.framesDecoded, 0);
}

/** Audio packets `page` has received from `peerId` so far. */
async function audioFrom(page: Page, peerId: string): Promise<number> {
  const stats = await page.evaluate(async () => {
    const controller = (window as unknown as { __chantier: { getReceiveStats(): Promise<unknown[]> } }).__chantier;
    return (await controller.getReceiveStats()) as ReceiveStat[];
  });
  return stats.filter((s) => s.peerId === peerId && s.kind === 'audio').reduce((n, s) => n + s.packetsReceived, 0);
}

async function audioRises(page: Page, peerId: string, what: string): Promise<void> {
  const from = await audioFrom(page, peerId);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    if ((await audioFrom(page, peerId)) > from) return;
  }
  throw new Error(`${what}: no audio packets from ${peerId}`);
}

/**
 * Waits until audio from `peerId` has stopped: no new packet over two
 * consecutive windows of a second (the fake microphone beeps without pause,
 * so a flowing stream gains some 50 packets a second).
 */
async function audioStops(page: Page, peerId: string, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = await audioFrom(page, peerId);
  let quietWindows = 0;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    const now = await audioFrom(page, peerId);
    quietWindows = now === last ? quietWindows + 1 : 0;
    last = now;
    if (quietWindows >= 2) return;
  }
  throw new Error(`${what}: audio from ${peerId} kept flowing`);
}

/** Opens the moderator's menu on `target`'s tile in `page` and picks `action`. */
async function moderateFromTile(page: Page, target: Participant, action: 'mute' | 'stopCamera' | 'remove'): Promise<void> {
  const tile = `[data-testid="tile"][data-peer-id="${target.peerId}"]`;
  await page.click(`${tile} [data-testid="tile-menu-toggle"]`);
  await page.waitForSelector(`[data-testid="moderate-${action}"]`, { visible: true, timeout: 5_000 });
  await page.click(`[data-testid="moderate-${action}"]`);
}

function serverRoom() {
  const room = t.app.rooms.get(PROJECT, ROOM);
  if (!room) throw new Error('the room is not on the server');
  return room;
}

async function tileCount(page: Page, n: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="tile"]').length === n, { timeout: 15_000 }, n);
}

/** Presses a control of the bar, through the "more" sheet when it sits there. */
async function pressControl(page: Page, testId: string): Promise<void> {
  const selector = `[data-testid="controls"] > [data-testid="${testId}"]`;
  if (!(await page.$(selector))) {
    await page.click('[data-testid="more-toggle"]');
    await page.waitForSelector(`[data-testid="more-sheet"] [data-testid="${testId}"]`, { visible: true, timeout: 5_000 });
    await page.click(`[data-testid="more-sheet"] [data-testid="${testId}"]`);
    return;
  }
  await page.click(selector);
}

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('a moderator in the browser', () => {
  it('meets two participants; only she gets the moderation menus', async () => {
    alice = await join('Alice', 'owner');
    bruno = await join('Bruno', 'member');
    chloe = await join('Chloé', 'member');
    for (const p of [alice, bruno, chloe]) await tileCount(p.page, 3);
    await audioRises(alice.page, bruno.peerId, 'Alice hears Bruno');
    await audioRises(chloe.page, bruno.peerId, 'Chloé hears Bruno');
    // Two menus on Alice's page (not on her own tile), none for the members.
    expect(await alice.page.$$eval('[data-testid="tile-menu-toggle"]', (els) => els.length)).toBe(2);
    expect(await alice.page.$('[data-testid="tile"][data-self="true"] [data-testid="tile-menu-toggle"]')).toBeNull();
    for (const p of [bruno, chloe]) expect(await p.page.$('[data-testid="tile-menu-toggle"]')).toBeNull();
  });

  it('mutes Bruno: paused on the SFU, his audio stops reaching the others, his page says who did it', async () => {
    await moderateFromTile(alice.page, bruno, 'mute');

    await bruno.page.waitForSelector('[data-testid="moderation-notice"][data-action="mute"]', { timeout: 10_000 });
    const notice = await bruno.page.$eval('[data-testid="moderation-notice"]', (el) => el.textContent ?? '');
    expect(notice).toContain('Alice a coupé votre micro');
    await bruno.page.waitForSelector('[data-testid="mic-toggle"][aria-pressed="false"]', { timeout: 10_000 });

    // On the SFU: Bruno's microphone producer is paused, whatever his page does.
    const mics = [...serverRoom().joinedSessions.get(bruno.peerId)!.media!.producers.values()].filter(
      (p) => p.appData.source === 'mic',
    );
    expect(mics).toHaveLength(1);
    expect(mics[0]!.paused).toBe(true);

    await audioStops(alice.page, bruno.peerId, 'Alice after the mute');
    await audioStops(chloe.page, bruno.peerId, 'Chloé after the mute');
    // The others show him muted too.
    for (const p of [alice, chloe]) {
      await p.page.waitForSelector(`[data-testid="tile"][data-peer-id="${bruno.peerId}"][data-mic-muted="true"]`, {
        timeout: 10_000,
      });
    }
  });

  it("stops Bruno's camera: closed on the SFU, his page says so; he may turn it back on", async () => {
    await moderateFromTile(alice.page, bruno, 'stopCamera');
    await bruno.page.waitForSelector('[data-testid="moderation-notice"][data-action="stopCamera"]', { timeout: 10_000 });
    expect(await bruno.page.$eval('[data-testid="moderation-notice"]', (el) => el.textContent ?? '')).toContain(
      'Alice a arrêté votre caméra',
    );
    await bruno.page.waitForSelector('[data-testid="camera-toggle"][aria-pressed="false"]', { timeout: 10_000 });
    const sources = () =>
      [...serverRoom().joinedSessions.get(bruno.peerId)!.media!.producers.values()].map((p) => p.appData.source);
    expect(sources()).not.toContain('camera');
    await alice.page.waitForSelector(`[data-testid="tile"][data-peer-id="${bruno.peerId}"][data-camera-off="true"]`, {
      timeout: 10_000,
    });

    // Not a ban: his camera comes back when he turns it on, and Alice sees it.
    await bruno.page.waitForSelector('[data-testid="camera-toggle"]:not([disabled])', { timeout: 10_000 });
    await bruno.page.click('[data-testid="camera-toggle"]');
    await bruno.page.waitForSelector('[data-testid="camera-toggle"][aria-pressed="true"]', { timeout: 15_000 });
    await waitUntil(() => sources().includes('camera'), 'a new camera producer');
    const before = await framesFrom(alice.page, bruno.peerId);
    const deadline = Date.now() + 15_000;
    while ((await framesFrom(alice.page, bruno.peerId)) <= before) {
      if (Date.now() > deadline) throw new Error("Alice decodes no frame of Bruno's camera after it came back");
      await new Promise((r) => setTimeout(r, 250));
    }
    await bruno.page.click('[data-testid="moderation-notice-dismiss"]');
    await bruno.page.waitForFunction(() => !document.querySelector('[data-testid="moderation-notice"]'));
  });

  it('removes Chloé: her page says why, her old session is void, a reload does not get her back in', async () => {
    // Her session's resume secret, as her page holds it.
    const session = serverRoom().joinedSessions.get(chloe.peerId)!;
    const secret = session.resumeSecret!;

    await moderateFromTile(alice.page, chloe, 'remove');

    const removed = await chloe.page.waitForSelector('[data-testid="removed"]', { timeout: 10_000 });
    const text = await removed!.evaluate((el) => el.textContent ?? '');
    expect(text).toContain('Vous avez été retiré de la réunion par Alice');
    expect(await chloe.page.$('[data-testid="rejoin-button"]')).toBeNull();
    for (const p of [alice, bruno]) await tileCount(p.page, 2);
    expect(serverRoom().joinedSessions.has(chloe.peerId)).toBe(false);

    // Her old session cannot be taken back (what her page would do on a lost socket).
    const resumer = await TestClient.connect(t.url);
    try {
      const token = await t.token({ displayName: 'Chloé', projectId: PROJECT, userId: chloe.userId, role: 'member' });
      const answer = resumer.request('hello', {
        protocol: PROTOCOL_VERSION,
        token,
        projectId: PROJECT,
        roomId: ROOM,
        resume: { peerId: chloe.peerId, secret, lastSeq: 0 },
      });
      expect((await resumer.expectError(answer)).code).toBe(ErrorCode.RESUME_FAILED);
      expect(await resumer.closed).toBe(WsCloseCode.HELLO_REFUSED);
    } finally {
      resumer.close();
    }
    // Her page did not try on its own: it stays on the removed screen, and she has no session.
    expect(await chloe.page.$('[data-testid="removed"]')).not.toBeNull();
    expect([...t.app.sessions].some((s) => s.identity?.userId === chloe.userId)).toBe(false);

    // Reloading the page (same link, same token): the lobby opens, joining is refused with the reason.
    await chloe.page.reload();
    await waitForSettledLobby(chloe.page);
    await chloe.page.click('[data-testid="join-button"]');
    const refused = await chloe.page.waitForSelector('[data-testid="error"][data-code="REMOVED"]', { timeout: 15_000 });
    expect(await refused!.evaluate((el) => el.textContent ?? '')).toContain('Vous avez été retiré de cette réunion');
    expect(await chloe.page.$('[data-testid="rejoin-button"]')).toBeNull();
    expect(serverRoom().joinedSessions.size).toBe(2);
    for (const p of [alice, bruno]) await tileCount(p.page, 2);
  });

  it('sees Bruno raise his hand, keeps him muted then lets him unmute, locks the meeting, ends it for all', async () => {
    await pressControl(bruno.page, 'hand-toggle');
    await alice.page.waitForSelector(
      `[data-testid="tile"][data-peer-id="${bruno.peerId}"][data-hand-raised="true"] [data-testid="hand-raised"]`,
      { timeout: 10_000 },
    );

    // Muted participants stay muted: Bruno (muted above) cannot turn his microphone back on.
    await pressControl(alice.page, 'self-unmute-toggle');
    await bruno.page.waitForSelector('[data-testid="mic-toggle"][disabled]', { timeout: 10_000 });
    // Allowed again: he unmutes, and is heard.
    await pressControl(alice.page, 'self-unmute-toggle');
    await bruno.page.waitForSelector('[data-testid="mic-toggle"]:not([disabled])', { timeout: 10_000 });
    await bruno.page.click('[data-testid="mic-toggle"]');
    await bruno.page.waitForSelector('[data-testid="mic-toggle"][aria-pressed="true"]', { timeout: 10_000 });
    await audioRises(alice.page, bruno.peerId, 'Alice hears Bruno after he unmuted');

    // Locked: a newcomer gets to the lobby, but not in.
    await pressControl(alice.page, 'lock-toggle');
    await waitUntil(() => serverRoom().policy.locked, 'the room to be locked');
    const { page: denis } = await openMeetingPage(chromium.browser, t, {
      name: 'Denis',
      role: 'member',
      projectId: PROJECT,
      roomId: ROOM,
      enter: 'lobby',
      pageErrors: 'collect',
    });
    await waitForSettledLobby(denis);
    await denis.click('[data-testid="join-button"]');
    await denis.waitForSelector('[data-testid="error"][data-code="ROOM_LOCKED"]', { timeout: 15_000 });
    await denis.close();

    // End for all: asked first, then everyone's page says so.
    await pressControl(alice.page, 'end-for-all');
    await alice.page.waitForSelector('[data-testid="end-confirm"]', { visible: true, timeout: 5_000 });
    await alice.page.click('[data-testid="end-confirm-yes"]');
    for (const p of [alice, bruno]) {
      const ended = await p.page.waitForSelector('[data-testid="ended"]', { timeout: 15_000 }).catch(async (e: unknown) => {
        throw new Error(`${p.name}: ${await describePage(p.page)}`, { cause: e });
      });
      expect(await ended!.evaluate((el) => el.textContent ?? '')).toContain('Un organisateur a terminé la réunion pour tous.');
    }
    await waitUntil(() => t.app.rooms.get(PROJECT, ROOM) === undefined, 'the room to close on the server');
  });
});

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
