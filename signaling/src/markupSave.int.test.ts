/**
 * "Enregistrer dans le projet" on the real server: the marked-up document
 * becomes a new version in the project, read back with pdf.js in Node and
 * checked by qpdf; the meeting's record and the chat list it. An encrypted
 * PDF is refused and nothing is stored.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { joinMeeting, uploadDocument } from '../../test/meetingClient.js';
import { planPdf } from '../../test/pdf.js';
import { qpdfCheck, qpdfEncrypt, readAnnotations, rgb255 } from '../../test/pdfAnnotations.js';
import type { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { solidImage } from './documents/fixtures.js';
import { ErrorCode, MARKUP_PALETTE, type MarkInput, type MeetingRecord, type Role } from './protocol/index.js';

const project = `markup-save-${randomBytes(4).toString('hex')}`;
const mid = (): string => `m-${randomBytes(6).toString('base64url')}`;

const { app: t, clients } = useTestApp({ UPLOADS_PER_MINUTE: '1000' });

const upload = (name: string, bytes: Uint8Array, token: string): Promise<string> => uploadDocument(t.url, project, token, name, bytes);

async function api<T>(path: string, token: string): Promise<T> {
  const response = await fetch(`${t.url}/api/projects/${project}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function download(documentId: string, token: string): Promise<Uint8Array> {
  const response = await fetch(`${t.url}/api/projects/${project}/documents/${documentId}/download`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

async function inMeeting(roomId: string, userId: string, displayName: string, role: Role = 'member') {
  const token = await t.token({ projectId: project, userId, displayName, role });
  const { c, peerId } = await joinMeeting(t.url, token, project, roomId);
  clients.push(c);
  return { c, token, peerId };
}

const m = (page: number, tool: MarkInput['tool'], points: number[], extra: Partial<MarkInput> = {}): MarkInput => ({
  markId: mid(),
  page,
  tool,
  width: 2,
  points,
  ...extra,
});

describe('saving a marked-up document into the project', () => {
  it('stores the PDF as its next version with every mark a real annotation, listed by the record and the chat', async () => {
    const room = `r-${randomBytes(3).toString('hex')}`;
    const lea = await inMeeting(room, 'lea', 'Léa Martin');
    const bruno = await inMeeting(room, 'bruno', 'Bruno Lefèvre', 'moderator');
    const planId = await upload('plan-R+1.pdf', planPdf(2), lea.token);
    const { presentation } = await lea.c.request('presentStart', { documentId: planId });
    const presentationId = presentation.presentationId;
    const marks: Array<[TestClient, MarkInput]> = [
      [lea.c, m(1, 'pen', [100, 700, 150, 720, 200, 690])],
      [bruno.c, m(1, 'highlighter', [100, 600, 300, 600], { width: 12 })],
      [lea.c, m(1, 'line', [300, 200, 400, 250])],
      [bruno.c, m(1, 'arrow', [300, 300, 420, 360])],
      [lea.c, m(2, 'rect', [500, 100, 600, 180], { width: 4 })],
      [bruno.c, m(2, 'ellipse', [700, 100, 800, 160])],
      [lea.c, m(2, 'cloud', [100, 400, 300, 380, 320, 520, 120, 540])],
      [bruno.c, m(2, 'text', [700, 500], { text: 'Fissure à reprendre' })],
      [lea.c, m(1, 'pin', [800, 400], { text: 'Réservation Ø 200' })],
    ];
    const stored = [];
    for (const [c, mark] of marks) stored.push((await c.request('markupAdd', { presentationId, mark })).mark);

    const { document } = await lea.c.request('markupSave', { presentationId });
    expect(document).toMatchObject({ name: 'plan-R+1.pdf', version: 2, mimeType: 'application/pdf' });
    expect((await bruno.c.waitFor('markupSaved')).document).toEqual(document);

    const bytes = await download(document.documentId, lea.token);
    expect(await qpdfCheck(bytes)).toContain('No syntax or stream encoding errors');
    const read = await readAnnotations(bytes);
    const table = read.annotations.map((a) => `p${a.page} ${a.subtype.padEnd(8)} [${a.rect.map((v) => v.toFixed(1)).join(', ')}] ${JSON.stringify(a.color)} ${a.author} "${a.contents}" AP=${a.hasAppearance}`);
    console.log(`pdf.js getAnnotations() of the saved version:\n  ${table.join('\n  ')}`);
    const expectedSubtype = { pen: 'Ink', highlighter: 'Ink', line: 'Line', arrow: 'Line', rect: 'Square', ellipse: 'Circle', cloud: 'Polygon', text: 'FreeText', pin: 'Text' };
    expect(read.annotations).toHaveLength(marks.length);
    for (const mark of stored) {
      const a = read.annotations.find((x) => x.id === mark.markId);
      expect(a, mark.tool).toBeDefined();
      expect(a!.page).toBe(mark.page);
      expect(a!.subtype).toBe(expectedSubtype[mark.tool]);
      expect(a!.author).toBe(mark.authorName);
      expect(a!.hasAppearance).toBe(true);
      a!.color!.forEach((v, i) => expect(Math.abs(v - rgb255(mark.color)[i]!)).toBeLessThanOrEqual(1));
      // Every mark's points lie within its rect (1 pt of slack).
      for (let i = 0; i < mark.points.length; i += 2) {
        expect(mark.points[i]!).toBeGreaterThanOrEqual(a!.rect[0]! - 1);
        expect(mark.points[i]!).toBeLessThanOrEqual(a!.rect[2]! + 1);
        expect(mark.points[i + 1]!).toBeGreaterThanOrEqual(a!.rect[1]! - 1);
        expect(mark.points[i + 1]!).toBeLessThanOrEqual(a!.rect[3]! + 1);
      }
    }
    // Rects as drawn, within 1 pt: the rectangle and the pin.
    const rect = read.annotations.find((a) => a.subtype === 'Square')!;
    rect.rect.forEach((v, i) => expect(Math.abs(v - [498, 98, 602, 182][i]!)).toBeLessThanOrEqual(1));
    const pin = read.annotations.find((a) => a.subtype === 'Text')!;
    pin.rect.forEach((v, i) => expect(Math.abs(v - [800, 380, 820, 400][i]!)).toBeLessThanOrEqual(1));
    expect(pin.contents).toBe('Repère 1 : Réservation Ø 200');
    // Two authors, two colours.
    expect(new Set(stored.map((s) => s.color))).toEqual(new Set([MARKUP_PALETTE[0], MARKUP_PALETTE[1]]));

    // The project lists both versions; the meeting's record and the chat list the saved one.
    const listed = await api<{ documents: Array<{ documentId: string; name: string; version: number }> }>('/documents', lea.token);
    expect(listed.documents.filter((d) => d.name === 'plan-R+1.pdf').map((d) => d.version).sort()).toEqual([1, 2]);
    const current = await api<{ meeting: MeetingRecord }>(`/meetings/${room}/current`, lea.token);
    expect(current.meeting.saved).toEqual([
      expect.objectContaining({ document: document, from: expect.objectContaining({ documentId: planId, version: 1 }), by: { userId: 'lea', displayName: 'Léa Martin' } }),
    ]);
    const chat = await api<{ messages: Array<{ kind: string; attachment?: { documentId: string }; meetingId?: string }> }>('/chat', lea.token);
    expect(chat.messages.filter((x) => x.kind === 'markup-saved').map((x) => x.attachment?.documentId)).toEqual([document.documentId]);
    // The marks stay in the meeting.
    expect((await lea.c.request('markupList', { presentationId })).marks).toHaveLength(marks.length);
  });

  it('makes an image a one-page PDF at its own size, and refuses an encrypted PDF storing nothing', async () => {
    const room = `r-${randomBytes(3).toString('hex')}`;
    const lea = await inMeeting(room, 'lea', 'Léa Martin');
    const photoId = await upload('photo-chantier.png', await solidImage(640, 360, 'png'), lea.token);
    const photo = await lea.c.request('presentStart', { documentId: photoId });
    await lea.c.request('markupAdd', { presentationId: photo.presentation.presentationId, mark: m(1, 'cloud', [100, 100, 300, 100, 200, 250]) });
    const { document } = await lea.c.request('markupSave', { presentationId: photo.presentation.presentationId });
    expect(document).toMatchObject({ name: 'photo-chantier.pdf', version: 1, mimeType: 'application/pdf' });
    const read = await readAnnotations(await download(document.documentId, lea.token));
    expect(read.pages).toEqual([{ width: 640, height: 360, view: [0, 0, 640, 360] }]);
    expect(read.annotations.map((a) => [a.subtype, a.keys.IT])).toEqual([['Polygon', '/PolygonCloud']]);

    const lockedId = await upload('plan-verrouille.pdf', await qpdfEncrypt(planPdf(1)), lea.token);
    const locked = await lea.c.request('presentStart', { documentId: lockedId });
    await lea.c.request('markupAdd', { presentationId: locked.presentation.presentationId, mark: m(1, 'pen', [10, 10, 50, 50]) });
    const before = await api<{ documents: unknown[] }>('/documents', lea.token);
    const refused = await lea.c.expectError(lea.c.request('markupSave', { presentationId: locked.presentation.presentationId }));
    expect(refused.code).toBe(ErrorCode.DOCUMENT_UNREADABLE);
    expect((await api<{ documents: unknown[] }>('/documents', lea.token)).documents).toEqual(before.documents);
    const current = await api<{ meeting: MeetingRecord }>(`/meetings/${room}/current`, lea.token);
    expect(current.meeting.saved?.map((s) => s.document.documentId)).toEqual([document.documentId]);
    // Nothing was lost: the marks are still there to save once the file is fixed.
    expect((await lea.c.request('markupList', { presentationId: locked.presentation.presentationId })).marks).toHaveLength(1);
  });
});
