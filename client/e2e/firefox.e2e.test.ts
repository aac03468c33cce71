/**
 * Firefox ESR in a mixed meeting (issue 19): Alice and Bruno in Chromium
 * (root namespace), Fanny in Firefox inside a net lab's namespace (Firefox
 * gathers no loopback ICE candidate, see test/firefox.ts), all through the
 * real server on the lab's veth address. One lab, one set of browsers and
 * one meeting for every check, in order:
 *   - the three meet: video frames decoded and audio packets received both
 *     ways between Firefox and each Chromium;
 *   - chat both ways;
 *   - Firefox's link is cut for 4 s: it resumes (media again both ways) and
 *     the others never see it leave.
 * Not here yet (issue 19 stays open; see the README's browser table): a
 * share from Firefox (under Xvfb its share never turned on within 15 s),
 * audio only in Firefox (Alice's tile never showed it), and the guest's
 * return on a relay-only phone page; each failed on a quiet machine too.
 */
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
import { firstNewPackets, KEEP_PEER_CONNECTIONS } from '../../test/netlab/pageMedia.js';
import type { TestBrowser } from '../../test/browser.js';
import { openMeetingPage, type MeetingOptions } from '../../test/meetingPage.js';
import { mediaFrom, mediaRises, receiveStats } from '../../test/receiveStats.js';
import { sendStats, type MeetingPage } from '../../test/screenShare.js';

const CUT_MS = 4_000;

let m: LabMeeting;
let alice: MeetingPage;
let bruno: MeetingPage;
let fanny: MeetingPage;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function mediaFlows(to: MeetingPage, from: MeetingPage, timeoutMs = 30_000): Promise<void> {
  await mediaRises(to.page, from.peerId, await mediaFrom(to.page, from.peerId), `${to.name} from ${from.name}`, timeoutMs);
}

async function join(browser: TestBrowser, name: string, options: Partial<MeetingOptions> = {}): Promise<MeetingPage> {
  const { page, peerId } = await openMeetingPage(browser.browser, m.app, {
    name,
    projectId: m.place.projectId,
    roomId: m.place.roomId,
    ...options,
    beforeApp: [KEEP_PEER_CONNECTIONS, ...(options.beforeApp ?? [])],
  });
  return { name, page, context: page.browserContext(), peerId };
}

beforeAll(async () => {
  m = await startLabMeeting({
    projectId: 'chantier-firefox',
    roomId: 'mixte',
    labEngine: 'firefox',
  });
}, 90_000);

afterAll(async () => {
  await m?.close();
});

describe('Firefox ESR with two Chromiums in one meeting', () => {
  it('meets: video and audio both ways', async () => {
    alice = await join(m.rootBrowser, 'Alice', { role: 'owner' });
    bruno = await join(m.rootBrowser, 'Bruno');
    fanny = await join(m.labBrowser, 'Fanny');
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
  }, 60_000);

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
});
