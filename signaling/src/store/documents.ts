import { randomBytes } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { withLock, type LockOptions } from '../documents/lock.js';
import { versionKey } from '../documents/names.js';
import type { RedisClient } from '../redis/client.js';
import type { DocumentRef } from '../protocol/index.js';
import type { Keys } from './keys.js';

/** A document's metadata, as stored in Redis (keys.documents) and sent to clients. */
export const DocumentMeta = Type.Object({
  documentId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  /** Sanitised: no path separators, no control characters, at most 200 characters. */
  name: Type.String({ minLength: 1, maxLength: 200 }),
  /** 1 for the first upload of a name, n + 1 for each later upload of the same name (case-insensitive). */
  version: Type.Integer({ minimum: 1 }),
  /** From the sniffed content, never from the client. */
  mimeType: Type.String(),
  size: Type.Integer({ minimum: 0 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  uploadedBy: Type.Object({ userId: Type.String(), displayName: Type.String() }),
  /** Milliseconds since the epoch. */
  uploadedAt: Type.Integer(),
  /** A thumbnail can be fetched at …/thumbnail. */
  thumbnail: Type.Boolean(),
});
export type DocumentMeta = Static<typeof DocumentMeta>;

/** What the HTTP API answers: the metadata, and whether it is the newest version of its name. */
export const DocumentEntry = Type.Composite([DocumentMeta, Type.Object({ latest: Type.Boolean() })]);
export type DocumentEntry = Static<typeof DocumentEntry>;

export type NewDocument = Omit<DocumentMeta, 'documentId' | 'version'>;

const checkMeta = TypeCompiler.Compile(DocumentMeta);
const checkIds = TypeCompiler.Compile(Type.Array(Type.String()));

// Work under these locks is a few Redis round trips (and a rename for a blob).
const LOCK: LockOptions = { ttlMs: 10_000, waitMs: 10_000 };

/**
 * Documents' metadata in Redis, their versions by name, and how many
 * documents use each stored file. Other code (chat attachments, meeting
 * records) reads documents through get() and toRef().
 *
 * Why a reference count per file rather than a search at delete time: the
 * same bytes are stored once for the whole deployment, so "does anything
 * else use this file?" would mean reading every project's documents. A
 * count (HINCRBY) answers in O(1). It changes under the file's lock
 * together with the file itself (see DocumentLibrary), and every failure
 * leaves it too high rather than too low: at worst a file is kept that
 * nothing uses, never deleted while something does.
 */
export class DocumentStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** The document, or undefined if this project has none with that id. */
  async get(projectId: string, documentId: string): Promise<DocumentMeta | undefined> {
    const raw = await this.redis.hGet(this.keys.documents(projectId), documentId);
    return raw === null || raw === undefined ? undefined : parseMeta(raw);
  }

  /** The reference that chat messages and meeting records carry. */
  toRef(meta: DocumentMeta): DocumentRef {
    return {
      documentId: meta.documentId,
      name: meta.name,
      mimeType: meta.mimeType,
      size: meta.size,
      version: meta.version,
    };
  }

  /** Whether no newer version of the same name exists. */
  async isLatest(projectId: string, meta: DocumentMeta): Promise<boolean> {
    const ids = await this.versionIds(projectId, versionKey(meta.name));
    return ids.at(-1) === meta.documentId;
  }

  /** Every version of every document, newest upload first, each marked latest or not. */
  async list(projectId: string): Promise<DocumentEntry[]> {
    const [docs, names] = await Promise.all([
      this.redis.hGetAll(this.keys.documents(projectId)),
      this.redis.hGetAll(this.keys.documentNames(projectId)),
    ]);
    const latest = new Set(Object.values(names).map((raw) => parseIds(raw).at(-1)));
    return Object.values(docs)
      .map(parseMeta)
      .sort((a, b) => b.uploadedAt - a.uploadedAt || b.version - a.version)
      .map((meta) => ({ ...meta, latest: latest.has(meta.documentId) }));
  }

  /**
   * Stores a new document under a fresh id, numbered one past the newest
   * version of its name. Numbering holds the name's lock, so two uploads of
   * the same name at once get different versions.
   */
  async add(projectId: string, doc: NewDocument): Promise<DocumentMeta> {
    const nameKey = versionKey(doc.name);
    return withLock(this.redis, this.keys.documentNameLock(projectId, nameKey), LOCK, async () => {
      const ids = await this.versionIds(projectId, nameKey);
      const newestId = ids.at(-1);
      const newest = newestId === undefined ? undefined : await this.get(projectId, newestId);
      const meta: DocumentMeta = {
        ...doc,
        documentId: randomBytes(16).toString('base64url'),
        version: (newest?.version ?? 0) + 1,
      };
      await this.redis
        .multi()
        .hSet(this.keys.documents(projectId), meta.documentId, JSON.stringify(meta))
        .hSet(this.keys.documentNames(projectId), nameKey, JSON.stringify([...ids, meta.documentId]))
        .exec();
      return meta;
    });
  }

  /**
   * Deletes a document's metadata and its place among its name's versions.
   * Returns what was deleted, or undefined if it was already gone (a
   * concurrent delete): only one caller may then release its file.
   * A later upload of the name is numbered after the newest remaining version.
   */
  async remove(projectId: string, documentId: string): Promise<DocumentMeta | undefined> {
    const meta = await this.get(projectId, documentId);
    if (!meta) return undefined;
    const nameKey = versionKey(meta.name);
    return withLock(this.redis, this.keys.documentNameLock(projectId, nameKey), LOCK, async () => {
      const ids = (await this.versionIds(projectId, nameKey)).filter((id) => id !== documentId);
      const names = this.keys.documentNames(projectId);
      const tx = this.redis.multi().hDel(this.keys.documents(projectId), documentId);
      if (ids.length > 0) tx.hSet(names, nameKey, JSON.stringify(ids));
      else tx.hDel(names, nameKey);
      const [deleted] = await tx.exec();
      return Number(deleted) === 1 ? meta : undefined;
    });
  }

  /** Runs `fn` holding the lock of one stored file (its reference count and its presence on disk). */
  withBlobLock<T>(sha256: string, fn: () => Promise<T>): Promise<T> {
    return withLock(this.redis, this.keys.documentBlobLock(sha256), LOCK, fn);
  }

  /** One more document uses this file. */
  async addBlobRef(sha256: string): Promise<void> {
    await this.redis.hIncrBy(this.keys.documentBlobRefs(), sha256, 1);
  }

  /** One document fewer uses this file; returns how many still do (the entry goes at zero). */
  async dropBlobRef(sha256: string): Promise<number> {
    const remaining = await this.redis.eval(DROP_REF, { keys: [this.keys.documentBlobRefs()], arguments: [sha256] });
    return Number(remaining);
  }

  private async versionIds(projectId: string, nameKey: string): Promise<string[]> {
    const raw = await this.redis.hGet(this.keys.documentNames(projectId), nameKey);
    return raw === null || raw === undefined ? [] : parseIds(raw);
  }
}

// Decrement and delete at zero in one step, so no count is left at 0 or below.
const DROP_REF = `
local n = redis.call('hincrby', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('hdel', KEYS[1], ARGV[1]) return 0 end
return n`;

function parseMeta(raw: string): DocumentMeta {
  const value: unknown = JSON.parse(raw);
  if (!checkMeta.Check(value)) throw new Error('corrupt document metadata in Redis');
  return value;
}

function parseIds(raw: string): string[] {
  const value: unknown = JSON.parse(raw);
  if (!checkIds.Check(value)) throw new Error('corrupt document version list in Redis');
  return value;
}
