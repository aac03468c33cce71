/**
 * Marking up a presented plan together (issue 17), in real Chromium through
 * the real server and Redis. Archi (a moderator) presents a 3-page PDF and
 * opens markup to all; Bruno draws with the mouse and with touch (CDP touch
 * events: one finger draws, two fingers pinch the page without drawing);
 * Archi and Chloe end with the same marks (same shape lists, and their
 * overlays pixel-equal at the same viewport). Chloe zooms and pans on her
 * own: a pin put on a black box of the plan stays on that box. A late joiner
 * and a reloaded page get every mark. Bruno erases, undoes and redoes;
 * Archi clears the page after confirming it, and stopping the presentation
 * offers to save the marks into the project first. Timings are printed, not
 * asserted.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { listDocuments, uploadDocument } from '../../test/documents.js';
import { openMeetingPage, type MeetingPage } from '../../test/meetingPage.js';
import { planPdf } from '../../test/pdf.js';
import {
  CAMERAS_OFF,
  clickAt,
  docToStage,
  dragMouse,
  markCount,
  markList,
  openMarkupToAll,
  overlayPixels,
  type ListedMark,
  pinch,
  pickTool,
  presentDocument,
  stageBox,
  touchDraw,
  waitMarks,
  waitRendered,
} from './markupPage.js';

const PROJECT = 'chantier-markup-e2e';
const ROOM = 'reunion';
const VIEWPORT = { width: 1000, height: 900, hasTouch: true };
/** The black box of planPdf's page 1 (x 140..355, y 200..260 in PDF points): its centre. */
const BOX = { x: 247.5, y: 230 };

let t: TestApp;
let chromium: TestBrowser;
let documentId: string;

beforeAll(async () => {
  t = await startTestApp();
  chromium = await launchBrowser();
  documentId = await uploadDocument(t, PROJECT, 'plan-rdc.pdf', new Uint8Array(planPdf(3)));
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

function join(name: string, role: 'moderator' | 'member' = 'member'): Promise<MeetingPage> {
  return openMeetingPage(chromium.browser, t, { name, projectId: PROJECT, roomId: ROOM, role, viewport: VIEWPORT, join: CAMERAS_OFF });
}

describe('marking up a presented plan together', () => {
  // One meeting, in steps that build on each other (each with its own time budget).
  let archi: MeetingPage, bruno: MeetingPage, chloe: MeetingPage, dany: MeetingPage;
  let b: Page, c: Page;
  let at: (fx: number, fy: number) => [number, number];
  let reference: ListedMark[];
  const drawn = 6;

  it('lets a member draw once markup is open to all, with mouse and touch, and syncs the marks to all', async () => {
    archi = await join('Archi', 'moderator');
    bruno = await join('Bruno');
    chloe = await join('Chloe');

    // Archi presents the plan; every page renders it.
    await presentDocument(archi.page, documentId, [bruno.page, chloe.page]);
    // A member cannot draw until the presenter opens markup to all.
    expect(await bruno.page.$('[data-testid="markup-tools"]')).toBeNull();
    await openMarkupToAll(archi.page, [bruno.page]);

    // Bruno draws with the mouse: a pen stroke, a rectangle, a revision cloud, a text note.
    b = bruno.page;
    // Points as fractions of the stage, whatever room the meeting's layout leaves it.
    const stage = await stageBox(b);
    at = (fx: number, fy: number): [number, number] => [Math.round(stage.width * fx), Math.round(stage.height * fy)];
    await pickTool(b, 'pen');
    await dragMouse(b, [at(0.2, 0.2), at(0.26, 0.3), at(0.32, 0.25), at(0.38, 0.35), at(0.42, 0.3)]);
    await pickTool(b, 'rect');
    await dragMouse(b, [at(0.5, 0.15), at(0.64, 0.35)]);
    await pickTool(b, 'cloud');
    await dragMouse(b, [at(0.52, 0.5), at(0.7, 0.7)]);
    await pickTool(b, 'text');
    await clickAt(b, ...at(0.15, 0.8));
    await b.waitForSelector('[data-testid="markup-text-input"]');
    await b.type('[data-testid="markup-text-input"]', 'Reprendre la cote');
    await b.keyboard.press('Enter');
    // And with a finger: a pen stroke, then a pin on the plan's black box.
    await pickTool(b, 'pen');
    await touchDraw(b, [at(0.3, 0.8), at(0.34, 0.85), at(0.39, 0.82), at(0.43, 0.88)]);
    await pickTool(b, 'pin');
    const boxOnBruno = await docToStage(b, BOX);
    await touchDraw(b, [[boxOnBruno.x, boxOnBruno.y]]);
    // Two fingers with a tool on: the page zooms, nothing is drawn.
    const zoomBefore = await b.$eval('[data-testid="presentation"]', (el) => el.getAttribute('data-zoom'));
    await pinch(b, { x: stage.width * 0.6, y: stage.height * 0.5 }, 60, 160);
    await b.waitForFunction((z) => document.querySelector('[data-testid="presentation"]')?.getAttribute('data-zoom') !== z, { timeout: 5000 }, zoomBefore);

    const started = Date.now();
    for (const p of [archi, bruno, chloe]) await waitMarks(p.page, drawn);
    console.log(`markup: ${drawn} marks on all three pages ${Date.now() - started} ms after the last was drawn`);
    reference = await markList(archi.page);
    expect(reference.map((m) => m.tool).sort()).toEqual(['cloud', 'pen', 'pen', 'pin', 'rect', 'text']);
    expect(await markList(chloe.page)).toEqual(reference);
    expect(await markList(b)).toEqual(reference);
    expect(new Set(reference.map((m) => m.authorId))).toEqual(new Set(['u-Bruno']));
    const pin = reference.find((m) => m.tool === 'pin')!;
    expect(pin.pin).toBe(1);
    // A pin's point is its top-left corner, a radius (9 pt) left of and above where it was tapped.
    expect(Math.abs(pin.points[0]! + 9 - BOX.x)).toBeLessThan(1.5);
    expect(Math.abs(pin.points[1]! - 9 - BOX.y)).toBeLessThan(1.5);
    expect(reference.find((m) => m.tool === 'text')!.text).toBe('Reprendre la cote');

  }, 240_000);

  it('draws the same overlay for two viewers, and keeps marks on the plan when one zooms and pans', async () => {
    // Bruno and Chloe follow the presenter's view in the same viewport: their overlays are pixel-equal.
    await b.click('[data-testid="present-follow"]');
    const key = await archi.page.$eval('[data-testid="presentation"]', (el) => el.getAttribute('data-rendered'));
    for (const p of [bruno, chloe]) await waitRendered(p.page, key);
    expect(await stageBox(chloe.page)).toEqual(await stageBox(b));
    const [pb, pc] = [await overlayPixels(b), await overlayPixels(chloe.page)];
    expect(pb.painted).toBeGreaterThan(500);
    expect(pc.hash).toBe(pb.hash);

    // Chloe zooms in and pans on her own: the pin stays on the plan's black box.
    c = chloe.page;
    for (let i = 0; i < 3; i++) await c.click('[data-testid="present-zoom-in"]');
    const box = await stageBox(c);
    await c.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await c.mouse.down();
    await c.mouse.move(box.x + box.width * 0.5 + 60, box.y + box.height * 0.5 - 40, { steps: 4 });
    await c.mouse.up();
    await waitRendered(c);
    const expected = await docToStage(c, BOX);
    const drawnPin = await c.$eval('[data-testid="markup-overlay"] g[data-tool="pin"] circle', (el) => ({
      x: Number(el.getAttribute('cx')),
      y: Number(el.getAttribute('cy')),
    }));
    expect(Math.abs(drawnPin.x - expected.x)).toBeLessThan(2);
    expect(Math.abs(drawnPin.y - expected.y)).toBeLessThan(2);
    const under = await c.$eval(
      '[data-testid="presentation-canvas"]',
      (el, at) => {
        const canvas = el as HTMLCanvasElement;
        const ratio = canvas.width / canvas.getBoundingClientRect().width;
        return [...canvas.getContext('2d')!.getImageData(Math.round(at.x * ratio), Math.round(at.y * ratio), 1, 1).data];
      },
      drawnPin,
    );
    // The plan's box is black where the pin is drawn (the pin itself is on the overlay, not the canvas).
    expect(under.slice(0, 3).every((v) => v < 60)).toBe(true);
    await c.click('[data-testid="present-follow"]');

  }, 120_000);

  it('gives every mark to a late joiner and to a reloaded page', async () => {
    dany = await join('Dany');
    await waitRendered(dany.page);
    await waitMarks(dany.page, drawn);
    expect(await markList(dany.page)).toEqual(reference);
    await c.reload();
    await c.waitForSelector('[data-testid="join-button"], [data-testid="room"]', { timeout: 15_000 });
    if (await c.$('[data-testid="join-button"]')) {
      const { joinFromLobby } = await import('../../test/join.js');
      await joinFromLobby(c, CAMERAS_OFF);
    }
    await waitRendered(c);
    await waitMarks(c, drawn);
    expect(await markList(c)).toEqual(reference);

  }, 120_000);

  it('erases one’s own marks, undoes and redoes, and lets a moderator clear the page after confirming', async () => {
    // Bruno erases his rectangle, undoes it (the same mark comes back), and redoes.
    const rect = reference.find((m) => m.tool === 'rect')!;
    await waitRendered(b);
    await b.click('[data-testid="markup-tool-eraser"]');
    const corner = await docToStage(b, { x: rect.points[0]!, y: rect.points[1]! });
    await clickAt(b, corner.x, corner.y);
    for (const p of [archi, bruno, chloe, dany]) await waitMarks(p.page, drawn - 1);
    expect((await markList(chloe.page)).some((m) => m.markId === rect.markId)).toBe(false);
    await b.click('[data-testid="markup-undo"]');
    for (const p of [archi, chloe, dany]) await waitMarks(p.page, drawn);
    expect((await markList(chloe.page)).find((m) => m.markId === rect.markId)?.points).toEqual(rect.points);
    await b.click('[data-testid="markup-redo"]');
    for (const p of [archi, chloe, dany]) await waitMarks(p.page, drawn - 1);

    // Chloe may not erase Bruno's marks: her eraser has none to take.
    expect(await c.$$eval('[data-testid="markup-overlay"] [data-erasable="true"]', (els) => els.length)).toBe(0);

    // Archi clears the page, after confirming it.
    await archi.page.click('[data-testid="markup-more"]');
    await archi.page.click('[data-testid="markup-clear"]');
    await archi.page.waitForSelector('[data-testid="markup-clear-confirm"]');
    expect(await markCount(archi.page)).toBe(drawn - 1);
    await archi.page.click('[data-testid="markup-clear-yes"]');
    for (const p of [archi, bruno, chloe, dany]) await waitMarks(p.page, 0);

  }, 120_000);

  it('offers to save the marks into the project when the presentation stops', async () => {
    // One more mark; stopping the presentation offers to save it into the project first.
    await pickTool(b, 'arrow');
    await dragMouse(b, [at(0.3, 0.3), at(0.45, 0.4)]);
    for (const p of [archi, chloe]) await waitMarks(p.page, 1);
    await archi.page.click('[data-testid="present-stop"]');
    await archi.page.waitForSelector('[data-testid="markup-stop-dialog"]');
    await archi.page.click('[data-testid="markup-stop-save"]');
    for (const p of [archi, bruno, chloe]) {
      await p.page.waitForFunction(() => !document.querySelector('[data-testid="presentation"]'), { timeout: 30_000 });
    }
    const versions = (await listDocuments(t, PROJECT)).filter((d) => d.name === 'plan-rdc.pdf');
    expect(versions.map((d) => d.version).sort()).toEqual([1, 2]);
  }, 120_000);
});

describe('the Content-Security-Policy', () => {
  it('was never violated by the pages above', () => {
    expect(cspViolations).toEqual([]);
  });
});
