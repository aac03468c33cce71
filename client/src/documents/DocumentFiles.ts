/**
 * Getting at a document's bytes. The HTTP API wants a bearer token, which a
 * plain <a href> or <img src> cannot send: so the file or thumbnail is
 * fetched with the token and handed to the browser as an object URL. This
 * class owns those URLs (revoking them), the thumbnails' cache, and the
 * windows it opens. Used by the documents list and by chat attachments.
 */
import { signal, type Signal } from '@preact/signals';
import type { DocumentRef } from '@chantier/signaling/protocol';
import type { ProjectApi } from '../api/ProjectApi';
import { errorCodeOf, type AppErrorCode } from '../errors';
import { createLogger } from '../log';
import { isViewable } from './kinds';

const log = createLogger('documents');

/** A viewer tab reads its object URL at once; after this it is freed. */
const OPENED_URL_LIFETIME_MS = 60_000;

/** What the UI may ask for. */
export interface FileActions {
  /** PDF and images in a new tab, anything else downloaded. Call from the click itself (pop-up blockers). */
  open(document: DocumentRef): void;
  download(document: DocumentRef): void;
  /** Fetches the thumbnail once; its URL then appears in `thumbnails`. */
  loadThumbnail(document: Pick<DocumentRef, 'documentId' | 'mimeType'>): void;
  dismissError(): void;
}

/** The browser objects used, so that tests can fake them. */
export interface FilesEnvironment {
  open(url: string): WindowProxy | null;
  createObjectURL(blob: Blob): string;
  revokeObjectURL(url: string): void;
  /** Saves a blob under a name (an <a download> click). */
  save(url: string, name: string): void;
  setTimeout(handler: () => void, ms: number): unknown;
}

export function browserFilesEnvironment(win: Window): FilesEnvironment {
  return {
    open: (url) => win.open(url, '_blank'),
    createObjectURL: (blob) => URL.createObjectURL(blob),
    revokeObjectURL: (url) => URL.revokeObjectURL(url),
    save: (url, name) => {
      const link = win.document.createElement('a');
      link.href = url;
      link.download = name;
      link.rel = 'noopener';
      link.style.display = 'none';
      win.document.body.append(link);
      link.click();
      link.remove();
    },
    setTimeout: (handler, ms) => win.setTimeout(handler, ms),
  };
}

export class DocumentFiles implements FileActions {
  /** documentId → object URL of its thumbnail, or null when it has none. */
  readonly thumbnails: Signal<ReadonlyMap<string, string | null>> = signal(new Map());
  /** The last open/download failure, shown until dismissed. */
  readonly error: Signal<AppErrorCode | null> = signal(null);
  private readonly requested = new Set<string>();
  private disposed = false;

  constructor(
    private readonly api: ProjectApi,
    private readonly env: FilesEnvironment,
  ) {}

  open(document: DocumentRef): void {
    if (!isViewable(document.mimeType)) {
      this.download(document);
      return;
    }
    // Opened now, within the click, or the pop-up blocker refuses it; the
    // file arrives later. Without the opener link the new tab cannot reach
    // back into this page.
    const viewer = this.env.open('about:blank');
    if (viewer) viewer.opener = null;
    this.fetchInto(document, true, (url) => {
      if (viewer && !viewer.closed) viewer.location.href = url;
      else this.env.save(url, document.name); // blocked: download it instead
    }, () => viewer?.close());
  }

  download(document: DocumentRef): void {
    this.fetchInto(document, false, (url) => this.env.save(url, document.name), () => {});
  }

  loadThumbnail(document: Pick<DocumentRef, 'documentId' | 'mimeType'>): void {
    const { documentId } = document;
    if (this.requested.has(documentId)) return;
    this.requested.add(documentId);
    if (!isViewable(document.mimeType)) {
      this.setThumbnail(documentId, null);
      return;
    }
    this.api
      .thumbnail(documentId)
      .then((blob) => {
        if (this.disposed) return;
        this.setThumbnail(documentId, this.env.createObjectURL(blob));
      })
      .catch((error: unknown) => {
        // 404: this document has none (a PDF that would not render). Not an error to show.
        if (errorCodeOf(error) !== 'NOT_FOUND') log.debug(`no thumbnail for ${documentId}`, error);
        this.setThumbnail(documentId, null);
      });
  }

  /** The document is gone: free its thumbnail. */
  forget(documentId: string): void {
    const url = this.thumbnails.value.get(documentId);
    if (url) this.env.revokeObjectURL(url);
    this.requested.delete(documentId);
    const next = new Map(this.thumbnails.value);
    next.delete(documentId);
    this.thumbnails.value = next;
  }

  dismissError(): void {
    this.error.value = null;
  }

  dispose(): void {
    this.disposed = true;
    for (const url of this.thumbnails.value.values()) if (url) this.env.revokeObjectURL(url);
    this.thumbnails.value = new Map();
  }

  private setThumbnail(documentId: string, url: string | null): void {
    this.thumbnails.value = new Map(this.thumbnails.value).set(documentId, url);
  }

  private fetchInto(document: DocumentRef, inline: boolean, use: (url: string) => void, onFailure: () => void): void {
    this.error.value = null;
    this.api
      .download(document.documentId, inline)
      .then((blob) => {
        const url = this.env.createObjectURL(blob);
        use(url);
        this.env.setTimeout(() => this.env.revokeObjectURL(url), OPENED_URL_LIFETIME_MS);
      })
      .catch((error: unknown) => {
        log.warn(`cannot get ${document.documentId}`, error);
        onFailure();
        this.error.value = errorCodeOf(error);
      });
  }
}
