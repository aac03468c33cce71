/**
 * The guests' lobby in real Chromium through the real server and SFU
 * (issue 7), with the server's default: guests wait until a moderator lets
 * them in.
 *
 *  1. Gus (a guest) presses "Rejoindre" before any organiser is there: his
 *     page shows the waiting screen and says nobody can let him in yet.
 *  2. Olga (owner) joins: Gus's page says an organiser is here; Olga's page
 *     shows "Gus attend dans la salle d'attente". She lets him in: his page
 *     joins by itself, and each decodes the other's video and receives the
 *     other's audio.
 *  3. Gil (another guest) knocks; Olga refuses: his page says the organiser
 *     refused, and he is not in the meeting.
 *  4. Hugo (a guest) knocks; his socket is cut: his page resumes and knocks
 *     again. Olga turns the lobby off from the control bar: Hugo comes in.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { describePage, joinFromLobby, knockFromLobby, waitForRoom } from '../../test/join.js';
import { openMeetingPage, selfPeerId } from '../../test/meetingPage.js';

interface ReceiveStat {
  peerId: string;
  kind: 'audio' | 'video';
  packetsReceived: number;
  framesDecoded?: number;
}

interface Person {
  name: string;
  page: Page;
}

const PROJECT = 'chantier-lobby-e2e';
const ROOM = 'reunion';

let t: TestApp;
let chromium: TestBrowser;
let olga: Person;
let gus: Person;

/** The meeting's join screen, as `name`; the test presses join (or knocks) itself. */
async function open(name: string, role: 'owner' | 'guest'): Promise<Person> {
  const { page } = await openMeetingPage(chromium.browser, t, { name, role, projectId: PROJECT, roomId: ROOM, enter: 'lobby' });
  return { name, page };
}

function serverRoom() {
  const room = t.app.rooms.get(PROJECT, ROOM);
  if (!room) throw new Error('the room is not on the server');
  return room;
}

async function receiveStats(page: Page): Promise<ReceiveStat[]> {
  return page.evaluate(async () => {
    const controller = (window as unknown as { __chantier: { getReceiveStats(): Promise<unknown[]> } }).__chantier;
    return (await controller.getReceiveStats()) as ReceiveStat[];
  });
}

/** Waits until `page` decodes video frames and receives audio packets from `peerId`, and both keep coming. */
async function mediaFlows(page: Page, peerId: string, what: string): Promise<void> {
  const totals = async () => {
    const stats = (await receiveStats(page)).filter((s) => s.peerId === peerId);
    return {
      frames: stats.filter((s) => s.kind === 'video').reduce((n, s) => n + (s.framesDecoded ?? 0), 0),
      audio: stats.filter((s) => s.kind === 'audio').reduce((n, s) => n + s.packetsReceived, 0),
    };
  };
  const deadline = Date.now() + 30_000;
  let first = await totals();
  while (first.frames === 0 || first.audio === 0) {
    if (Date.now() > deadline) throw new Error(`${what}: no media yet (${JSON.stringify(first)})`);
    await new Promise((r) => setTimeout(r, 250));
    first = await totals();
  }
  for (;;) {
    const now = await totals();
    if (now.frames > first.frames && now.audio > first.audio) return;
    if (Date.now() > deadline) throw new Error(`${what}: media stopped (${JSON.stringify(first)} -> ${JSON.stringify(now)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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

/** The waiting guest's peer id, as the server knows it (the moderator's page lists it). */
async function waitingPeerId(name: string): Promise<string> {
  let peerId: string | undefined;
  await waitUntil(() => {
    peerId = serverRoom().lobby.find((w) => w.displayName === name)?.peerId;
    return peerId !== undefined;
  }, `${name} in the lobby`);
  return peerId!;
}

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('guests wait in the lobby until a moderator lets them in', () => {
  it('a guest who presses join before any organiser is there waits, and is told nobody can let him in yet', async () => {
    gus = await open('Gus', 'guest');
    await knockFromLobby(gus.page);
    const text = await gus.page.$eval('[data-testid="waiting-screen"]', (el) => el.textContent ?? '');
    expect(text).toContain('En attente d’admission…');
    expect(text).toContain('Aucun organisateur n’est encore là ; vous entrerez dès qu’un organisateur vous admettra');
    expect(await gus.page.$eval('[data-testid="waiting-screen"]', (el) => el.getAttribute('data-moderators'))).toBe('0');
    expect(await gus.page.$('[data-testid="waiting-leave"]')).not.toBeNull();
    // On the server: waiting, not in the meeting.
    await waitingPeerId('Gus');
    expect(serverRoom().joinedSessions.size).toBe(0);
  });

  it('the owner joins and sees him; she lets him in; his page joins by itself and media flows both ways', async () => {
    olga = await open('Olga', 'owner');
    await joinFromLobby(olga.page);
    const olgaPeerId = await selfPeerId(olga.page);

    // Gus's page learns that an organiser is here.
    await gus.page.waitForSelector('[data-testid="waiting-screen"][data-moderators="1"]', { timeout: 15_000 });
    expect(await gus.page.$eval('[data-testid="waiting-moderators"]', (el) => el.textContent ?? '')).toContain(
      'Un organisateur est dans la réunion',
    );

    const gusPeerId = await waitingPeerId('Gus');
    const request = `[data-testid="lobby-request"][data-peer-id="${gusPeerId}"]`;
    await olga.page.waitForSelector(request, { timeout: 15_000 });
    expect(await olga.page.$eval('[data-testid="lobby-requests"]', (el) => el.textContent ?? '')).toContain(
      'Gus attend dans la salle d’attente',
    );
    await olga.page.click(`${request} [data-testid="lobby-admit"]`);

    await waitForRoom(gus.page);
    expect(await selfPeerId(gus.page)).toBe(gusPeerId);
    await olga.page.waitForFunction(() => !document.querySelector('[data-testid="lobby-requests"]'), { timeout: 10_000 });
    await waitUntil(() => serverRoom().joinedSessions.has(gusPeerId), 'Gus in the meeting on the server');
    expect(serverRoom().joinedSessions.get(gusPeerId)!.identity!.role).toBe('guest');
    await mediaFlows(olga.page, gusPeerId, 'Olga receives Gus');
    await mediaFlows(gus.page, olgaPeerId, 'Gus receives Olga');
  });

  it('a second guest is refused: his page says the organiser refused, and he is not in', async () => {
    const gil = await open('Gil', 'guest');
    await knockFromLobby(gil.page);
    await gil.page.waitForSelector('[data-testid="waiting-screen"][data-moderators="1"]', { timeout: 15_000 });
    const gilPeerId = await waitingPeerId('Gil');
    const request = `[data-testid="lobby-request"][data-peer-id="${gilPeerId}"]`;
    await olga.page.waitForSelector(request, { timeout: 15_000 });
    expect(await olga.page.$eval('[data-testid="lobby-requests"]', (el) => el.textContent ?? '')).toContain(
      'Gil attend dans la salle d’attente',
    );
    await olga.page.click(`${request} [data-testid="lobby-deny"]`);

    const refused = await gil.page
      .waitForSelector('[data-testid="error"][data-code="ADMISSION_DENIED"]', { timeout: 15_000 })
      .catch(async (e: unknown) => {
        throw new Error(`Gil: ${await describePage(gil.page)}`, { cause: e });
      });
    expect(await refused!.evaluate((el) => el.textContent ?? '')).toContain('L’organisateur a refusé votre demande');
    await olga.page.waitForFunction(() => !document.querySelector('[data-testid="lobby-requests"]'), { timeout: 10_000 });
    expect(serverRoom().joinedSessions.has(gilPeerId)).toBe(false);
    expect(serverRoom().lobby).toEqual([]);
    // Two tiles on each page: Olga and Gus only.
    for (const page of [olga.page, gus.page]) {
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 2, { timeout: 10_000 });
    }
    await gil.page.close();
  });

  it('a waiting guest whose socket is cut resumes and knocks again; turning the lobby off lets him in', async () => {
    const hugo = await open('Hugo', 'guest');
    await knockFromLobby(hugo.page);
    const hugoPeerId = await waitingPeerId('Hugo');
    await olga.page.waitForSelector(`[data-testid="lobby-request"][data-peer-id="${hugoPeerId}"]`, { timeout: 15_000 });

    // Cut abruptly (no close frame): the server takes him out of the list; his page resumes the
    // session on a new socket and knocks again, still on the waiting screen.
    const session = serverRoom().findAttached(hugoPeerId)!;
    const cut = session.socketForTests!;
    cut.terminate();
    await waitUntil(
      () => session.hasSocket && !session.owns(cut) && serverRoom().lobby.some((w) => w.peerId === hugoPeerId),
      'Hugo back in the lobby on a new socket',
    );
    expect(await hugo.page.$('[data-testid="waiting-screen"]')).not.toBeNull();
    await olga.page.waitForSelector(`[data-testid="lobby-request"][data-peer-id="${hugoPeerId}"]`, { timeout: 15_000 });

    await pressControl(olga.page, 'guest-lobby-toggle');
    await waitForRoom(hugo.page);
    await waitUntil(() => !serverRoom().policy.guestLobby, 'the lobby to be off');
    await waitUntil(() => serverRoom().joinedSessions.has(hugoPeerId), 'Hugo in the meeting on the server');
    await olga.page.waitForFunction(() => !document.querySelector('[data-testid="lobby-requests"]'), { timeout: 10_000 });
    await olga.page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"]').length === 3, { timeout: 15_000 });
    await hugo.page.close();
    expect(cspViolations).toEqual([]);
  });
});
