/**
 * Marking up a presented document together (issue 17), on the real server:
 * real Redis, real mediasoup workers, real documents on disk, several
 * TestClients in one meeting. The saved PDF is read back with pdf.js and
 * checked with qpdf.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { joinMeeting, uploadDocument } from '../../test/meetingClient.js';
import { planPdf } from '../../test/pdf.js';
import type { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import {
  ErrorCode,
  MARKUP_LIMITS,
  MARKUP_PALETTE,
  type MarkInput,
  type Role,
} from './protocol/index.js';

const project = `markup-${randomBytes(4).toString('hex')}`;
const mid = (): string => `m-${randomBytes(6).toString('base64url')}`;

// Guests join without the lobby here: the lobby has its own tests.
const { app: t, clients } = useTestApp({ GUEST_LOBBY: 'off', UPLOADS_PER_MINUTE: '1000' });

const upload = (name: string, bytes: Uint8Array, token: string): Promise<string> => uploadDocument(t.url, project, token, name, bytes);

async function inMeeting(roomId: string, userId: string, displayName: string, role: Role = 'member') {
  const token = await t.token({ projectId: project, userId, displayName, role });
  const { c, peerId } = await joinMeeting(t.url, token, project, roomId);
  clients.push(c);
  return { c, token, peerId, userId };
}

const pen = (page = 1, points = [100, 700, 150, 720.123, 200, 690]): MarkInput => ({ markId: mid(), page, tool: 'pen', width: 2, points });
const pin = (x: number, y: number, text?: string): MarkInput => ({ markId: mid(), page: 1, tool: 'pin', width: 2, points: [x, y], ...(text ? { text } : {}) });

describe('marking up a presented document', () => {
  it('streams strokes, keeps marks once each, numbers pins, and follows the policy, erase and clear rights', async () => {
    const room = `r-${randomBytes(3).toString('hex')}`;
    const lea = await inMeeting(room, 'lea', 'Léa');
    const bruno = await inMeeting(room, 'bruno', 'Bruno');
    const mod = await inMeeting(room, 'marc', 'Marc', 'moderator');
    const planId = await upload('plan-R+1.pdf', planPdf(2), lea.token);
    const { presentation } = await lea.c.request('presentStart', { documentId: planId });
    const presentationId = presentation.presentationId;
    await bruno.c.waitFor('presentation', (d) => d.presentation?.presentationId === presentationId);

    // Default policy: the presenter and moderators draw; members do not.
    expect(await bruno.c.request('markupList', { presentationId })).toEqual({ policy: { drawers: 'presenter', guests: false }, marks: [] });
    expect((await bruno.c.expectError(bruno.c.request('markupAdd', { presentationId, mark: pen() }))).code).toBe(ErrorCode.FORBIDDEN);
    const stroke = { presentationId, markId: mid(), page: 1, tool: 'pen' as const, width: 2, points: [10, 10, 20, 20] };
    expect((await bruno.c.expectError(bruno.c.request('markupStroke', stroke))).code).toBe(ErrorCode.FORBIDDEN);
    expect((await bruno.c.expectError(bruno.c.request('markupPolicy', { presentationId, drawers: 'all' }))).code).toBe(ErrorCode.FORBIDDEN);
    expect((await bruno.c.expectError(bruno.c.request('markupStroke', { ...stroke, presentationId: 'gone' }))).code).toBe(ErrorCode.NOT_FOUND);

    // A stroke being drawn reaches the others, with the author's colour; not the author.
    await lea.c.request('markupStroke', { ...stroke, points: [10, 10, 20, 20.004] });
    for (const other of [bruno, mod]) {
      expect(await other.c.waitFor('markupStroke')).toEqual({ ...stroke, points: [10, 10, 20, 20], peerId: lea.peerId, color: MARKUP_PALETTE[0] });
    }

    // The final mark: stored as the server completes it, sent to the others.
    const first = pen();
    const added = await lea.c.request('markupAdd', { presentationId, mark: first });
    expect(added.mark).toMatchObject({ ...first, points: [100, 700, 150, 720.12, 200, 690], documentId: planId, color: MARKUP_PALETTE[0], authorId: 'lea', authorName: 'Léa' });
    expect((await bruno.c.waitFor('markupAdded')).mark).toEqual(added.mark);

    // The presenter opens markup to all; everyone else hears it.
    expect(await lea.c.request('markupPolicy', { presentationId, drawers: 'all' })).toEqual({ policy: { drawers: 'all', guests: false } });
    await bruno.c.waitFor('markupPolicy', (d) => d.policy.drawers === 'all');
    // ... but only a moderator lets guests draw.
    expect((await lea.c.expectError(lea.c.request('markupPolicy', { presentationId, guests: true }))).code).toBe(ErrorCode.FORBIDDEN);

    // Pins are numbered by the server; a re-sent markId (a retry) is one mark with one number.
    const brunoPin = pin(400, 400, 'Fissure');
    const once = await bruno.c.request('markupAdd', { presentationId, mark: brunoPin });
    expect(once.mark).toMatchObject({ pin: 1, color: MARKUP_PALETTE[1], text: 'Fissure' });
    const again = await bruno.c.request('markupAdd', { presentationId, mark: brunoPin });
    expect(again.mark).toEqual(once.mark);
    const leaPin = await lea.c.request('markupAdd', { presentationId, mark: pin(500, 500) });
    expect(leaPin.mark.pin).toBe(2);
    await mod.c.waitFor('markupAdded', (d) => d.mark.markId === leaPin.mark.markId);
    expect(mod.c.notificationsOf('markupAdded').filter((d) => d.mark.markId === brunoPin.markId)).toHaveLength(1);
    // Someone else's markId is not theirs to re-send.
    expect((await lea.c.expectError(lea.c.request('markupAdd', { presentationId, mark: brunoPin }))).code).toBe(ErrorCode.BAD_REQUEST);

    // Erase: one's own (unknown ids ignored); another's is refused and nothing is erased.
    expect((await bruno.c.expectError(bruno.c.request('markupErase', { presentationId, markIds: [brunoPin.markId, first.markId] }))).code).toBe(ErrorCode.FORBIDDEN);
    expect((await bruno.c.request('markupList', { presentationId })).marks).toHaveLength(3);
    expect(await bruno.c.request('markupErase', { presentationId, markIds: [brunoPin.markId, 'never-drawn'] })).toEqual({ erased: [brunoPin.markId] });
    await lea.c.waitFor('markupErased', (d) => d.markIds.includes(brunoPin.markId));
    // Redo: the same markId again, the same pin number; a new pin never reuses a number.
    expect((await bruno.c.request('markupAdd', { presentationId, mark: brunoPin })).mark.pin).toBe(1);
    expect((await bruno.c.request('markupAdd', { presentationId, mark: pin(600, 600) })).mark.pin).toBe(3);
    // Moderators erase anyone's.
    expect(await mod.c.request('markupErase', { presentationId, markIds: [first.markId] })).toEqual({ erased: [first.markId] });

    // Clear a page: moderators only; the other page keeps its marks.
    const onPage2 = await lea.c.request('markupAdd', { presentationId, mark: pen(2) });
    expect((await lea.c.expectError(lea.c.request('markupClear', { presentationId, page: 1 }))).code).toBe(ErrorCode.FORBIDDEN);
    const cleared = await mod.c.request('markupClear', { presentationId, page: 1 });
    expect(cleared.erased).toHaveLength(3);
    await bruno.c.waitFor('markupCleared', (d) => d.page === 1 && d.markIds.length === 3);
    expect((await lea.c.request('markupList', { presentationId })).marks.map((m) => m.markId)).toEqual([onPage2.mark.markId]);

    // The presentation ends; the same document presented again (by another) shows the marks, policy back to default.
    const kept = await bruno.c.request('markupAdd', { presentationId, mark: pen(1) });
    await lea.c.request('presentStop', { presentationId });
    expect((await bruno.c.expectError(bruno.c.request('markupList', { presentationId }))).code).toBe(ErrorCode.NOT_FOUND);
    const again2 = await mod.c.request('presentStart', { documentId: planId });
    const late = await inMeeting(room, 'chloe', 'Chloé');
    const listed = await late.c.request('markupList', { presentationId: again2.presentation.presentationId });
    expect(listed.policy).toEqual({ drawers: 'presenter', guests: false });
    expect(listed.marks.map((m) => m.markId)).toEqual([onPage2.mark.markId, kept.mark.markId]);
  });

  it('lets guests draw only when a moderator allows it', async () => {
    const room = `r-${randomBytes(3).toString('hex')}`;
    const lea = await inMeeting(room, 'lea', 'Léa');
    const mod = await inMeeting(room, 'marc', 'Marc', 'moderator');
    const gus = await inMeeting(room, 'gus', 'Gus (plombier)', 'guest');
    const planId = await upload('coupe.pdf', planPdf(1), lea.token);
    const { presentation } = await lea.c.request('presentStart', { documentId: planId });
    const presentationId = presentation.presentationId;
    await lea.c.request('markupPolicy', { presentationId, drawers: 'all' });
    expect((await gus.c.expectError(gus.c.request('markupAdd', { presentationId, mark: pen() }))).code).toBe(ErrorCode.FORBIDDEN);
    await mod.c.request('markupPolicy', { presentationId, guests: true });
    await gus.c.waitFor('markupPolicy', (d) => d.policy.guests);
    expect((await gus.c.request('markupAdd', { presentationId, mark: pen() })).mark.authorName).toBe('Gus (plombier)');
    // The presenter closes markup again: the guest is out, the moderator still draws.
    await lea.c.request('markupPolicy', { presentationId, drawers: 'presenter' });
    expect((await gus.c.expectError(gus.c.request('markupAdd', { presentationId, mark: pen() }))).code).toBe(ErrorCode.FORBIDDEN);
    await mod.c.request('markupAdd', { presentationId, mark: pen() });
    // Saving: the presenter or a moderator.
    expect((await gus.c.expectError(gus.c.request('markupSave', { presentationId }))).code).toBe(ErrorCode.FORBIDDEN);
  });

  it('answers each limit with its own code and loses nothing already accepted', async () => {
    const room = `r-${randomBytes(3).toString('hex')}`;
    const lea = await inMeeting(room, 'lea', 'Léa');
    const planId = await upload('limites.pdf', planPdf(1), lea.token);
    const { presentation } = await lea.c.request('presentStart', { documentId: planId });
    const presentationId = presentation.presentationId;
    const tooLong = Array.from({ length: (MARKUP_LIMITS.pointsPerStroke + 1) * 2 }, (_, i) => Math.round((100 + (i % 500) / 7) * 100) / 100);
    expect((await lea.c.expectError(lea.c.request('markupAdd', { presentationId, mark: pen(1, tooLong) }))).code).toBe(ErrorCode.MARKUP_STROKE_TOO_LONG);
    expect((await lea.c.expectError(lea.c.request('markupStroke', { presentationId, markId: mid(), page: 1, tool: 'pen', width: 2, points: tooLong }))).code).toBe(
      ErrorCode.MARKUP_STROKE_TOO_LONG,
    );
    const longest = await lea.c.request('markupAdd', { presentationId, mark: pen(1, tooLong.slice(0, MARKUP_LIMITS.pointsPerStroke * 2)) });
    expect(longest.mark.points).toHaveLength(MARKUP_LIMITS.pointsPerStroke * 2);
    const note = (text: string): MarkInput => ({ markId: mid(), page: 1, tool: 'text', width: 2, points: [50, 50], text });
    expect((await lea.c.expectError(lea.c.request('markupAdd', { presentationId, mark: note('é'.repeat(MARKUP_LIMITS.textLength + 1)) }))).code).toBe(
      ErrorCode.MARKUP_TEXT_TOO_LONG,
    );
    await lea.c.request('markupAdd', { presentationId, mark: note('é'.repeat(MARKUP_LIMITS.textLength)) });
    expect((await lea.c.expectError(lea.c.request('markupAdd', { presentationId, mark: { ...pen(), tool: 'line', points: [1, 2, 3, 4, 5, 6] } }))).code).toBe(
      ErrorCode.BAD_REQUEST,
    );

    // Marks per page: fill page 1 to the limit through the store (the socket's budget would take a minute), then over it.
    const scope = { projectId: project, roomId: room, meetingId: (await t.app.meetings.current(project, room))!.meetingId, documentId: planId };
    for (let i = 2; i < MARKUP_LIMITS.marksPerPage; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, MARKUP_LIMITS.marksPerPage - i) }, () =>
          t.app.markup.store.add(scope, { ...pen(), documentId: planId, authorId: 'lea', authorName: 'Léa', createdAt: Date.now() }),
        ),
      );
    }
    expect((await lea.c.request('markupList', { presentationId })).marks).toHaveLength(MARKUP_LIMITS.marksPerPage);
    expect((await lea.c.expectError(lea.c.request('markupAdd', { presentationId, mark: pen() }))).code).toBe(ErrorCode.MARKUP_PAGE_FULL);
    // Page 2 is another page; erasing one on page 1 makes room again.
    await lea.c.request('markupAdd', { presentationId, mark: pen(2) });
    await lea.c.request('markupErase', { presentationId, markIds: [longest.mark.markId] });
    await lea.c.request('markupAdd', { presentationId, mark: pen() });
    expect((await lea.c.request('markupList', { presentationId })).marks).toHaveLength(MARKUP_LIMITS.marksPerPage + 1);

    // Operations per person per second: two tabs of one person share one budget (each socket's own limit is higher).
    const tab2 = await inMeeting(room, 'lea', 'Léa');
    // (The second tab is not the presenter: markup opens to all members.)
    await lea.c.request('markupPolicy', { presentationId, drawers: 'all' });
    const burst = Array.from({ length: 120 }, () => pen(2));
    const results = await Promise.allSettled([
      ...burst.slice(0, 60).map((mark) => lea.c.request('markupAdd', { presentationId, mark })),
      ...burst.slice(60).map((mark) => tab2.c.request('markupAdd', { presentationId, mark })),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length, 'some of the burst is refused').toBeGreaterThan(0);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.RATE_LIMITED });
    // Every accepted one is kept, none of the refused (markupList is not counted).
    const accepted = burst.filter((_, i) => results[i]!.status === 'fulfilled').map((m) => m.markId);
    const onPage2 = (await lea.c.request('markupList', { presentationId })).marks.filter((m) => m.page === 2).map((m) => m.markId);
    expect(onPage2.slice(1).sort()).toEqual([...accepted].sort());
  });
});
