/**
 * Chantier in WebKit, as far as WebKit runs here: Debian's WebKitGTK 2.50
 * (test/webkit.ts) has no WebRTC at all, so a WebKit participant cannot
 * join a call on this machine (see the README's compatibility table). What
 * it can do is tested: the project page (documents, chat both ways with
 * another member), and a meeting link's join screen, which must show the
 * mock camera and say in French (and English) that this browser cannot enter
 * the meeting and which browsers can, with the join button off. One server,
 * one WebKit session for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { listDocuments, uploadDocument } from '../../test/documents.js';
import { closeCheckedClients, helloSession } from '../../test/session.js';
import type { TestClient } from '../../test/TestClient.js';
import { launchWebKit, type WebKitSession } from '../../test/webkit.js';

const PROJECT = 'chantier-webkit-e2e';
const ROOM = 'reunion';
/** 1×1 PNG: the server sniffs the content, so the file must really be one. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const FROM_WEBKIT = 'Envoyé depuis WebKit : la dalle est coulée';
const TO_WEBKIT = 'Bien reçu, merci';

let t: TestApp;
let webkit: WebKitSession;
const clients: TestClient[] = [];

async function link(path: string, name: string): Promise<string> {
  const token = await t.token({ projectId: PROJECT, userId: `u-${name}`, displayName: name, role: 'member' });
  return `${t.url}${path}#token=${token}`;
}

/** The text of a chat message shown as sent, by its text; '' until it is. */
const SENT_MESSAGE = `
  const wanted = arguments[0];
  return [...document.querySelectorAll('[data-testid="chat-message"][data-status="sent"] [data-testid="chat-text"]')]
    .filter((el) => el.textContent === wanted).length;`;

beforeAll(async () => {
  [t, webkit] = await Promise.all([startTestApp({ MEDIASOUP_WORKERS: '1' }), launchWebKit()]);
  await uploadDocument(t, PROJECT, 'facade-nord.png', PNG);
});

afterAll(async () => {
  closeCheckedClients(clients);
  await webkit?.close();
  await t?.close();
});

describe('WebKit (WebKitGTK, no WebRTC)', () => {
  it('shows the project page: its documents, and the chat both ways with another member', async () => {
    await webkit.goto(await link(`/p/${PROJECT}`, 'Wendy'));
    await webkit.waitFor(`return document.querySelector('[data-testid="project-page"][data-phase="online"]')`, 'the project page online', 15_000);
    expect(await webkit.run(`return document.querySelector('[data-testid="project-name"]').textContent`)).toBe(PROJECT);
    // The token left the address bar, as in Chromium.
    expect(await webkit.run(`return window.location.hash`)).toBe('');

    // What this WebKit is, as the capability module's fake WebKitGTK window says (capabilities.test.ts).
    expect(
      await webkit.run(`return {
        peerConnection: typeof RTCPeerConnection,
        getUserMedia: typeof navigator.mediaDevices.getUserMedia,
        getDisplayMedia: typeof navigator.mediaDevices.getDisplayMedia,
        setSinkId: 'setSinkId' in HTMLMediaElement.prototype,
        contentHint: 'contentHint' in MediaStreamTrack.prototype,
        vendor: navigator.vendor,
        secure: window.isSecureContext,
      }`),
    ).toEqual({
      peerConnection: 'undefined',
      getUserMedia: 'function',
      getDisplayMedia: 'function',
      setSinkId: false,
      contentHint: true,
      vendor: 'Apple Computer, Inc.',
      secure: true,
    });

    // The join card says, beside its button, that the meeting cannot be joined from here.
    const line = await webkit.waitFor<string>(`return document.querySelector('[data-testid="no-webrtc"]')?.textContent`, 'the no-WebRTC line');
    expect(line).toContain('pas de WebRTC');
    expect(line).toContain('Firefox');

    const [document] = await listDocuments(t, PROJECT);
    await webkit.waitFor(`return document.querySelector('[data-testid="document"][data-document-id="' + arguments[0] + '"]')`, 'the uploaded document listed', 10_000, document!.documentId);
    expect(await webkit.run(`return document.querySelector('[data-testid="document"]').textContent`)).toContain('facade-nord.png');

    // Another member on a project socket; WebKit writes, the member reads, and back.
    const { c: other } = await helloSession(t, { projectId: PROJECT, userId: 'u-Omar', displayName: 'Omar', role: 'member' });
    clients.push(other);
    await webkit.type('[data-testid="chat-input"]', FROM_WEBKIT);
    await webkit.click('[data-testid="chat-send"]');
    const received = await other.waitFor('chatMessage', ({ message }) => message.kind === 'text', 10_000);
    expect(received.message).toMatchObject({ text: FROM_WEBKIT, author: { userId: 'u-Wendy', displayName: 'Wendy' } });
    await webkit.waitFor(SENT_MESSAGE, 'its own message shown as sent', 10_000, FROM_WEBKIT);

    await other.request('chatSend', { clientMessageId: 'webkit-e2e-reply-1', text: TO_WEBKIT });
    await webkit.waitFor(SENT_MESSAGE, 'the reply shown', 10_000, TO_WEBKIT);
    expect(await webkit.run(SENT_MESSAGE, FROM_WEBKIT)).toBe(1);
  });

  it("opens a meeting link on the join screen, with the mock camera, and says why it cannot join, in French then English", async () => {
    await webkit.goto(await link(`/p/${PROJECT}/r/${ROOM}`, 'Wendy'));
    await webkit.waitFor(`return document.querySelector('[data-testid="join"] [data-testid="display-name"]')`, 'the join screen', 15_000);

    // The camera works without WebRTC: the preview plays WebKit's mock device.
    await webkit.waitFor(`const v = document.querySelector('.join__preview video'); return v && v.videoWidth > 0 && v.readyState >= 2`, 'the camera preview playing', 15_000);
    const cameras = await webkit.run<string[]>(`return [...document.querySelectorAll('#video-input option')].map((o) => o.textContent)`);
    expect(cameras.some((label) => /mock video device/i.test(label))).toBe(true);

    const notice = await webkit.run<{ text: string; role: string; lang: string }>(
      `const el = document.querySelector('[data-testid="join"] [data-testid="no-webrtc"]');
       return el && { text: el.textContent, role: el.getAttribute('role'), lang: document.documentElement.lang }`,
    );
    expect(notice).toMatchObject({ role: 'alert', lang: 'fr' });
    expect(notice.text).toContain('Pas de réunion audio ou vidéo dans ce navigateur');
    expect(notice.text).toContain('WebRTC');
    expect(notice.text).toContain('Safari sur iPhone');
    expect(await webkit.run(`return document.querySelector('[data-testid="join-button"]').disabled`)).toBe(true);

    await webkit.click('[data-testid="lang-switch"]');
    const english = await webkit.waitFor<string>(
      `const el = document.querySelector('[data-testid="no-webrtc"]'); return document.documentElement.lang === 'en' && el && el.textContent`,
      'the notice in English',
    );
    expect(english).toContain('No audio or video meetings in this browser');
    expect(english).toContain('Open this link in Chrome, Edge or Firefox');
    // Still on the join screen: nothing failed behind the notice.
    expect(await webkit.run(`return !!document.querySelector('[data-testid="join"]') && !document.querySelector('[data-testid="error"]')`)).toBe(true);
  });
});
