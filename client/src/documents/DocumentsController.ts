/**
 * The project's documents list: loading it, uploading with progress,
 * deleting, sharing into the chat. The only writer of DocumentsState.
 * Every public action resolves, never rejects: failures end up in state.
 */
import { computed, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { DocumentRef, Role } from '@chantier/signaling/protocol';
import { toDocumentRef, type ProjectApi, type ProjectDocument } from '../api/ProjectApi';
import { errorCodeOf, type AppErrorCode } from '../errors';
import { createLogger } from '../log';

const log = createLogger('documents');

export interface UploadItem {
  uploadId: string;
  name: string;
  size: number;
  loaded: number;
  status: 'uploading' | 'failed';
  error: AppErrorCode | null;
}

export interface DocumentsState {
  /** Every version, as the server lists them (newest upload first). */
  all: Signal<readonly ProjectDocument[]>;
  /** The newest version of each name: what the list shows. */
  latest: ReadonlySignal<readonly ProjectDocument[]>;
  loaded: Signal<boolean>;
  loadError: Signal<AppErrorCode | null>;
  uploads: Signal<readonly UploadItem[]>;
  /** Documents being deleted or shared: their buttons wait. */
  busy: Signal<ReadonlySet<string>>;
  /** The last delete or share failure. */
  actionError: Signal<AppErrorCode | null>;
}

export function createDocumentsState(): DocumentsState {
  const all = signal<readonly ProjectDocument[]>([]);
  return {
    all,
    latest: computed(() => all.value.filter((d) => d.latest)),
    loaded: signal(false),
    loadError: signal<AppErrorCode | null>(null),
    uploads: signal<readonly UploadItem[]>([]),
    busy: signal<ReadonlySet<string>>(new Set()),
    actionError: signal<AppErrorCode | null>(null),
  };
}

/** Who may delete: the uploader or an owner of the project (the server checks it again). */
export function canDelete(document: Pick<ProjectDocument, 'uploadedBy'>, self: { userId: string; role: Role } | null): boolean {
  return self !== null && (self.role === 'owner' || document.uploadedBy.userId === self.userId);
}

/** What the UI may ask for. */
export interface DocumentsActions {
  refresh(): Promise<void>;
  upload(file: File): Promise<void>;
  dismissUpload(uploadId: string): void;
  remove(documentId: string): Promise<void>;
  share(documentId: string): Promise<void>;
  dismissError(): void;
}

export interface DocumentsControllerOptions {
  state: DocumentsState;
  api: ProjectApi;
  /** Posts a document into the chat. */
  share: (document: DocumentRef) => Promise<void>;
  /** A document is gone (its thumbnail can be freed). */
  onRemoved?: (documentId: string) => void;
}

export class DocumentsController implements DocumentsActions {
  readonly state: DocumentsState;
  private readonly api: ProjectApi;
  private readonly shareInChat: (document: DocumentRef) => Promise<void>;
  private readonly onRemoved: (documentId: string) => void;
  private nextUploadId = 1;
  /** Bumped by each refresh: an older answer arriving late is dropped. */
  private refreshes = 0;

  constructor(options: DocumentsControllerOptions) {
    this.state = options.state;
    this.api = options.api;
    this.shareInChat = options.share;
    this.onRemoved = options.onRemoved ?? (() => {});
  }

  async refresh(): Promise<void> {
    const { state } = this;
    const refresh = ++this.refreshes;
    try {
      const documents = await this.api.documents();
      if (refresh !== this.refreshes) return;
      state.all.value = documents;
      state.loadError.value = null;
      state.loaded.value = true;
    } catch (error) {
      if (refresh !== this.refreshes) return;
      log.warn('documents not loaded', error);
      state.loadError.value = errorCodeOf(error);
    }
  }

  /** A document seen in the chat: reload the list if it is one we do not have yet. */
  noteShared(document: DocumentRef): void {
    // refresh() catches everything itself.
    if (!this.state.all.value.some((d) => d.documentId === document.documentId)) void this.refresh();
  }

  async upload(file: File): Promise<void> {
    const { state } = this;
    const uploadId = `upload-${this.nextUploadId++}`;
    const item: UploadItem = { uploadId, name: file.name, size: file.size, loaded: 0, status: 'uploading', error: null };
    state.uploads.value = [...state.uploads.value, item];
    const change = (patch: Partial<UploadItem>): void => {
      state.uploads.value = state.uploads.value.map((u) => (u.uploadId === uploadId ? { ...u, ...patch } : u));
    };
    try {
      const document = await this.api.upload(file, ({ loaded }) => change({ loaded }));
      state.uploads.value = state.uploads.value.filter((u) => u.uploadId !== uploadId);
      // At once in the list; the refresh then settles which versions are latest.
      state.all.value = [document, ...state.all.value.filter((d) => d.documentId !== document.documentId)];
      log.debug(`uploaded ${document.documentId}`);
      await this.refresh();
    } catch (error) {
      log.warn('upload failed', error);
      change({ status: 'failed', error: errorCodeOf(error) });
    }
  }

  dismissUpload(uploadId: string): void {
    this.state.uploads.value = this.state.uploads.value.filter((u) => u.uploadId !== uploadId);
  }

  async remove(documentId: string): Promise<void> {
    await this.withBusy(documentId, async () => {
      try {
        await this.api.remove(documentId);
      } catch (error) {
        // Already gone is what we wanted.
        if (errorCodeOf(error) !== 'NOT_FOUND') throw error;
      }
      this.state.all.value = this.state.all.value.filter((d) => d.documentId !== documentId);
      this.onRemoved(documentId);
      // An older version may now be the latest of its name.
      await this.refresh();
    });
  }

  async share(documentId: string): Promise<void> {
    const document = this.state.all.value.find((d) => d.documentId === documentId);
    if (!document) return;
    await this.withBusy(documentId, () => this.shareInChat(toDocumentRef(document)));
  }

  dismissError(): void {
    this.state.actionError.value = null;
  }

  private async withBusy(documentId: string, work: () => Promise<void>): Promise<void> {
    const { busy, actionError } = this.state;
    if (busy.value.has(documentId)) return;
    busy.value = new Set([...busy.value, documentId]);
    actionError.value = null;
    try {
      await work();
    } catch (error) {
      log.warn(`action on ${documentId} failed`, error);
      actionError.value = errorCodeOf(error);
    } finally {
      busy.value = new Set([...busy.value].filter((id) => id !== documentId));
    }
  }
}
