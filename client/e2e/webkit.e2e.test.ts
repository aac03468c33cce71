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
// Short: WebDriver types key by key, each a round trip inside the driver.
const FROM_WEBKIT = 'Dalle coulée';
const TO_WEBKIT = 'Bien reçu, merci';

let t: TestApp;
let webkit: WebKitSession;
const clients: TestClient[] = [];

async function link(path: string, name: string): Promise<string> {
  const token = await t.token({ projectId: PROJECT, userId: `u-${name}`, displayName: name, role: 'member' });
  return `${t.url}${path}#token=${token}`;
}

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
    const [listed] = await listDocuments(t, PROJECT);
    await webkit.goto(await link(`/p/${PROJECT}`, 'Wendy'));
    // One wait, one answer (each WebDriver command is slow on a loaded machine): online, the document listed.
    const shown = await webkit.waitFor<Record<string, unknown>>(
      `const online = document.querySelector('[data-testid="project-page"][data-phase="online"]');
       const row = document.querySelector('[data-testid="document"][data-document-id="' + arguments[0] + '"]');
       const line = document.querySelector('[data-testid="no-webrtc"]');
       return online && row && line && {
         name: document.querySelector('[data-testid="project-name"]').textContent,
         hash: window.location.hash,
         document: row.textContent,
         line: line.textContent,
         // What this WebKit is, as the capability module's fake WebKitGTK window says (capabilities.test.ts).
         facts: {
           peerConnection: typeof RTCPeerConnection,
           getUserMedia: typeof navigator.mediaDevices.getUserMedia,
           getDisplayMedia: typeof navigator.mediaDevices.getDisplayMedia,
           setSinkId: 'setSinkId' in HTMLMediaElement.prototype,
           contentHint: 'contentHint' in MediaStreamTrack.prototype,
           vendor: navigator.vendor,
           secure: window.isSecureContext,
         },
       };`,
      'the project page online with its document',
      30_000,
      listed!.documentId,
    );
    expect(shown).toMatchObject({ name: PROJECT, hash: '' });
    expect(shown.document).toContain('facade-nord.png');
    expect(shown.facts).toEqual({
      peerConnection: 'undefined',
      getUserMedia: 'function',
      getDisplayMedia: 'function',
      setSinkId: false,
      contentHint: true,
      vendor: 'Apple Computer, Inc.',
      secure: true,
    });
    // The join card says, beside its button, that the meeting cannot be joined from here, and what to use.
    expect(shown.line).toContain('pas de WebRTC');
    expect(shown.line).toContain('Firefox');

    // Another member on a project socket; WebKit writes (Enter sends on a computer), the member reads, and back.
    const { c: other } = await helloSession(t, { projectId: PROJECT, userId: 'u-Omar', displayName: 'Omar', role: 'member' });
    clients.push(other);
    await webkit.type('[data-testid="chat-input"]', `${FROM_WEBKIT}\uE007`);
    const received = await other.waitFor('chatMessage', ({ message }) => message.kind === 'text', 20_000);
    expect(received.message).toMatchObject({ text: FROM_WEBKIT, author: { userId: 'u-Wendy', displayName: 'Wendy' } });

    await other.request('chatSend', { clientMessageId: 'webkit-e2e-reply-1', text: TO_WEBKIT });
    const counts = await webkit.waitFor<number[]>(
      `const sent = (text) => [...document.querySelectorAll('[data-testid="chat-message"][data-status="sent"] [data-testid="chat-text"]')].filter((el) => el.textContent === text).length;
       const counts = [sent(arguments[0]), sent(arguments[1])];
       return counts[1] > 0 && counts[0] > 0 && counts;`,
      'both messages shown as sent',
      20_000,
      FROM_WEBKIT,
      TO_WEBKIT,
    );
    // Each once: the sender's pending copy was replaced by the server's, not added to.
    expect(counts).toEqual([1, 1]);
  });

  it("opens a meeting link on the join screen, with the mock camera, and says why it cannot join, in French then English", async () => {
    await webkit.goto(await link(`/p/${PROJECT}/r/${ROOM}`, 'Wendy'));
    // The camera works without WebRTC: the preview plays WebKit's mock device.
    const lobby = await webkit.waitFor<{ cameras: string[]; notice: string; role: string; lang: string; joinDisabled: boolean }>(
      `const video = document.querySelector('[data-testid="join"] .join__preview video');
       const notice = document.querySelector('[data-testid="join"] [data-testid="no-webrtc"]');
       // The device list is read again once the camera opens: its labels (unnamed until then) may
       // come after the preview's first frame.
       const mock = [...document.querySelectorAll('#video-input option')].some((option) => /mock video device/i.test(option.textContent));
       return video && video.videoWidth > 0 && video.readyState >= 2 && notice && mock && {
         cameras: [...document.querySelectorAll('#video-input option')].map((option) => option.textContent),
         notice: notice.textContent,
         role: notice.getAttribute('role'),
         lang: document.documentElement.lang,
         joinDisabled: document.querySelector('[data-testid="join-button"]').disabled,
       };`,
      "the join screen with the camera preview playing and WebKit's mock camera listed",
      30_000,
    );
    expect(lobby.cameras.some((label) => /mock video device/i.test(label))).toBe(true);
    expect(lobby).toMatchObject({ role: 'alert', lang: 'fr', joinDisabled: true });
    expect(lobby.notice).toContain('Pas de réunion audio ou vidéo dans ce navigateur');
    expect(lobby.notice).toContain('Il lui manque WebRTC');
    expect(lobby.notice).toContain('Safari sur iPhone');

    await webkit.click('[data-testid="lang-switch"]');
    const english = await webkit.waitFor<string>(
      `const el = document.querySelector('[data-testid="no-webrtc"]');
       // Still on the join screen: nothing failed behind the notice.
       return document.documentElement.lang === 'en' && el && document.querySelector('[data-testid="join"]') && el.textContent`,
      'the notice in English',
    );
    expect(english).toContain('No audio or video meetings in this browser');
    expect(english).toContain('Open this link in Chrome, Edge or Firefox');
  });
});
