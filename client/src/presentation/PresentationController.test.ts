import { describe, expect, it, vi } from 'vitest';
import type { NotificationData, NotificationType, Presentation, PresentationView } from '@chantier/signaling/protocol';
import type { RenderedDocument } from './documentRenderer';
import { PresentationController, SEND_INTERVAL_MS, type PresentationSocket } from './PresentationController';

/** A socket that records requests and lets the test push notifications. */
class FakeSocket implements PresentationSocket {
  readonly sent: Array<{ type: string; data: unknown }> = [];
  readonly listeners = new Map<string, (data: unknown) => void>();
  answer: (type: string, data: unknown) => unknown = () => ({});
  async request(type: string, data: unknown): Promise<never> {
    this.sent.push({ type, data });
    return this.answer(type, data) as never;
  }
  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void {
    this.listeners.set(type, listener as (data: unknown) => void);
    return () => this.listeners.delete(type);
  }
  push<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    this.listeners.get(type)?.(data);
  }
}

const doc = { documentId: 'plan', name: 'plan.pdf', mimeType: 'application/pdf', size: 10, version: 1 };
const view: PresentationView = { page: 1, zoom: 1, centerX: 0.5, centerY: 0.2, pointer: null };
const presentation = (presenterPeerId: string): Presentation => ({
  presentationId: 'p1',
  presenterPeerId,
  presenterName: 'Léa',
  document: doc,
  view,
  startedAt: 1,
});
const rendered: RenderedDocument = {
  kind: 'pdf',
  pageCount: 5,
  pageSize: async () => ({ width: 100, height: 140 }),
  pageFrame: async () => ({ viewBox: [0, 0, 100, 140], rotate: 0, userUnit: 1 }),
  render: async () => true,
  destroy: () => {},
};

function setup(selfPeerId: string) {
  const socket = new FakeSocket();
  const source = { documents: vi.fn(async () => []), download: vi.fn(async () => new Blob(['%PDF-'])) };
  const controller = new PresentationController(source, async () => rendered);
  controller.attach(socket, { peerId: selfPeerId });
  return { socket, source, controller };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('PresentationController', () => {
  it('lands a late joiner on the current view and loads the document once', async () => {
    const { controller, source } = setup('me');
    controller.joined({ presentation: { ...presentation('lea'), view: { ...view, page: 3, zoom: 2 } } });
    await settle();
    expect(controller.state.view.value).toMatchObject({ page: 3, zoom: 2 });
    expect(controller.state.document.value).toMatchObject({ status: 'ready', pageCount: 5 });
    expect(controller.state.isPresenter.value).toBe(false);
    expect(source.download).toHaveBeenCalledTimes(1);
  });

  it('follows the presenter, lets a viewer look around, and brings it back', async () => {
    const { controller, socket } = setup('me');
    socket.push('presentation', { presentation: presentation('lea') });
    await settle();
    socket.push('presentationView', { presentationId: 'p1', view: { ...view, page: 2 } });
    expect(controller.state.view.value?.page).toBe(2);
    controller.setView({ ...view, page: 2, zoom: 3 });
    expect(controller.state.following.value).toBe(false);
    socket.push('presentationView', { presentationId: 'p1', view: { ...view, page: 4 } });
    expect(controller.state.view.value).toMatchObject({ page: 2, zoom: 3 });
    controller.returnToPresenter();
    expect(controller.state.view.value?.page).toBe(4);
    // A viewer's own moves never go to the server.
    expect(socket.sent).toEqual([]);
    socket.push('presentation', { presentation: null });
    expect(controller.state.view.value).toBeNull();
    expect(controller.state.document.value.status).toBe('none');
  });

  it('sends the presenter’s moves at most every interval, ending on the latest one', async () => {
    vi.useFakeTimers();
    try {
      const { controller, socket } = setup('me');
      socket.answer = (type) => (type === 'presentStart' ? { presentation: presentation('me') } : {});
      await controller.start('plan');
      expect(controller.state.isPresenter.value).toBe(true);
      for (let i = 1; i <= 10; i++) controller.setView({ ...view, zoom: 1 + i / 10 });
      await vi.advanceTimersByTimeAsync(SEND_INTERVAL_MS * 3);
      const updates = socket.sent.filter((s) => s.type === 'presentUpdate');
      expect(updates.length).toBeLessThanOrEqual(2);
      expect((updates.at(-1)!.data as { view: PresentationView }).view.zoom).toBe(2);
      // Out-of-range values are clamped before they leave.
      controller.setView({ ...view, page: 50, zoom: 99 });
      await vi.advanceTimersByTimeAsync(SEND_INTERVAL_MS * 2);
      const last = socket.sent.at(-1)!.data as { view: PresentationView };
      expect(last.view).toMatchObject({ page: 5, zoom: 16 });
    } finally {
      vi.useRealTimers();
    }
  });
});
