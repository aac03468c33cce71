/**
 * "Capturer pour annoter" and markup on a phone (issue 17), in real Chromium
 * through the real server. Archi shares a screen (Chromium's fake 800x600
 * screen); Bruno, on a 360-px phone, captures the share: the project gets a
 * PNG at the share's full resolution, presented at once for markup. Bruno's
 * markup toolbar and tool menu fit the phone's width, and one finger draws a
 * stroke that Archi receives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { listDocuments } from '../../test/documents.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { CAMERAS_OFF, pickTool, stageBox, touchDraw, waitMarks, waitRendered } from './markupPage.js';

const PROJECT = 'chantier-markup-capture-e2e';
const ROOM = 'reunion';
const PHONE = { width: 360, height: 740, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };

let t: TestApp;
let chromium: TestBrowser;

beforeAll(async () => {
  t = await startTestApp();
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

/** Runs before the app: keeps the shared screen's stream where the test reads its size. */
const KEEP_DISPLAY = `(() => {
  const media = navigator.mediaDevices;
  if (!media || !media.getDisplayMedia) return;
  const original = media.getDisplayMedia.bind(media);
  media.getDisplayMedia = (options) => original(options).then((stream) => { window.__display = stream; return stream; });
})();`;

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe('capturing a screen share to mark it up, on a phone', () => {
  it('turns the share’s frame into a presented PNG that a finger marks up', async () => {
    const archi = await openMeetingPage(chromium.browser, t, {
      name: 'Archi', projectId: PROJECT, roomId: ROOM, role: 'moderator', viewport: { width: 1000, height: 800 }, join: CAMERAS_OFF,
      beforeApp: [KEEP_DISPLAY],
    });
    const bruno = await openMeetingPage(chromium.browser, t, {
      name: 'Bruno', projectId: PROJECT, roomId: ROOM, viewport: PHONE, join: { ...CAMERAS_OFF, tap: true },
    });
    const b = bruno.page;

    await archi.page.click('[data-testid="screen-toggle"]');
    // The size of the screen Archi shares (Chromium's fake screen), as the sending track says.
    const sent = await archi.page.waitForFunction(
      () => {
        const track = (window as unknown as { __display?: MediaStream }).__display?.getVideoTracks()[0];
        const settings = track?.getSettings();
        return settings?.width ? { width: settings.width, height: settings.height } : false;
      },
      { timeout: 15_000 },
    );
    const shared = (await sent.jsonValue()) as { width: number; height: number };
    // Bruno's phone receives the share at its full size before capturing it.
    await b
      .waitForFunction(
        (w) => (document.querySelector<HTMLVideoElement>('[data-testid="stage-screen"] video')?.videoWidth ?? 0) === w,
        { timeout: 20_000 },
        shared.width,
      )
      .catch(async (error: unknown) => {
        await b.screenshot({ path: '/tmp/markup-phone.png' });
        const seen = await b.evaluate(() =>
          [...document.querySelectorAll('video')].map((v) => `${v.closest('[data-testid]')?.getAttribute('data-testid')}:${v.videoWidth}x${v.videoHeight}`).join(' '),
        );
        throw new Error(`the phone's share: ${seen} (${String(error)})`);
      });
    await b.tap('[data-testid="markup-capture"]');

    // The capture is presented at once, by Bruno, to everyone.
    for (const page of [archi.page, b]) await waitRendered(page, null, 30_000);
    const title = await archi.page.$eval('[data-testid="presentation"]', (el) => el.getAttribute('aria-label') ?? '');
    expect(title).toMatch(/capture-archi-.*\.png/);
    expect(await b.$eval('[data-testid="presentation"]', (el) => el.getAttribute('data-presenter'))).toBe('true');

    // It is a project document: a PNG at the share's resolution.
    const capture = (await listDocuments(t, PROJECT)).find((d) => d.name.startsWith('capture-'));
    const auth = { authorization: `Bearer ${await t.token({ projectId: PROJECT, userId: 'u-Archi', displayName: 'Archi' })}` };
    expect(capture?.mimeType).toBe('image/png');
    const bytes = new Uint8Array(await (await fetch(`${t.url}/api/projects/${PROJECT}/documents/${capture!.documentId}/download`, { headers: auth })).arrayBuffer());
    expect(pngSize(bytes)).toEqual(shared);

    // The phone's toolbar and tool menu fit 360 px.
    const toolbar = await b.$eval('[data-testid="markup-toolbar"]', (el) => ({ scroll: el.scrollWidth, width: el.clientWidth, right: el.getBoundingClientRect().right }));
    expect(toolbar.scroll).toBeLessThanOrEqual(toolbar.width);
    expect(toolbar.right).toBeLessThanOrEqual(PHONE.width);
    await b.tap('[data-testid="markup-tools"]');
    const menu = await b.$eval('[data-testid="markup-tool-menu"]', (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right };
    });
    expect(menu.left).toBeGreaterThanOrEqual(0);
    expect(menu.right).toBeLessThanOrEqual(PHONE.width);
    await b.tap('[data-testid="markup-tools"]');

    // One finger draws on the capture; Archi gets the stroke.
    await pickTool(b, 'pen');
    const stage = await stageBox(b);
    await touchDraw(b, [
      [stage.width * 0.2, stage.height * 0.4],
      [stage.width * 0.4, stage.height * 0.5],
      [stage.width * 0.6, stage.height * 0.45],
    ]);
    for (const page of [b, archi.page]) await waitMarks(page, 1);
    // Two joins, a share, an upload and two renders: more than the default budget on a loaded machine.
  }, 240_000);
});

describe('the Content-Security-Policy', () => {
  it('was never violated by the pages above', () => {
    expect(cspViolations).toEqual([]);
  });
});
