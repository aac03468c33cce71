/**
 * Firefox ESR in a mixed meeting (issue 19): Alice (owner) and Bruno in
 * Chromium (root namespace), Fanny in Firefox inside a net lab's namespace
 * (Firefox gathers no loopback ICE candidate, see test/firefox.ts), on a
 * window of a private Xvfb screen (headless Firefox has no screen to share),
 * all through the real server on the lab's veth address, with coturn on the
 * same address. One lab, one set of browsers and one meeting for every
 * check, in order:
 *   - the three meet: video frames decoded and audio packets received both
 *     ways between Firefox and each Chromium;
 *   - chat both ways;
 *   - Firefox shares its screen (Firefox's own capture of the Xvfb screen)
 *     and both Chromiums decode it; a Chromium shares and Firefox decodes it;
 *   - Firefox goes audio only (the others' tiles say so, no video in hers,
 *     voices still both ways) and back;
 *   - Firefox presents a PDF: the Chromiums show the same page and view as
 *     it turns a page; a pen stroke drawn in Firefox reaches both Chromiums
 *     with the same points;
 *   - Firefox's link is cut for 4 s: it resumes (media again both ways) and
 *     the others never see it leave;
 *   - Fanny leaves and comes back as a guest from a phone-sized Firefox page
 *     (360x740, touch) whose peer connections may use TURN relays only:
 *     she knocks with a tap, waits in the lobby, Alice lets her in; media
 *     flows both ways through the relay; the meeting bar is usable by thumb;
 *     a tap on the mic mutes her for the others.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatCount,
  openChat,
  readTileLog,
  sendChat,
  startLabMeeting,
  startTileLog,
  type LabMeeting,
} from '../../test/netlab/labMeeting.js';
import { firstNewPackets, KEEP_PEER_CONNECTIONS, pageMedia, RELAY_ONLY } from '../../test/netlab/pageMedia.js';
import { cspViolations, type TestBrowser } from '../../test/browser.js';
import { uploadDocument } from '../../test/documents.js';
import { knockFromLobby, waitForRoom } from '../../test/join.js';
import { assertUsableControls } from '../../test/layout.js';
import { openMeetingPage, selfPeerId, type MeetingOptions } from '../../test/meetingPage.js';
import { planPdf } from '../../test/pdf.js';
import { mediaFrom, mediaRises, receiveStats } from '../../test/receiveStats.js';
import { screenStats, sendStats, type MeetingPage } from '../../test/screenShare.js';
import { dragMouse, markList, pickTool, presentDocument, stageBox, waitMarks, waitRendered } from './markupPage.js';

const PROJECT = 'chantier-firefox';
/** Firefox's window and virtual screen: what its share carries. */
const SCREEN = { width: 1280, height: 720 };
/** Firefox's page inside that window: wide enough for the whole meeting bar. */
const FIREFOX_VIEWPORT = { width: 1200, height: 640 };
const CUT_MS = 4_000;
const PHONE = { width: 360, height: 740 };
const BAR = '[data-testid="controls"]';
const PRIMARY = { selector: '[data-testid="mic-toggle"], [data-testid="leave-button"]', minSize: 56 };
const STAGE = '[data-testid="presentation"]';

let m: LabMeeting;
let documentId: string;
let alice: MeetingPage;
let bruno: MeetingPage;
let fanny: MeetingPage;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function mediaFlows(to: MeetingPage, from: MeetingPage, timeoutMs = 30_000): Promise<void> {
  await mediaRises(to.page, from.peerId, await mediaFrom(to.page, from.peerId), `${to.name} from ${from.name}`, timeoutMs);
}

/** Waits until `viewer` decodes frames of `sharer`'s screen; returns the frame size. */
async function screenDecoded(viewer: Page, sharerPeerId: string, what: string): Promise<{ width: number; height: number; codec: string }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await screenStats(viewer, sharerPeerId);
    if (s && s.framesDecoded > 0 && (s.frameWidth ?? 0) > 0) return { width: s.frameWidth ?? 0, height: s.frameHeight ?? 0, codec: s.codec ?? '?' };
    if (Date.now() > deadline) throw new Error(`${what}: no screen frames decoded: ${JSON.stringify(s)}`);
    await sleep(250);
  }
}

async function toggleShare(sharer: MeetingPage, state: 'on' | 'off'): Promise<void> {
  await sharer.page.click('[data-testid="screen-toggle"]');
  await sharer.page
    .waitForSelector(`[data-testid="screen-toggle"][data-state="${state}"]`, { timeout: 30_000 })
    .catch(async (error: unknown) => {
      const now = await sharer.page.$eval('[data-testid="screen-toggle"]', (el) => el.getAttribute('data-state')).catch(() => '?');
      throw new Error(`${sharer.name}: share not ${state} (${now}): ${String(error)}`);
    });
}

/**
 * Under 900 px the chat is a full-screen sheet over the meeting bar, closed
 * by its back arrow; wider, a column closed by the bar's chat button.
 */
async function closeChat(page: Page): Promise<void> {
  const narrow = await page.evaluate(() => window.innerWidth < 900);
  await page.click(narrow ? '[data-testid="chat-close"]' : '[data-testid="chat-toggle"]');
  await page.waitForSelector('[data-testid="chat-panel"]', { hidden: true, timeout: 10_000 });
}

/** The view a page shows of the presented document: "page:zoom:centre". */
const renderedView = (page: Page): Promise<string> => page.$eval(STAGE, (el) => el.getAttribute('data-rendered') ?? '');

/** Into the meeting as `name` (a member unless told), its peer connections kept for the stats. */
async function join(browser: TestBrowser, name: string, options: Partial<MeetingOptions> = {}): Promise<MeetingPage> {
  const { page, peerId } = await openMeetingPage(browser.browser, m.app, {
    name,
    projectId: PROJECT,
    roomId: m.place.roomId,
    ...options,
    beforeApp: [KEEP_PEER_CONNECTIONS, ...(options.beforeApp ?? [])],
  });
  return { name, page, context: page.browserContext(), peerId };
}

beforeAll(async () => {
  m = await startLabMeeting({
    projectId: PROJECT,
    roomId: 'mixte',
    labEngine: 'firefox',
    labDisplay: SCREEN,
    turnSecret: 'firefox-e2e-secret-0123456789abcdef',
  });
  documentId = await uploadDocument(m.app, PROJECT, 'plan-r1.pdf', new Uint8Array(planPdf(3)));
}, 90_000);

afterAll(async () => {
  await m?.close();
});

describe('Firefox ESR with two Chromiums in one meeting', () => {
  it('meets: video and audio both ways', async () => {
    alice = await join(m.rootBrowser, 'Alice', { role: 'owner' });
    bruno = await join(m.rootBrowser, 'Bruno');
    fanny = await join(m.labBrowser, 'Fanny', { viewport: FIREFOX_VIEWPORT });
    await Promise.all([
      mediaFlows(fanny, alice),
      mediaFlows(fanny, bruno),
      mediaFlows(alice, fanny),
      mediaFlows(bruno, fanny),
    ]);
    const sent = (await sendStats(fanny.page)).filter((s) => s.kind === 'video');
    const got = (await receiveStats(alice.page)).filter((s) => s.peerId === fanny.peerId && s.kind === 'video');
    console.info(`[firefox] camera sent: ${JSON.stringify(sent)}; Alice receives: ${JSON.stringify(got)}`);
  }, 180_000);

  it('chats both ways', async () => {
    await Promise.all([openChat(alice.page), openChat(fanny.page)]);
    await sendChat(fanny.page, 'Bonjour depuis Firefox');
    await sendChat(alice.page, 'Bien reçu, Fanny');
    await alice.page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="chat-text"]')].some((el) => el.textContent === 'Bonjour depuis Firefox'),
      { timeout: 15_000 },
    );
    await fanny.page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="chat-text"]')].some((el) => el.textContent === 'Bien reçu, Fanny'),
      { timeout: 15_000 },
    );
    expect(await chatCount(alice.page, 'Bonjour depuis Firefox')).toBe(1);
    expect(await chatCount(fanny.page, 'Bien reçu, Fanny')).toBe(1);
    // Closed again: on the 800-px-wide Chromium pages the open chat covers the bar (share, admit...).
    await Promise.all([closeChat(alice.page), closeChat(fanny.page)]);
  }, 60_000);

  it('shares its screen to Chromium, and sees a Chromium share', async () => {
    await toggleShare(fanny, 'on');
    // Firefox 128+ has contentHint: the shared screen goes out marked as detail (sharp text over motion).
    const hints = await fanny.page.evaluate(() =>
      (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.flatMap((pc) => pc.getSenders().map((s) => s.track?.contentHint ?? null)),
    );
    expect(hints).toContain('detail');
    const [atAlice, atBruno] = await Promise.all([
      screenDecoded(alice.page, fanny.peerId, 'Alice sees Fanny’s screen'),
      screenDecoded(bruno.page, fanny.peerId, 'Bruno sees Fanny’s screen'),
    ]);
    console.info(`[firefox] Firefox's screen at Alice: ${JSON.stringify(atAlice)}, at Bruno: ${JSON.stringify(atBruno)}`);
    await toggleShare(fanny, 'off');
    await alice.page.waitForSelector(`[data-testid="stage-screen"][data-peer-id="${fanny.peerId}"]`, { hidden: true, timeout: 30_000 });

    await toggleShare(alice, 'on');
    const atFanny = await screenDecoded(fanny.page, alice.peerId, 'Fanny sees Alice’s screen');
    console.info(`[firefox] Chromium's screen at Firefox: ${JSON.stringify(atFanny)}`);
    await toggleShare(alice, 'off');
  }, 90_000);

  it('goes audio only, and back with its camera on again', async () => {
    await fanny.page.click('[data-testid="audio-only-toggle"]');
    await alice.page.waitForSelector(`[data-testid="tile"][data-peer-id="${fanny.peerId}"][data-audio-only="true"]`, { timeout: 15_000 });
    await fanny.page.waitForFunction(() => document.querySelectorAll('[data-testid="tile"] video').length === 0, { timeout: 15_000 });
    // Voices still flow to her, and hers to the others.
    await Promise.all([
      mediaRises(fanny.page, alice.peerId, await mediaFrom(fanny.page, alice.peerId), 'Fanny hears Alice', 15_000, 'audio'),
      mediaRises(alice.page, fanny.peerId, await mediaFrom(alice.page, fanny.peerId), 'Alice hears Fanny', 15_000, 'audio'),
    ]);
    await fanny.page.click('[data-testid="audio-only-toggle"]');
    await alice.page.waitForSelector(`[data-testid="tile"][data-peer-id="${fanny.peerId}"]:not([data-audio-only="true"])`, { timeout: 15_000 });
    // Video comes back to her; her camera stays off until she turns it on (its producer gets a new track).
    await fanny.page.waitForSelector('[data-testid="camera-toggle"][aria-pressed="false"]:not([disabled])', { timeout: 15_000 });
    await fanny.page.click('[data-testid="camera-toggle"]');
    await fanny.page.waitForSelector('[data-testid="camera-toggle"][aria-pressed="true"]', { timeout: 15_000 });
    await Promise.all([mediaFlows(fanny, alice), mediaFlows(alice, fanny)]);
  }, 90_000);

  it('presents a plan in sync and marks it up for the Chromiums', async () => {
    await presentDocument(fanny.page, documentId, [alice.page, bruno.page]);
    await fanny.page.click('[data-testid="present-next"]');
    await fanny.page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-page') === '2', {}, STAGE);
    await waitRendered(fanny.page);
    const view = await renderedView(fanny.page);
    expect(view.startsWith('2:')).toBe(true);
    for (const viewer of [alice.page, bruno.page]) await waitRendered(viewer, view, 15_000);

    await pickTool(fanny.page, 'pen');
    const stage = await stageBox(fanny.page);
    const at = (fx: number, fy: number): [number, number] => [Math.round(stage.width * fx), Math.round(stage.height * fy)];
    await dragMouse(fanny.page, [at(0.2, 0.3), at(0.3, 0.4), at(0.4, 0.35), at(0.5, 0.45)]);
    for (const page of [fanny.page, alice.page, bruno.page]) await waitMarks(page, 1, 15_000);
    const drawn = await markList(fanny.page);
    expect(drawn.map((mark) => [mark.tool, mark.page, mark.authorId])).toEqual([['pen', 2, 'u-Fanny']]);
    expect(await markList(alice.page)).toEqual(drawn);
    expect(await markList(bruno.page)).toEqual(drawn);

    await fanny.page.click('[data-testid="present-stop"]');
    await fanny.page.click('[data-testid="markup-stop-only"]');
    for (const page of [fanny.page, alice.page, bruno.page]) await page.waitForSelector(STAGE, { hidden: true, timeout: 15_000 });
  }, 90_000);

  it('resumes after a 4 s cut without leaving the others’ grids', async () => {
    await startTileLog(alice.page, 150);
    await m.lab.down();
    await sleep(CUT_MS);
    await m.lab.up();
    const upAt = Date.now();
    expect(await firstNewPackets(fanny.page, upAt, 30_000), 'Fanny receives again').not.toBeNull();
    await Promise.all([mediaFlows(alice, fanny), mediaFlows(fanny, bruno)]);
    const log = await readTileLog(alice.page);
    const missing = log.filter((s) => !s.names.includes('Fanny'));
    expect(missing.length, 'samples of Alice’s grid without Fanny').toBe(0);
    expect(log.length).toBeGreaterThan(10);
  }, 90_000);

  it('comes back as a guest on a phone-sized page, relay-only: waits in the lobby, is let in, and is usable by touch', async () => {
    await fanny.page.click('[data-testid="leave-button"]');
    await alice.page.waitForSelector(`[data-testid="tile"][data-peer-id="${fanny.peerId}"]`, { hidden: true, timeout: 30_000 });
    await fanny.page.close();
    // A guest (guests wait for a moderator by default), behind a network that lets only TURN through.
    const guest = await join(m.labBrowser, 'Fanny', {
      role: 'guest',
      userId: 'u-Fanny-phone',
      enter: 'lobby',
      viewport: { width: PHONE.width, height: PHONE.height, hasTouch: true },
      beforeApp: [RELAY_ONLY],
    });
    const phone = guest.page;
    await knockFromLobby(phone, { tap: true, timeoutMs: 30_000 });
    const request = '[data-testid="lobby-request"]';
    await alice.page.waitForSelector(request, { timeout: 30_000 });
    await alice.page.click(`${request} [data-testid="lobby-admit"]`);
    await waitForRoom(phone, 30_000);
    const phonePeer = await selfPeerId(phone);
    fanny = { ...guest, peerId: phonePeer };

    await Promise.all([mediaFlows(alice, fanny), mediaFlows(fanny, alice)]);
    const pairs = (await pageMedia(phone)).pairs;
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) expect(pair.localType, `${pair.local} -> ${pair.remote}`).toBe('relay');

    const controls = await assertUsableControls(phone, BAR, { minSize: 48, primary: PRIMARY });
    for (const c of controls) expect(c.y, c.id).toBeGreaterThan(PHONE.height * 0.8);
    expect(controls.map((c) => c.id)).toEqual(expect.arrayContaining(['mic-toggle', 'leave-button']));
    await phone.tap('[data-testid="mic-toggle"]');
    await alice.page.waitForFunction(
      (id) => document.querySelector(`[data-testid="tile"][data-peer-id="${id}"]`)?.getAttribute('data-mic-muted') === 'true',
      { timeout: 15_000 },
      phonePeer,
    );
  }, 120_000);
});

describe('the Content-Security-Policy', () => {
  it('was never violated by the Chromium and Firefox pages above', () => {
    expect(cspViolations).toEqual([]);
  });
});
