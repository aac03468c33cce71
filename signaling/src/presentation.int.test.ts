/**
 * Presenting a project document in a meeting: the view travels, not pixels.
 * Real app, real Redis, real documents on disk.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { minimalPdf } from './documents/fixtures.js';
import { ErrorCode, PROTOCOL_VERSION, type PresentationView } from './protocol/index.js';

const project = `present-${randomBytes(4).toString('hex')}`;
const cmid = (): string => randomBytes(9).toString('base64url');

const { app: t, clients } = useTestApp();

async function upload(name: string, bytes: Buffer, token: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const response = await fetch(`${t.url}/api/projects/${project}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { document: { documentId: string } }).document.documentId;
}

async function inMeeting(userId: string, displayName: string) {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  const token = await t.token({ projectId: project, userId, displayName });
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: project, roomId: 'reunion' });
  const joined = await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
  return { c, token, peerId: hello.peerId, joined };
}

describe('presenting a document', () => {
  it('syncs the presenter’s view, lands late joiners on it, and records it in the meeting and the chat', async () => {
    const lea = await inMeeting('lea', 'Léa');
    const bruno = await inMeeting('bruno', 'Bruno');
    const planId = await upload('plan-RDC.pdf', minimalPdf('plan RDC'), lea.token);
    // Every open page hears of a new document.
    await bruno.c.waitFor('documentsChanged', (d) => d.documentId === planId && d.change === 'added');
    const quoteId = await upload('devis.docx', Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(200)]), lea.token);

    // Only PDF and images can be presented; only one's own project's documents.
    expect((await lea.c.expectError(lea.c.request('presentStart', { documentId: quoteId }))).code).toBe(
      ErrorCode.UNSUPPORTED_TYPE,
    );
    expect((await lea.c.expectError(lea.c.request('presentStart', { documentId: 'nope' }))).code).toBe(ErrorCode.NOT_FOUND);

    const { presentation } = await lea.c.request('presentStart', { documentId: planId });
    expect(presentation).toMatchObject({ presenterPeerId: lea.peerId, document: { documentId: planId, name: 'plan-RDC.pdf' } });
    await bruno.c.waitFor('presentation', (d) => d.presentation?.presentationId === presentation.presentationId);

    const page3: PresentationView = { page: 3, zoom: 2.5, centerX: 0.3, centerY: 0.7, pointer: { x: 0.31, y: 0.69 } };
    await lea.c.request('presentUpdate', { presentationId: presentation.presentationId, view: page3 });
    expect((await bruno.c.waitFor('presentationView')).view).toEqual(page3);

    // Viewers cannot drive the presenter's view.
    expect(
      (await bruno.c.expectError(bruno.c.request('presentUpdate', { presentationId: presentation.presentationId, view: page3 }))).code,
    ).toBe(ErrorCode.FORBIDDEN);
    expect(
      (await bruno.c.expectError(bruno.c.rawRequest('presentUpdate', { presentationId: presentation.presentationId, view: { ...page3, zoom: 1e9 } }))).code,
    ).toBe(ErrorCode.BAD_REQUEST);

    const late = await inMeeting('chloe', 'Chloé');
    expect(late.joined.presentation?.view).toEqual(page3);

    // A document shared in the chat during the meeting is in the record too.
    await bruno.c.request('chatSend', { clientMessageId: cmid(), text: 'Le devis', documentId: quoteId });

    // The presenter leaves: the presentation ends for everyone.
    await lea.c.request('leave', {});
    await bruno.c.waitFor('presentation', (d) => d.presentation === null);
    await bruno.c.request('leave', {});
    await late.c.request('leave', {});

    const headers = { authorization: `Bearer ${bruno.token}` };
    const records = (await (await fetch(`${t.url}/api/projects/${project}/meetings`, { headers })).json()) as {
      meetings: Array<{ presentations: Array<{ document: { documentId: string; version: number }; by: { displayName: string } }>; documents: Array<{ documentId: string }> }>;
    };
    const record = records.meetings[0]!;
    expect(record.presentations).toEqual([
      expect.objectContaining({ document: expect.objectContaining({ documentId: planId, version: 1 }), by: { userId: 'lea', displayName: 'Léa' } }),
    ]);
    expect(record.documents.map((d) => d.documentId)).toEqual([quoteId]);
    const chat = (await (await fetch(`${t.url}/api/projects/${project}/chat`, { headers })).json()) as {
      messages: Array<{ kind: string; attachment?: { documentId: string } }>;
    };
    expect(chat.messages.filter((m) => m.kind === 'document-presented').map((m) => m.attachment?.documentId)).toEqual([planId]);
  });
});
