import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SNIFF_BYTES } from './kinds.js';

/** An upload written to a temp file: its digest, its size and its first bytes for sniffing. */
export interface ReceivedFile {
  readonly tempPath: string;
  readonly sha256: string;
  readonly size: number;
  readonly head: Buffer;
}

/** The upload passed the size limit; its temp file is already deleted. */
export class UploadTooLargeError extends Error {
  override readonly name = 'UploadTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
  }
}

/** The upload's own stream failed (client gone, malformed multipart body); its temp file is already deleted. */
export class UploadInterruptedError extends Error {
  override readonly name = 'UploadInterruptedError';
  constructor(override readonly cause: unknown) {
    super('the upload was interrupted or malformed');
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Document bytes on disk, content-addressed:
 *   <root>/tmp/<random>.part          uploads being received
 *   <root>/sha256/<2 hex>/<64 hex>    the files, named by their SHA-256
 *   <root>/thumbs/<64 hex>.jpg        their thumbnails
 * A file reaches its final name only by rename() from a complete, fsynced
 * temp file, so a crash never leaves a partial file under a final name. The
 * same bytes are stored once. Paths are built only from hex digests this
 * class computed or checked, never from a client's input.
 *
 * This class does not count references: DocumentLibrary decides when a file
 * may be deleted, under a Redis lock.
 */
export class BlobStore {
  readonly tmpDir: string;
  readonly blobsDir: string;
  readonly thumbsDir: string;

  constructor(readonly root: string) {
    this.tmpDir = join(root, 'tmp');
    this.blobsDir = join(root, 'sha256');
    this.thumbsDir = join(root, 'thumbs');
  }

  async init(): Promise<void> {
    for (const dir of [this.tmpDir, this.blobsDir, this.thumbsDir]) await mkdir(dir, { recursive: true });
  }

  /** A fresh path in the temp dir (the file does not exist yet). */
  newTempPath(suffix = '.part'): string {
    return join(this.tmpDir, `${randomBytes(12).toString('base64url')}${suffix}`);
  }

  /**
   * Streams `source` into a temp file while hashing and counting it. Past
   * `maxBytes` it stops reading and throws UploadTooLargeError; a failure
   * of `source` itself becomes UploadInterruptedError (the client's fault,
   * not ours); anything else (disk full...) is rethrown as is. On every
   * failure the temp file is deleted first.
   */
  async receive(source: Readable, maxBytes: number): Promise<ReceivedFile> {
    const tempPath = this.newTempPath();
    const meter = new Meter(maxBytes);
    const writer = createWriteStream(tempPath, { flags: 'wx' });
    // pipeline() passes the first error on to every stream, so which one
    // failed FIRST tells the client's fault (source) from ours (disk). The
    // source may have failed already, before it was handed over: the
    // multipart parser destroys a part with the body's error (no closing
    // boundary) as soon as it finds it, maybe before the route reads it.
    let firstFailure: 'source' | 'ours' | undefined = source.errored ? 'source' : undefined;
    const onSourceError = (): void => {
      firstFailure ??= 'source';
    };
    const onOwnError = (): void => {
      firstFailure ??= 'ours';
    };
    source.on('error', onSourceError);
    meter.on('error', onOwnError);
    writer.on('error', onOwnError);
    try {
      await pipeline(source, meter, writer);
      await fsync(tempPath);
    } catch (error) {
      // The file may still be opening: delete it only once the writer is
      // closed. (Not events.once(): it would reject on the writer's 'error'.)
      if (!writer.closed) await new Promise<void>((resolve) => writer.once('close', () => resolve()));
      await removeIfPresent(tempPath);
      if (firstFailure === 'source') throw new UploadInterruptedError(error);
      throw error;
    } finally {
      source.off('error', onSourceError);
    }
    return { tempPath, sha256: meter.digest(), size: meter.size, head: meter.head() };
  }

  /** Deletes a temp file (a refused upload). */
  async discard(file: ReceivedFile): Promise<void> {
    await this.discardTemp(file.tempPath);
  }

  /**
   * Moves a received file to its content address, or drops it when those
   * bytes are already stored. The caller holds the file's lock, so that a
   * concurrent delete of the last reference cannot remove it in between.
   */
  async commit(file: ReceivedFile): Promise<void> {
    const target = this.blobPath(file.sha256);
    if (await exists(target)) {
      await removeIfPresent(file.tempPath);
      return;
    }
    await mkdir(join(this.blobsDir, file.sha256.slice(0, 2)), { recursive: true });
    await rename(file.tempPath, target);
  }

  blobPath(sha256: string): string {
    checkDigest(sha256);
    return join(this.blobsDir, sha256.slice(0, 2), sha256);
  }

  thumbnailPath(sha256: string): string {
    checkDigest(sha256);
    return join(this.thumbsDir, `${sha256}.jpg`);
  }

  /** The stored file, opened for reading; undefined when it is not there. */
  async open(sha256: string): Promise<FileHandle | undefined> {
    return openIfPresent(this.blobPath(sha256));
  }

  /** The file's thumbnail, opened for reading; undefined when it has none. */
  async openThumbnail(sha256: string): Promise<FileHandle | undefined> {
    return openIfPresent(this.thumbnailPath(sha256));
  }

  /** Moves a finished thumbnail (written to a newTempPath('.jpg')) to its content address. */
  async commitThumbnail(tempPath: string, sha256: string): Promise<void> {
    await rename(tempPath, this.thumbnailPath(sha256));
  }

  /** Deletes a temp file if it is there. */
  async discardTemp(tempPath: string): Promise<void> {
    await removeIfPresent(tempPath);
  }

  async hasThumbnail(sha256: string): Promise<boolean> {
    return exists(this.thumbnailPath(sha256));
  }

  /** Deletes a file and its thumbnail (the caller checked that nothing uses them). */
  async remove(sha256: string): Promise<void> {
    await removeIfPresent(this.blobPath(sha256));
    await removeIfPresent(this.thumbnailPath(sha256));
  }

  /**
   * Deletes temp files older than `olderThanMs`: what a crash in the middle
   * of an upload left. Old enough that no upload still running (on this node
   * or another sharing the directory) can own them. Returns how many.
   */
  async sweepTemp(olderThanMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const entry of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, entry);
      try {
        if (now - (await stat(path)).mtimeMs > olderThanMs) {
          await unlink(path);
          removed++;
        }
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return removed;
  }
}

/** Counts, hashes and keeps the first bytes of what passes through; fails past the limit. */
class Meter extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new UploadTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    if (this.headLength < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headLength);
      this.headChunks.push(Buffer.from(part));
      this.headLength += part.length;
    }
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  head(): Buffer {
    return Buffer.concat(this.headChunks);
  }
}

function checkDigest(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${JSON.stringify(sha256)}`);
}

/** Flushes the file's data to disk, so that the rename that follows never names an empty file after a power cut. */
async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function openIfPresent(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

async function removeIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
