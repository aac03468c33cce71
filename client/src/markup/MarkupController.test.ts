import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import type { Mark, NotificationData, NotificationType, Presentation, Role } from '@chantier/signaling/protocol';
import { SignalingError } from '../signaling/SignalingError';
import { MarkupController, type MarkupSelf, type MarkupSocket } from './MarkupController';

/** A socket that records requests, answers them as the test says, and lets it push notifications and resumes. */
class FakeSocket implements MarkupSocket {
  readonly sent: Array<{ type: string; data: Record<string, unknown> }> = [];
  readonly listeners = new Map<string, (data: unknown) => void>();
  resumed: (() => void) | null = null;
  answer: (type: string, data: Record<string, unknown>) => unknown = (type) => (type === 'markupList' ? { policy: { drawers: 'presenter', guests: false }, marks: [] } : {});
  async request(type: string, data: unknown): Promise<never> {
    this.sent.push({ type, data: data as Record<string, unknown> });
    return this.answer(type, data as Record<string, unknown>) as never;
  }
  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void {
    this.listeners.set(type, listener as (data: unknown) => void);
    return () => this.listeners.delete(type);
  }
  onResumed(listener: () => void): () => void {
    this.resumed = listener;
    return () => (this.resumed = null);
  }
  push<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    this.listeners.get(type)?.(data);
  }
  of(type: string) {
    return this.sent.filter((s) => s.type === type);
  }
}

const doc = { documentId: 'plan', name: 'plan.pdf', mimeType: 'application/pdf', size: 10, version: 1 };
const presentation: Presentation = {
  presentationId: 'p1',
  presenterPeerId: 'peer-lea',
  presenterName: 'Léa',
  document: doc,
  view: { page: 1, zoom: 1, centerX: 0.5, centerY: 0.5, pointer: null },
  startedAt: 1,
};
const settle = () => new Promise((r) => setTimeout(r, 0));

function stored(markId: string, authorId: string, extra: Partial<Mark> = {}): Mark {
  return { markId, documentId: 'plan', page: 1, tool: 'pen', width: 2, points: [0, 0, 10, 10], color: '#1f5fd6', authorId, authorName: authorId, createdAt: 5, ...extra };
}

function setup(role: Role = 'member', presenter = false) {
  const socket = new FakeSocket();
  const self = signal<MarkupSelf | null>({ peerId: presenter ? 'peer-lea' : 'peer-me', userId: 'u-me', displayName: 'Moi', role });
  const current = signal<Presentation | null>(null);
  let n = 0;
  const controller = new MarkupController({
    presentation: current,
    isPresenter: signal(presenter),
    self,
    newId: () => `m${++n}`,
  });
  controller.attach(socket);
  return { socket, controller, current };
}

describe('MarkupController', () => {
  it('lists the marks when a presentation starts, and follows the others’ marks', async () => {
    const { socket, controller, current } = setup();
    socket.answer = (type) => (type === 'markupList' ? { policy: { drawers: 'all', guests: false }, marks: [stored('a', 'u-lea')] } : {});
    current.value = presentation;
    await settle();
    expect(socket.of('markupList')).toEqual([{ type: 'markupList', data: { presentationId: 'p1' } }]);
    expect([...controller.state.marks.value.keys()]).toEqual(['a']);
    expect(controller.state.canDraw.value).toBe(true);
    socket.push('markupAdded', { presentationId: 'p1', mark: stored('b', 'u-lea') });
    socket.push('markupErased', { presentationId: 'p1', markIds: ['a'] });
    socket.push('markupAdded', { presentationId: 'other', mark: stored('c', 'u-lea') });
    expect([...controller.state.marks.value.keys()]).toEqual(['b']);
    socket.push('markupPolicy', { presentationId: 'p1', policy: { drawers: 'presenter', guests: false } });
    expect(controller.state.canDraw.value).toBe(false);
    current.value = null;
    expect(controller.state.marks.value.size).toBe(0);
  });

  it('lets guests draw only when markup is open to all and to guests', async () => {
    const { socket, controller, current } = setup('guest');
    current.value = presentation;
    await settle();
    expect(controller.state.canDraw.value).toBe(false);
    socket.push('markupPolicy', { presentationId: 'p1', policy: { drawers: 'all', guests: false } });
    expect(controller.state.canDraw.value).toBe(false);
    socket.push('markupPolicy', { presentationId: 'p1', policy: { drawers: 'all', guests: true } });
    expect(controller.state.canDraw.value).toBe(true);
  });

  it('shows one’s mark at once and takes the server’s version of it', async () => {
    const { socket, controller, current } = setup('member', true);
    socket.answer = (type, data) =>
      type === 'markupAdd' ? { mark: { ...stored('x', 'u-me'), ...(data.mark as object), color: '#e6194b', pin: 1 } } : { policy: { drawers: 'presenter', guests: false }, marks: [] };
    current.value = presentation;
    await settle();
    const adding = controller.add({ page: 1, tool: 'pin', width: 2, points: [5, 5] });
    expect(controller.state.marks.value.get('m1')).toMatchObject({ tool: 'pin', authorId: 'u-me' });
    expect(controller.state.pending.value.has('m1')).toBe(true);
    await adding;
    expect(controller.state.marks.value.get('m1')).toMatchObject({ color: '#e6194b', pin: 1 });
    expect(controller.state.pending.value.size).toBe(0);
  });

  it('puts back what the server refuses, with its code', async () => {
    const { socket, controller, current } = setup('member', true);
    current.value = presentation;
    await settle();
    socket.answer = () => {
      throw new SignalingError('MARKUP_PAGE_FULL' as never, 'page full');
    };
    await controller.add({ page: 1, tool: 'pen', width: 2, points: [0, 0, 1, 1] });
    expect(controller.state.marks.value.size).toBe(0);
    expect(controller.state.error.value).toBe('MARKUP_PAGE_FULL');
    expect(controller.state.canUndo.value).toBe(false);
  });

  it('sends a mark made during a cut once after the resume, with the same markId', async () => {
    const { socket, controller, current } = setup('member', true);
    current.value = presentation;
    await settle();
    const serverMarks: Mark[] = [];
    socket.answer = (type) => {
      if (type === 'markupAdd') throw new SignalingError('TIMEOUT', 'no answer');
      return { policy: { drawers: 'presenter', guests: false }, marks: serverMarks };
    };
    await controller.add({ page: 1, tool: 'rect', width: 2, points: [0, 0, 10, 10] });
    expect(controller.state.pending.value.has('m1')).toBe(true);
    expect(controller.state.marks.value.has('m1')).toBe(true);
    // Back: the list does not have it yet; it goes again, once.
    socket.answer = (type, data) => {
      if (type === 'markupAdd') {
        const mark = stored('m1', 'u-me', data.mark as Partial<Mark>);
        serverMarks.push(mark);
        return { mark };
      }
      return { policy: { drawers: 'presenter', guests: false }, marks: serverMarks };
    };
    socket.resumed?.();
    await settle();
    await settle();
    const adds = socket.of('markupAdd').map((s) => (s.data.mark as { markId: string }).markId);
    expect(adds).toEqual(['m1', 'm1']);
    expect(controller.state.pending.value.size).toBe(0);
    // Another resume: it is in the list now, nothing is sent again.
    socket.resumed?.();
    await settle();
    expect(socket.of('markupAdd')).toHaveLength(2);
    expect([...controller.state.marks.value.keys()]).toEqual(['m1']);
  });

  it('undoes by erasing, redoes by adding the same mark again', async () => {
    const { socket, controller, current } = setup('member', true);
    socket.answer = (type, data) => {
      if (type === 'markupAdd') return { mark: stored((data.mark as Mark).markId, 'u-me', data.mark as Partial<Mark>) };
      if (type === 'markupErase') return { erased: data.markIds };
      return { policy: { drawers: 'presenter', guests: false }, marks: [] };
    };
    current.value = presentation;
    await settle();
    await controller.add({ page: 1, tool: 'line', width: 2, points: [0, 0, 10, 10] });
    await controller.undo();
    expect(controller.state.marks.value.size).toBe(0);
    expect(socket.of('markupErase').at(-1)!.data).toEqual({ presentationId: 'p1', markIds: ['m1'] });
    await controller.redo();
    expect(controller.state.marks.value.has('m1')).toBe(true);
    expect(socket.of('markupAdd').map((s) => (s.data.mark as Mark).markId)).toEqual(['m1', 'm1']);
  });

  it('erases only one’s own marks, unless a moderator', async () => {
    const { socket, controller, current } = setup('member', true);
    socket.answer = (type, data) =>
      type === 'markupErase' ? { erased: data.markIds } : { policy: { drawers: 'presenter', guests: false }, marks: [stored('mine', 'u-me'), stored('theirs', 'u-lea')] };
    current.value = presentation;
    await settle();
    await controller.erase(['mine', 'theirs']);
    expect(socket.of('markupErase').map((s) => s.data.markIds)).toEqual([['mine']]);
    expect([...controller.state.marks.value.keys()]).toEqual(['theirs']);
  });

  it('shows others’ strokes while drawn, appended, until the mark lands', async () => {
    const { socket, controller, current } = setup();
    current.value = presentation;
    await settle();
    const stroke = { presentationId: 'p1', peerId: 'peer-lea', markId: 's1', page: 1, tool: 'pen' as const, color: '#1f5fd6', width: 2 };
    socket.push('markupStroke', { ...stroke, points: [0, 0, 1, 1] });
    socket.push('markupStroke', { ...stroke, points: [2, 2] });
    expect(controller.state.live.value.get('s1')?.points).toEqual([0, 0, 1, 1, 2, 2]);
    socket.push('markupAdded', { presentationId: 'p1', mark: stored('s1', 'u-lea') });
    expect(controller.state.live.value.size).toBe(0);
    // A late chunk after the mark is not drawn twice.
    socket.push('markupStroke', { ...stroke, points: [3, 3] });
    expect(controller.state.live.value.size).toBe(0);
  });
});
