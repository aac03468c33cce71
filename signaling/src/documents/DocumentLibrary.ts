import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import type { DocumentMeta, DocumentStore } from '../store/documents.js';
import { UploadInterruptedError, UploadTooLargeError, type BlobStore, type ReceivedFile } from './BlobStore.js';
import { sniff, type DocumentKind } from './kinds.js';
import { sanitizeName } from './names.js';
import { makeThumbnail } from './thumbnails.js';

export interface Uploader {
  userId: string;
  displayName: string;
}

export interface DocumentLibraryOptions {
  store: DocumentStore;
  blobs: BlobStore;
  log: FastifyBaseLogger;
  maxUploadBytes: number;
}

/**
 * The document operations behind the HTTP API, in the order that keeps disk
 * and Redis consistent: receive into a temp file, check the type, store the
 * bytes under their digest and count the reference (under the file's lock),
 * make the thumbnail, then write the metadata. Each failure undoes what came
 * before it, so a refused or failed upload leaves no file and no reference.
 */
export class DocumentLibrary {
  private readonly store: DocumentStore;
  private readonly blobs: BlobStore;
  private readonly log: FastifyBaseLogger;
  private readonly maxUploadBytes: number;

  constructor(options: DocumentLibraryOptions) {
    this.store = options.store;
    this.blobs = options.blobs;
    this.log = options.log;
    this.maxUploadBytes = options.maxUploadBytes;
  }

  /** Throws AppError TOO_LARGE or UNSUPPORTED_TYPE (nothing kept), or whatever the disk or Redis threw. */
  async upload(projectId: string, uploader: Uploader, rawName: string, source: Readable): Promise<DocumentMeta> {
    const name = sanitizeName(rawName);
    const received = await this.receive(source);
    const kind = await this.checkType(received, name);

    try {
      // File first, then its count: should counting fail, the worst left is
      // a stored file nothing counts (kept), never a count of a missing file.
      await this.store.withBlobLock(received.sha256, async () => {
        await this.blobs.commit(received);
        await this.store.addBlobRef(received.sha256);
      });
    } catch (error) {
      await this.blobs.discard(received); // a no-op once committed (the temp file was renamed)
      throw error;
    }
    try {
      const thumbnail = kind.viewable ? await this.ensureThumbnail(kind.viewable, received.sha256) : false;
      const meta = await this.store.add(projectId, {
        name,
        mimeType: kind.mimeType,
        size: received.size,
        sha256: received.sha256,
        uploadedBy: { userId: uploader.userId, displayName: uploader.displayName },
        uploadedAt: Date.now(),
        thumbnail,
      });
      this.log.info({ projectId, documentId: meta.documentId, kind: kind.id, size: meta.size, version: meta.version }, 'document uploaded');
      return meta;
    } catch (error) {
      await this.release(received.sha256);
      throw error;
    }
  }

  /** Deletes the document; its file too when no other document uses it. NOT_FOUND if already gone. */
  async remove(projectId: string, documentId: string): Promise<void> {
    const removed = await this.store.remove(projectId, documentId);
    if (!removed) throw new AppError(ErrorCode.NOT_FOUND, 'no such document');
    await this.release(removed.sha256);
    this.log.info({ projectId, documentId }, 'document deleted');
  }

  /** The document's bytes, opened; NOT_FOUND (and an error logged) if its file is missing. */
  async openContent(meta: DocumentMeta): Promise<FileHandle> {
    const handle = await this.blobs.open(meta.sha256);
    if (handle) return handle;
    this.log.error({ documentId: meta.documentId, sha256: meta.sha256 }, 'document file missing on disk');
    throw new AppError(ErrorCode.NOT_FOUND, 'document content unavailable');
  }

  /** The document's thumbnail, opened; undefined if it has none. */
  async openThumbnail(meta: DocumentMeta): Promise<FileHandle | undefined> {
    return meta.thumbnail ? this.blobs.openThumbnail(meta.sha256) : undefined;
  }

  private async receive(source: Readable): Promise<ReceivedFile> {
    try {
      return await this.blobs.receive(source, this.maxUploadBytes);
    } catch (error) {
      if (error instanceof UploadTooLargeError) throw tooLargeError(this.maxUploadBytes);
      if (error instanceof UploadInterruptedError) throw new AppError(ErrorCode.BAD_REQUEST, error.message);
      throw error;
    }
  }

  private async checkType(received: ReceivedFile, name: string): Promise<DocumentKind> {
    const result = sniff(received.head, name);
    if (result.ok) return result.kind;
    await this.blobs.discard(received);
    throw new AppError(ErrorCode.UNSUPPORTED_TYPE, `"${name}" was refused: ${result.reason}`);
  }

  /**
   * Makes the file's thumbnail unless it exists already (thumbnails are
   * per content, shared like the files). Made before the upload is answered,
   * so that `thumbnail` in the metadata is true from the start; a failure
   * only costs the thumbnail, never the upload.
   */
  private async ensureThumbnail(viewable: 'pdf' | 'image', sha256: string): Promise<boolean> {
    if (await this.blobs.hasThumbnail(sha256)) return true;
    const temp = this.blobs.newTempPath('.jpg');
    try {
      await makeThumbnail(viewable, this.blobs.blobPath(sha256), temp);
      await this.blobs.commitThumbnail(temp, sha256);
      return true;
    } catch (error) {
      this.log.warn({ err: error, sha256 }, 'thumbnail failed; the document is kept without one');
      await this.blobs.discardTemp(temp);
      return false;
    }
  }

  /** Drops one reference to a file; deletes the file and its thumbnail at zero. */
  private async release(sha256: string): Promise<void> {
    await this.store.withBlobLock(sha256, async () => {
      if ((await this.store.dropBlobRef(sha256)) === 0) await this.blobs.remove(sha256);
    });
  }
}

/** TOO_LARGE with the limit in words. */
export function tooLargeError(maxBytes: number): AppError {
  return new AppError(ErrorCode.TOO_LARGE, `the file is larger than the ${formatBytes(maxBytes)} limit`);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}
