/**
 * Presenting a project document in a meeting, on the meeting's socket (which
 * the RoomController owns and lends it, like the chat). The presenter's view
 * (page, zoom, visible area, pointer) is sent a few times a second at most;
 * viewers follow it, or look around on their own and come back to it. Each
 * participant downloads the document once and renders it itself, so a plan
 * stays crisp at any zoom over a weak link.
 *
 * The only writer of the presentation's signals; it owns the rendered
 * document (pdf.js), which never goes into state. Actions resolve, never
 * reject: failures go to `error` and the log.
 */
import { computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type {
  NotificationData,
  NotificationType,
  Presentation,
  PresentationView,
  RequestData,
  RequestType,
  ResponseData,
} from '@chantier/signaling/protocol';
import type { ProjectDocument } from '../api/ProjectApi';
import { errorCodeOf, type AppErrorCode } from '../errors';
import { createLogger } from '../log';
import type { PageFrame } from '../markup/geometry';
import type { RenderedDocument } from './documentRenderer';
import { clampView, FIRST_VIEW, placement, sameView, type Size } from './view';

const log = createLogger('presentation');

/** The presenter's view goes out at most this often (a trailing send keeps the last one). */
export const SEND_INTERVAL_MS = 80;

/** Only these can be presented: each participant renders them itself. */
export function isPresentable(mimeType: string): boolean {
  return /^(application\/pdf|image\/(png|jpeg|gif|webp))$/.test(mimeType);
}

export interface PresentationSocket {
  request<T extends RequestType>(type: T, data: RequestData<T>): Promise<ResponseData<T>>;
  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void;
}

/** Where the document's bytes come from (ProjectApi in the app, a fake in tests). */
export interface DocumentSource {
  documents(): Promise<ProjectDocument[]>;
  download(documentId: string, inline: boolean): Promise<Blob>;
}

export type DocumentStatus =
  | { status: 'none' }
  | { status: 'loading'; documentId: string }
  /**
   * `pageSize` is the size of the page in view (pages of a PDF may differ);
   * `pageFrame` places that page's own coordinates, in which marks are kept.
   */
  | { status: 'ready'; documentId: string; pageCount: number; pageSize: Size; pageFrame: PageFrame }
  | { status: 'error'; documentId: string };

export interface PresentationState {
  presentation: ReadonlySignal<Presentation | null>;
  isPresenter: ReadonlySignal<boolean>;
  /** A viewer follows the presenter unless it zoomed or moved on its own. */
  following: ReadonlySignal<boolean>;
  /** What this participant sees now. */
  view: ReadonlySignal<PresentationView | null>;
  document: ReadonlySignal<DocumentStatus>;
  pickerOpen: ReadonlySignal<boolean>;
  /** The project's documents that can be presented (latest versions), for the picker. */
  presentable: ReadonlySignal<ProjectDocument[] | null>;
  error: ReadonlySignal<AppErrorCode | null>;
}

export interface PresentationActions {
  openPicker(): Promise<void>;
  closePicker(): void;
  start(documentId: string): Promise<void>;
  stop(): Promise<void>;
  /** The presenter moves (sent to all), or a viewer looks around (local only). */
  setView(view: PresentationView): void;
  returnToPresenter(): void;
  /** Paints the current view onto the stage's canvas (called by the stage). */
  render(canvas: HTMLCanvasElement, stage: Size, pixelRatio: number): Promise<boolean>;
}

export class PresentationController implements PresentationActions {
  readonly state: PresentationState;
  readonly #presentation: Signal<Presentation | null> = signal(null);
  readonly #following = signal(true);
  readonly #localView: Signal<PresentationView | null> = signal(null);
  readonly #document: Signal<DocumentStatus> = signal({ status: 'none' });
  readonly #pickerOpen = signal(false);
  readonly #presentable: Signal<ProjectDocument[] | null> = signal(null);
  readonly #error: Signal<AppErrorCode | null> = signal(null);
  readonly #selfPeerId: Signal<string | null> = signal(null);
  #socket: PresentationSocket | null = null;
  #unsubscribe: Array<() => void> = [];
  #rendered: { documentId: string; doc: RenderedDocument } | null = null;
  #sendTimer: ReturnType<typeof setTimeout> | null = null;
  #lastSent = 0;

  /**
   * `open` turns a document's bytes into something that renders; by default
   * pdf.js, loaded on first use so that phones that never see a presentation
   * never download it.
   */
  constructor(
    private readonly source: DocumentSource,
    private readonly open: (bytes: ArrayBuffer, mimeType: string) => Promise<RenderedDocument> = async (bytes, mimeType) =>
      (await import('./documentRenderer')).openDocument(bytes, mimeType),
  ) {
    const isPresenter = computed(
      () => this.#presentation.value !== null && this.#presentation.value.presenterPeerId === this.#selfPeerId.value,
    );
    this.state = {
      presentation: this.#presentation,
      isPresenter,
      following: this.#following,
      view: computed(() => {
        const p = this.#presentation.value;
        if (!p) return null;
        if (isPresenter.value || this.#following.value) return p.view;
        return this.#localView.value ?? p.view;
      }),
      document: this.#document,
      pickerOpen: this.#pickerOpen,
      presentable: this.#presentable,
      error: this.#error,
    };
  }

  // ------------------------------------------------------- socket lending

  attach(socket: PresentationSocket, hello: { peerId: string }): void {
    this.detach();
    this.#socket = socket;
    this.#selfPeerId.value = hello.peerId;
    this.#unsubscribe.push(
      socket.onNotification('presentation', ({ presentation }) => this.#show(presentation)),
      socket.onNotification('presentationView', ({ presentationId, view }) => {
        const current = this.#presentation.value;
        if (current?.presentationId === presentationId) this.#presentation.value = { ...current, view };
      }),
    );
  }

  /** The join answer: a late joiner lands on the presenter's current view. */
  joined(answer: { presentation: Presentation | null }): void {
    this.#show(answer.presentation);
  }

  detach(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#socket = null;
    this.#cancelSend();
    this.#show(null);
  }

  // ---------------------------------------------------------------- actions

  async openPicker(): Promise<void> {
    this.#pickerOpen.value = true;
    this.#error.value = null;
    try {
      const all = await this.source.documents();
      this.#presentable.value = all.filter((d) => d.latest && isPresentable(d.mimeType));
    } catch (error) {
      log.warn('documents not listed', error);
      this.#error.value = errorCodeOf(error);
    }
  }

  closePicker(): void {
    this.#pickerOpen.value = false;
  }

  async start(documentId: string): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    this.#error.value = null;
    try {
      const { presentation } = await socket.request('presentStart', { documentId });
      this.#pickerOpen.value = false;
      this.#show(presentation);
    } catch (error) {
      log.warn('presentation not started', error);
      this.#error.value = errorCodeOf(error);
    }
  }

  async stop(): Promise<void> {
    const socket = this.#socket;
    const current = this.#presentation.value;
    if (!socket || !current || !this.state.isPresenter.value) return;
    this.#cancelSend();
    try {
      await socket.request('presentStop', { presentationId: current.presentationId });
      this.#show(null);
    } catch (error) {
      log.warn('presentation not stopped', error);
      this.#error.value = errorCodeOf(error);
    }
  }

  setView(view: PresentationView): void {
    const current = this.#presentation.value;
    const doc = this.#document.value;
    if (!current) return;
    const next = clampView(view, doc.status === 'ready' ? doc.pageCount : view.page);
    if (this.state.isPresenter.value) {
      if (sameView(next, current.view)) return;
      this.#presentation.value = { ...current, view: next };
      this.#scheduleSend();
    } else {
      this.#following.value = false;
      this.#localView.value = next;
    }
  }

  returnToPresenter(): void {
    this.#following.value = true;
    this.#localView.value = null;
  }

  /** True when this call's painting completed (not superseded by a newer one). */
  async render(canvas: HTMLCanvasElement, stage: Size, pixelRatio: number): Promise<boolean> {
    const rendered = this.#rendered;
    const view = this.state.view.value;
    const doc = this.#document.value;
    if (!rendered || !view || doc.status !== 'ready' || rendered.documentId !== doc.documentId) return false;
    try {
      const pageSize = await rendered.doc.pageSize(view.page);
      const pageFrame = await rendered.doc.pageFrame(view.page);
      const known = this.#document.value;
      if (
        known.status === 'ready' &&
        known.documentId === doc.documentId &&
        (!sameSize(known.pageSize, pageSize) || !sameFrame(known.pageFrame, pageFrame))
      ) {
        this.#document.value = { ...known, pageSize, pageFrame };
      }
      return await rendered.doc.render(view.page, canvas, placement(view, pageSize, stage), pixelRatio);
    } catch (error) {
      log.warn('page not rendered', error);
      return false;
    }
  }

  // --------------------------------------------------------------- private

  #show(presentation: Presentation | null): void {
    const previous = this.#presentation.value;
    this.#presentation.value = presentation;
    if (!presentation) {
      this.returnToPresenter();
      this.#unload();
      return;
    }
    if (previous?.presentationId !== presentation.presentationId) this.returnToPresenter();
    if (previous?.document.documentId !== presentation.document.documentId || this.#document.value.status === 'none') {
      void this.#load(presentation);
    }
  }

  async #load(presentation: Presentation): Promise<void> {
    const { documentId, mimeType } = presentation.document;
    this.#unload();
    this.#document.value = { status: 'loading', documentId };
    try {
      const blob = await this.source.download(documentId, false);
      const doc = await this.open(await blob.arrayBuffer(), mimeType);
      // Another presentation may have started while this one loaded.
      if (this.#presentation.value?.document.documentId !== documentId) {
        doc.destroy();
        return;
      }
      this.#rendered = { documentId, doc };
      const page = Math.min(presentation.view.page, doc.pageCount);
      this.#document.value = {
        status: 'ready',
        documentId,
        pageCount: doc.pageCount,
        pageSize: await doc.pageSize(page),
        pageFrame: await doc.pageFrame(page),
      };
    } catch (error) {
      log.error('document not loaded', error);
      if (this.#presentation.value?.document.documentId === documentId) {
        this.#document.value = { status: 'error', documentId };
        this.#error.value = errorCodeOf(error);
      }
    }
  }

  #unload(): void {
    this.#rendered?.doc.destroy();
    this.#rendered = null;
    this.#document.value = { status: 'none' };
  }

  #scheduleSend(): void {
    if (this.#sendTimer) return;
    const wait = Math.max(0, this.#lastSent + SEND_INTERVAL_MS - Date.now());
    this.#sendTimer = setTimeout(() => {
      this.#sendTimer = null;
      this.#lastSent = Date.now();
      const socket = this.#socket;
      const current = this.#presentation.value;
      if (!socket || !current || !this.state.isPresenter.value) return;
      socket
        .request('presentUpdate', { presentationId: current.presentationId, view: current.view })
        .catch((error: unknown) => log.warn('view not sent', error));
    }, wait);
  }

  #cancelSend(): void {
    if (this.#sendTimer) clearTimeout(this.#sendTimer);
    this.#sendTimer = null;
  }
}

function sameSize(a: Size, b: Size): boolean {
  return a.width === b.width && a.height === b.height;
}

function sameFrame(a: PageFrame, b: PageFrame): boolean {
  return a.rotate === b.rotate && a.userUnit === b.userUnit && a.viewBox.every((v, i) => v === b.viewBox[i]);
}

export { FIRST_VIEW };
