/**
 * What the markup browser tests do on a meeting page: pick a tool, draw with
 * the mouse or a finger (CDP touch events), pinch, read the marks the page
 * holds, and digest the overlay's pixels. Coordinates given to these helpers
 * are stage pixels (from the top-left of the presented page's stage).
 */
import type { Page } from 'puppeteer-core';
import type { JoinOptions } from '../../test/join.js';

const STAGE = '[data-testid="presentation"]';
const OVERLAY = '[data-testid="markup-overlay"]';

/** planPdf's pages: A3 landscape, no rotation, view box at the origin. */
export const PLAN_PAGE = { width: 1190, height: 842 };

export interface ListedMark {
  markId: string;
  page: number;
  tool: string;
  width: number;
  points: number[];
  color: string;
  authorId: string;
  text?: string;
  pin?: number;
}

/** The stage's box in the page (viewport pixels). */
export async function stageBox(page: Page): Promise<{ x: number; y: number; width: number; height: number }> {
  return page.$eval('.presentation__stage', (el) => {
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, width: Math.floor(r.width), height: Math.floor(r.height) };
  });
}

/** Waits until the document is painted for the view in force (or for `key`). */
export async function waitRendered(page: Page, key?: string | null, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (sel, wanted) => {
      const el = document.querySelector(sel);
      if (!el || el.getAttribute('data-status') !== 'ready') return false;
      const rendered = el.getAttribute('data-rendered') ?? '';
      if (wanted) return rendered === wanted;
      const pageNo = el.getAttribute('data-page');
      const zoom = Number(el.getAttribute('data-zoom')).toFixed(4);
      return rendered.startsWith(`${pageNo}:${zoom}:`);
    },
    { timeout, polling: 50 },
    STAGE,
    key ?? null,
  );
}

/**
 * Where a document point (PDF points, origin bottom-left) is on the stage
 * now, computed here from the view the page shows (data-rendered: page,
 * zoom, centre) — independently of the client's own geometry code.
 */
export async function docToStage(page: Page, at: { x: number; y: number }): Promise<{ x: number; y: number }> {
  const key = await page.$eval(STAGE, (el) => el.getAttribute('data-rendered') ?? '');
  const [, zoom, cx, cy] = key.split(':').map(Number) as [number, number, number, number];
  const stage = await stageBox(page);
  const scale = (stage.width / PLAN_PAGE.width) * zoom;
  return {
    x: stage.width / 2 + (at.x / PLAN_PAGE.width - cx) * PLAN_PAGE.width * scale,
    y: stage.height / 2 + ((PLAN_PAGE.height - at.y) / PLAN_PAGE.height - cy) * PLAN_PAGE.height * scale,
  };
}

export async function pickTool(page: Page, tool: string): Promise<void> {
  await page.click('[data-testid="markup-tools"]');
  await page.click(`[data-testid="markup-tool-${tool}"]`);
  await page.waitForSelector(`[data-testid="markup-toolbar"][data-tool="${tool}"]`);
}

export async function dragMouse(page: Page, points: ReadonlyArray<readonly [number, number]>): Promise<void> {
  const box = await stageBox(page);
  const [first, ...rest] = points;
  await page.mouse.move(box.x + first![0], box.y + first![1]);
  await page.mouse.down();
  for (const [x, y] of rest) await page.mouse.move(box.x + x, box.y + y, { steps: 5 });
  await page.mouse.up();
}

export async function clickAt(page: Page, x: number, y: number): Promise<void> {
  const box = await stageBox(page);
  await page.mouse.click(box.x + x, box.y + y);
}

/** One finger: down at the first point, through the others, up. */
export async function touchDraw(page: Page, points: ReadonlyArray<readonly [number, number]>): Promise<void> {
  const box = await stageBox(page);
  const [first, ...rest] = points;
  await page.touchscreen.touchStart(box.x + first![0], box.y + first![1]);
  for (const [x, y] of rest) {
    // A few steps per segment, as a finger gives.
    await page.touchscreen.touchMove(box.x + x, box.y + y);
  }
  await page.touchscreen.touchEnd();
}

/** Two fingers around `center` going from `from` to `to` pixels apart (CDP touch events). */
export async function pinch(page: Page, center: { x: number; y: number }, from: number, to: number): Promise<void> {
  const box = await stageBox(page);
  const cdp = await page.createCDPSession();
  const fingers = (d: number) => [
    { x: box.x + center.x - d / 2, y: box.y + center.y, id: 1 },
    { x: box.x + center.x + d / 2, y: box.y + center.y, id: 2 },
  ];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(from) });
  for (let i = 1; i <= 6; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(from + ((to - from) * i) / 6) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** The marks the page holds (the MarkupController's state), by markId. */
export async function markList(page: Page): Promise<ListedMark[]> {
  return page.evaluate(() => {
    const marks = [...(window.__chantierMarkup?.state.marks.value.values() ?? [])];
    return marks
      .map((m) => ({
        markId: m.markId,
        page: m.page,
        tool: m.tool,
        width: m.width,
        points: [...m.points],
        color: m.color,
        authorId: m.authorId,
        ...(m.text !== undefined ? { text: m.text } : {}),
        ...(m.pin !== undefined ? { pin: m.pin } : {}),
      }))
      .sort((a, b) => (a.markId < b.markId ? -1 : 1));
  });
}

export async function markCount(page: Page): Promise<number> {
  return Number(await page.$eval(OVERLAY, (el) => el.getAttribute('data-marks')));
}

/** Waits until the overlay shows `count` marks, none pending and no stroke in progress. */
export async function waitMarks(page: Page, count: number, timeout = 30_000): Promise<void> {
  await page
    .waitForFunction(
    (sel, n) => {
      const el = document.querySelector(sel);
      return !!el && el.getAttribute('data-marks') === String(n) && el.getAttribute('data-pending') === '0' && el.getAttribute('data-live') === '0';
    },
    { timeout, polling: 50 },
      OVERLAY,
      count,
    )
    .catch(async (error: unknown) => {
      // Say what the page has instead.
      const seen = await page.evaluate((sel) => {
        const el = document.querySelector(sel);
        const tools = [...(window.__chantierMarkup?.state.marks.value.values() ?? [])].map((m) => `${m.tool}${m.tool === "pin" ? JSON.stringify(m.points) : ""}`);
        const code = window.__chantierMarkup?.state.error.value;
        return `marks ${el?.getAttribute('data-marks')}, pending ${el?.getAttribute('data-pending')}, live ${el?.getAttribute('data-live')}, tools ${tools.join(' ')}, error ${code}`;
      }, OVERLAY);
      throw new Error(`expected ${count} marks: ${seen} (${String(error)})`);
    });
}

/** The overlay alone, rasterised in the page: a hash of its pixels and how many are painted. */
export async function overlayPixels(page: Page): Promise<{ hash: string; painted: number }> {
  return page.$eval(OVERLAY, async (el) => {
    const svg = el as SVGSVGElement;
    const width = Number(svg.getAttribute('width'));
    const height = Number(svg.getAttribute('height'));
    const source = new XMLSerializer().serializeToString(svg);
    const image = new Image();
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(source)}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, width, height).data;
    let hash = 0x811c9dc5;
    let painted = 0;
    for (let i = 0; i < data.length; i++) {
      hash = Math.imul(hash ^ data[i]!, 0x01000193) >>> 0;
      if (i % 4 === 3 && data[i]! > 0) painted++;
    }
    return { hash: hash.toString(16), painted };
  });
}

/** Lobby choices for the markup tests: camera and microphone off (marks need no media). */
export const CAMERAS_OFF: JoinOptions = {
  beforePress: async (page: Page) => {
    await page.click('[data-testid="camera-toggle-lobby"]');
    await page.click('[data-testid="mic-toggle-lobby"]');
  },
};

/** The presenter presents `documentId`; every page (the presenter's and `others`) renders it. */
export async function presentDocument(presenter: Page, documentId: string, others: Page[]): Promise<void> {
  await presenter.click('[data-testid="present-button"]');
  const item = `[data-testid="present-document"][data-document-id="${documentId}"]`;
  await presenter.waitForSelector(item, { timeout: 10_000 });
  await presenter.click(item);
  for (const p of [presenter, ...others]) await waitRendered(p);
}

/** The presenter opens markup to all ("Annoter : tout le monde"); each of `drawers` shows the tools. */
export async function openMarkupToAll(presenter: Page, drawers: Page[]): Promise<void> {
  await presenter.click('[data-testid="markup-more"]');
  await presenter.click('[data-testid="markup-policy-all"]');
  for (const p of drawers) await p.waitForSelector('[data-testid="markup-tools"]', { timeout: 10_000 });
  await presenter.click('[data-testid="markup-more"]');
}
