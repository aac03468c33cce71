import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore, UploadInterruptedError, UploadTooLargeError } from './BlobStore.js';
import { SNIFF_BYTES } from './kinds.js';

let root: string;
let blobs: BlobStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'chantier-blobs-'));
  blobs = new BlobStore(root);
  await blobs.init();
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A stream that yields `data` in chunks of `size` bytes, as a network upload does. */
function chunked(data: Buffer, size = 1000): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  return Readable.from(chunks, { objectMode: false });
}

/** A stream that yields some bytes, then fails like a client that went away. */
function failing(after: Buffer): Readable {
  return new Readable({
    read() {
      this.push(after);
      setImmediate(() => this.destroy(new Error('client went away')));
    },
  });
}

describe('BlobStore', () => {
  it('receives a stream into a temp file with its digest, size and first bytes', async () => {
    const data = Buffer.alloc(10_000, 7);
    data.write('%PDF-1.7');
    const received = await blobs.receive(chunked(data), 1_000_000);
    expect(received.sha256).toBe(sha256(data));
    expect(received.size).toBe(data.length);
    expect(received.head).toEqual(data.subarray(0, SNIFF_BYTES));
    expect(received.tempPath.startsWith(blobs.tmpDir)).toBe(true);
    expect(await readFile(received.tempPath)).toEqual(data);
  });

  it('accepts exactly the limit and refuses one byte more, deleting the temp file', async () => {
    const limit = 5000;
    const ok = await blobs.receive(chunked(Buffer.alloc(limit, 1)), limit);
    expect(ok.size).toBe(limit);
    await blobs.discard(ok);
    await expect(blobs.receive(chunked(Buffer.alloc(limit + 1, 1)), limit)).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(await readdir(blobs.tmpDir)).toEqual([]);
  });

  it('turns a failing upload stream into UploadInterruptedError and deletes the temp file', async () => {
    await expect(blobs.receive(failing(Buffer.alloc(3000, 2)), 1_000_000)).rejects.toBeInstanceOf(UploadInterruptedError);
    expect(await readdir(blobs.tmpDir)).toEqual([]);
  });

  it('treats a stream that failed before it was handed over as the client’s fault too', async () => {
    // The multipart parser destroys a part with the body's error as soon as it finds it (no closing boundary).
    const part = new Readable({ read() {} });
    part.on('error', () => {});
    part.destroy(new Error('Unexpected end of multipart data'));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(blobs.receive(part, 1_000_000)).rejects.toBeInstanceOf(UploadInterruptedError);
    expect(await readdir(blobs.tmpDir)).toEqual([]);
  });

  it('stores by content address, once for the same bytes', async () => {
    const data = Buffer.from('same bytes twice');
    const digest = sha256(data);
    const first = await blobs.receive(chunked(data), 1000);
    await blobs.commit(first);
    const second = await blobs.receive(chunked(data), 1000);
    await blobs.commit(second);

    expect(blobs.blobPath(digest)).toBe(join(root, 'sha256', digest.slice(0, 2), digest));
    expect(await readFile(blobs.blobPath(digest))).toEqual(data);
    expect(await readdir(join(root, 'sha256', digest.slice(0, 2)))).toEqual([digest]);
    expect(await readdir(blobs.tmpDir)).toEqual([]);
  });

  it('opens a stored file, and answers undefined for a missing one', async () => {
    const data = Buffer.from('content');
    await blobs.commit(await blobs.receive(chunked(data), 1000));
    const handle = await blobs.open(sha256(data));
    expect(handle).toBeDefined();
    expect(await handle?.readFile()).toEqual(data);
    await handle?.close();
    expect(await blobs.open('0'.repeat(64))).toBeUndefined();
  });

  it('removes a file and its thumbnail', async () => {
    const data = Buffer.from('to be removed');
    const digest = sha256(data);
    await blobs.commit(await blobs.receive(chunked(data), 1000));
    const thumb = blobs.newTempPath('.jpg');
    await writeFile(thumb, 'jpeg');
    await blobs.commitThumbnail(thumb, digest);
    expect(await blobs.hasThumbnail(digest)).toBe(true);

    await blobs.remove(digest);
    expect(await blobs.open(digest)).toBeUndefined();
    expect(await blobs.hasThumbnail(digest)).toBe(false);
    await blobs.remove(digest); // idempotent
  });

  it.each(['../../../etc/passwd', 'ABCDEF'.repeat(10) + 'ABCD', '0'.repeat(63), `${'0'.repeat(62)}/x`])(
    'refuses to build a path from %j',
    (digest) => {
      expect(() => blobs.blobPath(digest)).toThrow(/not a SHA-256/);
      expect(() => blobs.thumbnailPath(digest)).toThrow(/not a SHA-256/);
    },
  );

  it('sweeps only stale temp files', async () => {
    const stale = blobs.newTempPath();
    const fresh = blobs.newTempPath();
    await writeFile(stale, 'left by a crash');
    await writeFile(fresh, 'upload in progress');
    const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
    await utimes(stale, dayAgo, dayAgo);

    expect(await blobs.sweepTemp(24 * 3600 * 1000)).toBe(1);
    expect(await readdir(blobs.tmpDir)).toEqual([fresh.slice(blobs.tmpDir.length + 1)]);
  });
});
