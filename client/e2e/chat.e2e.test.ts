/**
 * The project's chat through the real server, in real Chromium: two members
 * talk in a meeting's chat panel; a third opens the project page on a
 * 360-px phone screen and, after a reload, finds the conversation, sees
 * both others online and in the meeting, and shares a document that
 * reaches the meeting's panel as an attachment. Three pages in all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElementHandle, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openMeetingPage, openProjectPage } from '../../test/meetingPage.js';

const PROJECT = 'chantier-chat-e2e';
const ROOM = 'reunion';
const FROM_ALICE = 'Livraison du béton à 14 h\nPrévoir la pompe <b>et</b> deux gars';
const FROM_BRUNO = 'Bien reçu, je préviens le grutier';

/** 1×1 PNG: the server sniffs the content, so the file must really be one. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let t: TestApp;
let chromium: TestBrowser;
let files: string;
let alice: Page;
let bruno: Page;
let chloe: Page;

interface ShownMessage {
  id: string;
  clientId: string;
  status: string;
  kind: string;
  text: string;
}

async function joinMeeting(name: string): Promise<Page> {
  return (await openMeetingPage(chromium.browser, t, { name, projectId: PROJECT, roomId: ROOM })).page;
}

async function openChatPanel(page: Page): Promise<void> {
  await page.click('[data-testid="chat-toggle"]');
  await page.waitForSelector('[data-testid="chat"]');
  // The first page of history is in: the list is ready for what follows.
  await page.waitForFunction(() => !document.querySelector('[data-testid="chat"] [role="status"]'));
}

async function messages(page: Page): Promise<ShownMessage[]> {
  return page.$$eval('[data-testid="chat-message"]', (els) =>
    els.map((el) => ({
      id: el.getAttribute('data-message-id') ?? '',
      clientId: el.getAttribute('data-client-id') ?? '',
      status: el.getAttribute('data-status') ?? '',
      kind: el.getAttribute('data-kind') ?? '',
      text: el.querySelector('[data-testid="chat-text"]')?.textContent ?? '',
    })),
  );
}

/** Waits until `text` shows as a sent message, exactly once; returns it. */
async function waitForSent(page: Page, text: string): Promise<ShownMessage> {
  await page.waitForFunction(
    (wanted) =>
      [...document.querySelectorAll('[data-testid="chat-message"][data-status="sent"]')].some(
        (el) => el.querySelector('[data-testid="chat-text"]')?.textContent === wanted,
      ),
    { timeout: 10_000 },
    text,
  );
  const shown = (await messages(page)).filter((m) => m.text === text);
  expect(shown, `"${text}" shown once`).toHaveLength(1);
  return shown[0]!;
}

async function send(page: Page, lines: string): Promise<void> {
  await page.click('[data-testid="chat-input"]');
  const [first, ...rest] = lines.split('\n');
  await page.keyboard.type(first ?? '');
  for (const line of rest) {
    // Shift+Enter is a new line; Enter alone would send.
    await page.keyboard.down('Shift');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Shift');
    await page.keyboard.type(line);
  }
  await page.click('[data-testid="chat-send"]');
}

async function onlineUsers(page: Page): Promise<Array<{ userId: string; inMeeting: string }>> {
  return page.$$eval('[data-testid="online-user"]', (els) =>
    els.map((el) => ({ userId: el.getAttribute('data-user-id') ?? '', inMeeting: el.getAttribute('data-in-meeting') ?? '' })),
  );
}

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  chromium = await launchBrowser();
  files = mkdtempSync(join(tmpdir(), 'chantier-e2e-files-'));
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
  if (files) rmSync(files, { recursive: true, force: true });
});

describe('the project chat in meetings and on the project page', () => {
  it('carries messages between the meeting panels, as sent, once, in order', async () => {
    alice = await joinMeeting('Alice');
    bruno = await joinMeeting('Bruno');
    await openChatPanel(alice);
    await openChatPanel(bruno);

    await send(alice, FROM_ALICE);
    const atAlice = await waitForSent(alice, FROM_ALICE);
    const atBruno = await waitForSent(bruno, FROM_ALICE);
    // The server's id replaced the pending one; both see the same message.
    expect(atAlice.id).toMatch(/^\d+-\d+$/);
    expect(atBruno.id).toBe(atAlice.id);
    expect(atBruno.clientId).toBe(atAlice.clientId);
    expect(atAlice.clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    // Text, never HTML: the tags show as typed, the line break is kept.
    expect(await alice.$$eval('[data-testid="chat-text"] b', (els) => els.length)).toBe(0);

    await send(bruno, FROM_BRUNO);
    await waitForSent(bruno, FROM_BRUNO);
    await waitForSent(alice, FROM_BRUNO);

    for (const page of [alice, bruno]) {
      const texts = (await messages(page)).filter((m) => m.kind === 'text').map((m) => m.text);
      expect(texts).toEqual([FROM_ALICE, FROM_BRUNO]);
      // The meeting announced itself in the chat.
      expect((await messages(page)).some((m) => m.kind === 'meeting-started' && m.text.includes('Alice'))).toBe(true);
    }
  });

  it('shows the history and who is in the meeting on the project page, after a reload, on a phone', async () => {
    ({ page: chloe } = await openProjectPage(chromium.browser, t, {
      name: 'Chloé',
      projectId: PROJECT,
      viewport: { width: 360, height: 740, isMobile: true, hasTouch: true },
    }));
    await chloe.waitForSelector('[data-testid="project-page"][data-phase="online"]', { timeout: 15_000 });
    expect(await chloe.evaluate(() => window.location.hash)).toBe('');

    await chloe.reload();
    await chloe.waitForSelector('[data-testid="project-page"][data-phase="online"]', { timeout: 15_000 });
    expect(await chloe.$eval('[data-testid="project-name"]', (el) => el.textContent)).toBe(PROJECT);

    await waitForSent(chloe, FROM_ALICE);
    await waitForSent(chloe, FROM_BRUNO);
    const texts = (await messages(chloe)).filter((m) => m.kind === 'text').map((m) => m.text);
    expect(texts).toEqual([FROM_ALICE, FROM_BRUNO]);

    await chloe.click('[data-testid="tab-online"]');
    await chloe.waitForFunction(
      () =>
        ['u-Alice', 'u-Bruno'].every(
          (id) => document.querySelector(`[data-testid="online-user"][data-user-id="${id}"]`)?.getAttribute('data-in-meeting') === 'true',
        ),
      { timeout: 10_000 },
    );
    expect(await onlineUsers(chloe)).toContainEqual({ userId: 'u-Chloé', inMeeting: 'false' });
    const inMeeting = await chloe.$eval('[data-testid="meeting-people"]', (el) => el.textContent ?? '');
    expect(inMeeting).toContain('Alice');
    expect(inMeeting).toContain('Bruno');
    expect(await chloe.$eval('[data-testid="join-meeting"]', (el) => el.getAttribute('href'))).toBe(`/p/${PROJECT}/r/${ROOM}`);

    // 360 px: no horizontal scrolling, tabs instead of columns.
    expect(await chloe.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await chloe.$eval('[data-testid="tab-chat"]', (el) => getComputedStyle(el).display)).not.toBe('none');
  });

  it('uploads a document, refuses an unsupported one with its code, and shares it into the meeting', async () => {
    const png = join(files, 'facade-nord.png');
    const text = join(files, 'notes.txt');
    writeFileSync(png, PNG);
    writeFileSync(text, 'pas un plan');

    await chloe.click('[data-testid="tab-documents"]');
    const input = (await chloe.waitForSelector('[data-testid="document-upload"]')) as ElementHandle<HTMLInputElement>;
    await input.uploadFile(text);
    await chloe.waitForSelector('[data-testid="upload-error"][data-code="UNSUPPORTED_TYPE"]', { timeout: 10_000 });

    await input.uploadFile(png);
    const row = await chloe.waitForSelector('[data-testid="document"]', { timeout: 10_000 });
    const documentId = (await row!.evaluate((el) => el.getAttribute('data-document-id')))!;
    // Chloé uploaded it: she may delete it.
    expect(await chloe.$(`[data-testid="document"][data-document-id="${documentId}"] [data-testid="document-delete"]`)).not.toBeNull();

    await chloe.click(`[data-testid="document"][data-document-id="${documentId}"] [data-testid="document-share"]`);
    const attachment = `[data-testid="chat-message"][data-status="sent"] [data-testid="chat-attachment"][data-document-id="${documentId}"]`;
    await alice.waitForSelector(attachment, { timeout: 10_000 });
    await chloe.waitForSelector(attachment, { timeout: 10_000 });
    const name = await alice.$eval(attachment, (el) => el.textContent ?? '');
    expect(name).toContain('facade-nord.png');
    // Its thumbnail came through the authenticated API as an object URL.
    await alice.waitForSelector(`${attachment} img[src^="blob:"]`, { timeout: 10_000 });

    // A tap opens the image itself in a new tab (fetched with the token: a link could not carry it).
    const viewer = chromium.browser.waitForTarget((target) => target.url().startsWith('blob:'), { timeout: 10_000 });
    await alice.click(attachment);
    const tab = await (await viewer).page();
    expect(await tab!.evaluate(() => document.contentType)).toBe('image/png');
    await tab!.close();
  });
});


describe('the Content-Security-Policy', () => {
  it('was never violated by the pages above', () => {
    expect(cspViolations).toEqual([]);
  });
});
