/**
 * A network cut while drawing (issue 17): marks drawn while the link is down
 * arrive once after the resume. Real Chromium through the real server and
 * Redis; Archi (a moderator, root namespace) presents a plan and opens markup
 * to all; Bruno draws from inside a net lab's namespace (test/netlab/). His
 * link goes down (every packet dropped both ways: the socket goes silent,
 * never closed cleanly) and he draws a pin, a rectangle and another pin:
 * they show on his page as pending. The link comes back only once his page
 * has found the socket dead, so that it resumes its session (same peer id).
 * Then Archi's page holds exactly Bruno's marks, each announced to it once,
 * the pins numbered 1, 2, 3 (none doubled), and the server's markupList
 * holds each mark once. Figures are printed, not asserted.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadDocument } from '../../test/documents.js';
import { joinMeeting as joinClient } from '../../test/meetingClient.js';
import { openMeetingPage, selfPeerId, type MeetingPage } from '../../test/meetingPage.js';
import { startLabMeeting, type LabMeeting } from '../../test/netlab/labMeeting.js';
import { planPdf } from '../../test/pdf.js';
import type { TestBrowser } from '../../test/browser.js';
import {
  CAMERAS_OFF,
  clickAt,
  dragMouse,
  markList,
  openMarkupToAll,
  pickTool,
  presentDocument,
  stageBox,
  waitMarks,
  type ListedMark,
} from './markupPage.js';

const PROJECT = 'chantier-markup-coupure';
const ROOM = 'coupure-annotations';
const VIEWPORT = { width: 1000, height: 900 };

/** In the page before the app: every markupAdded notification's markId, in arrival order. */
const COUNT_MARKUP_ADDED = `(() => {
  const Native = window.WebSocket;
  window.__markupAdded = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        try {
          const m = JSON.parse(event.data);
          if (m && m.kind === 'ntf' && m.type === 'markupAdded') window.__markupAdded.push(m.data.mark.markId);
        } catch {}
      });
    }
  };
})();`;

let m: LabMeeting;
let documentId: string;

beforeAll(async () => {
  m = await startLabMeeting({ projectId: PROJECT, roomId: ROOM });
  documentId = await uploadDocument(m.app, PROJECT, 'plan-r1.pdf', new Uint8Array(planPdf(1)));
});

afterAll(async () => {
  await m?.close();
});

function join(browser: TestBrowser, name: string, role: 'moderator' | 'member'): Promise<MeetingPage> {
  return openMeetingPage(browser.browser, m.app, {
    name,
    projectId: PROJECT,
    roomId: ROOM,
    role,
    viewport: VIEWPORT,
    beforeApp: [COUNT_MARKUP_ADDED],
    join: CAMERAS_OFF,
  });
}

/** The signaling state the room shows ('ok' or 'reconnecting'). */
async function waitConnection(page: Page, wanted: 'ok' | 'reconnecting', timeout: number): Promise<void> {
  await page.waitForFunction(
    (w) => (window as unknown as { __chantier?: { state: { connection: { value: string } } } }).__chantier?.state.connection.value === w,
    { timeout, polling: 50 },
    wanted,
  );
}

async function pendingCount(page: Page): Promise<number> {
  return Number(await page.$eval('[data-testid="markup-overlay"]', (el) => el.getAttribute('data-pending')));
}

async function announced(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __markupAdded: string[] }).__markupAdded);
}

const pins = (marks: ListedMark[]): number[] => marks.filter((x) => x.tool === 'pin').map((x) => x.pin!).sort((a, b) => a - b);

describe('a network cut while drawing', () => {
  it('sends the marks drawn during the cut once, after the resume', async () => {
    const archi = await join(m.rootBrowser, 'Archi', 'moderator');
    const bruno = await join(m.labBrowser, 'Bruno', 'member');
    const b = bruno.page;
    await presentDocument(archi.page, documentId, [b]);
    await openMarkupToAll(archi.page, [b]);
    const stage = await stageBox(b);
    const at = (fx: number, fy: number): [number, number] => [Math.round(stage.width * fx), Math.round(stage.height * fy)];

    // Before the cut: a pen stroke and pin 1, at Archi's.
    await pickTool(b, 'pen');
    await dragMouse(b, [at(0.2, 0.2), at(0.3, 0.3), at(0.4, 0.25)]);
    await pickTool(b, 'pin');
    await clickAt(b, ...at(0.3, 0.6));
    await waitMarks(b, 2);
    await waitMarks(archi.page, 2);
    const before = await markList(b);

    // The cut: the socket goes silent. Three marks drawn while it is down stay pending.
    const cutAt = Date.now();
    await m.lab.down();
    await clickAt(b, ...at(0.5, 0.6));
    await pickTool(b, 'rect');
    await dragMouse(b, [at(0.55, 0.15), at(0.7, 0.35)]);
    await pickTool(b, 'pin');
    await clickAt(b, ...at(0.7, 0.7));
    await b.waitForFunction(() => document.querySelector('[data-testid="markup-overlay"]')?.getAttribute('data-pending') === '3', {
      timeout: 10_000,
      polling: 50,
    });
    const drawnAt = Date.now();
    const duringCut = (await markList(b)).filter((x) => !before.some((y) => y.markId === x.markId));
    expect(duringCut.map((x) => x.tool).sort(), 'the three marks of the cut show on Bruno’s page').toEqual(['pin', 'pin', 'rect']);
    expect((await markList(archi.page)).map((x) => x.markId), 'nothing of the cut reached Archi').toEqual(before.map((x) => x.markId));

    // The page finds the socket dead (heartbeat), then the link comes back and the session resumes.
    await waitConnection(b, 'reconnecting', 30_000);
    const foundDeadAt = Date.now();
    expect(await pendingCount(b), 'still pending while reconnecting').toBe(3);
    const linkStats = await m.lab.stats();
    await m.lab.up();
    const upAt = Date.now();
    await waitConnection(b, 'ok', 30_000);
    const resumedAt = Date.now();
    expect(await selfPeerId(b), 'resumed, not rejoined').toBe(bruno.peerId);
    await waitMarks(b, 5);
    await waitMarks(archi.page, 5);
    const arrivedAt = Date.now();

    // One more mark after the resume: on the ordered socket, any late copy of the cut's marks comes before it.
    await pickTool(b, 'pen');
    await dragMouse(b, [at(0.2, 0.8), at(0.3, 0.85), at(0.4, 0.8)]);
    await waitMarks(b, 6);
    await waitMarks(archi.page, 6);

    const atBruno = await markList(b);
    const atArchi = await markList(archi.page);
    const heard = await announced(archi.page);
    const relecteur = await joinClient(m.app.url, await m.app.token({ projectId: PROJECT, userId: 'u-Relecteur', displayName: 'Relecteur' }), PROJECT, ROOM);
    let stored: ListedMark[];
    try {
      const presentationId = await archi.page.evaluate(
        () => (window as unknown as { __chantierMarkup: { state: { presentationId: { value: string } } } }).__chantierMarkup.state.presentationId.value,
      );
      const listed = await relecteur.c.request('markupList', { presentationId });
      stored = listed.marks.map((x) => ({ ...x, points: [...x.points] }) as unknown as ListedMark);
      expect(relecteur.c.violations, 'server messages match the protocol').toEqual([]);
    } finally {
      relecteur.c.close();
    }

    process.stdout.write(
      `[markup cut] ${JSON.stringify({
        drawnDuringCutMs: drawnAt - cutAt,
        cutToFoundDeadMs: foundDeadAt - cutAt,
        upToResumedMs: resumedAt - upAt,
        upToMarksAtArchiMs: arrivedAt - upAt,
        linkDuringCut: { up: linkStats.up.downDropped, down: linkStats.down.downDropped },
        announcedToArchi: heard.length,
        pins: pins(atArchi),
      })}\n`,
    );

    const ids = atBruno.map((x) => x.markId);
    expect(new Set(ids).size).toBe(6);
    for (const mark of duringCut) expect(ids).toContain(mark.markId);
    // Archi holds exactly Bruno's marks, as the server decided them (pins numbered once).
    expect(atArchi).toEqual(atBruno);
    expect(pins(atArchi), 'pins numbered 1, 2, 3: none doubled').toEqual([1, 2, 3]);
    // Each was announced to Archi once.
    expect([...heard].sort(), 'each mark announced once').toEqual([...ids].sort());
    // The server keeps each once.
    const storedIds = stored.map((x) => x.markId);
    expect([...storedIds].sort(), 'markupList holds each mark once').toEqual([...ids].sort());
    expect(pins(stored)).toEqual([1, 2, 3]);
  });
});
