/**
 * Documents HTTP API. Every route needs `Authorization: Bearer <access token>`
 * of the project in the path (or the admin token):
 *
 *   POST   /api/projects/:projectId/documents                         multipart, one file field "file" → 201 {document}
 *   GET    /api/projects/:projectId/documents                         → {documents: [...]}, newest upload first
 *   GET    /api/projects/:projectId/documents/:documentId             → {document}
 *   GET    /api/projects/:projectId/documents/:documentId/download    → the bytes (?inline=1 for PDF and images)
 *   GET    /api/projects/:projectId/documents/:documentId/thumbnail   → JPEG ≤ 320 px, or 404 NOT_FOUND
 *   DELETE /api/projects/:projectId/documents/:documentId             → 204 (the uploader, an owner or admin)
 *
 * A document in answers is its metadata plus `latest`: the listing is flat,
 * one entry per version, and `latest: true` marks the newest version of each
 * name, so the client shows the latest ones and reveals older versions on
 * demand without a second request.
 *
 * Errors: {error: {code, message}}. Another project's routes are FORBIDDEN
 * before anything is looked up, so ids cannot be probed; an unknown document
 * of one's own project is NOT_FOUND; TOO_LARGE (413) and UNSUPPORTED_TYPE
 * (415) refuse an upload and keep nothing.
 */
import multipart from '@fastify/multipart';
import { Type, type Static } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { BlobStore } from '../documents/BlobStore.js';
import { DocumentLibrary, tooLargeError, type Uploader } from '../documents/DocumentLibrary.js';
import { documentKinds } from '../documents/kinds.js';
import { contentDisposition } from '../documents/names.js';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import { DocumentEntry, DocumentStore, type DocumentMeta } from '../store/documents.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Documents' metadata, for other modules (chat attachments, meeting records). */
    documents: DocumentStore;
    /** Stores new documents (and versions) the way uploads do: the published minutes' PDF. */
    library: DocumentLibrary;
  }
}

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]{1,64}$' });
const ProjectParams = Type.Object({ projectId: Id });
const DocumentParams = Type.Object({ projectId: Id, documentId: Id });
const DownloadQuery = Type.Object({ inline: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])) });
type ProjectParams = Static<typeof ProjectParams>;
type DocumentParams = Static<typeof DocumentParams>;
type DownloadQuery = Static<typeof DownloadQuery>;

/** Room for the multipart envelope (boundaries, part headers) around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
/** Temp files older than this were left by a crash: no upload runs that long. */
const STALE_TEMP_MS = 24 * 3600 * 1000;

const inlineMimeTypes = new Set(documentKinds.filter((k) => k.viewable).map((k) => k.mimeType));

/**
 * Decorates the app with `documents` (visible to every plugin) and registers
 * the routes in a child context of their own, so that the multipart parser
 * applies to them only.
 */
export const documentRoutes = fp<{ config: Config }>(
  async (app, { config }) => {
    const blobs = new BlobStore(config.documentsDir);
    await blobs.init();
    const swept = await blobs.sweepTemp(STALE_TEMP_MS);
    if (swept > 0) app.log.info({ swept }, 'removed temp files of interrupted uploads');

    const store = new DocumentStore(app.redis, app.keys);
    app.decorate('documents', store);
    const library = new DocumentLibrary({ store, blobs, log: app.log, maxUploadBytes: config.maxUploadBytes });
    app.decorate('library', library);
    await app.register(routes, { config, library, store });
  },
  { name: 'documents', dependencies: ['auth', 'redis', 'projects'] },
);

interface RoutesOptions {
  config: Config;
  library: DocumentLibrary;
  store: DocumentStore;
}

async function routes(app: FastifyInstance, { config, library, store }: RoutesOptions): Promise<void> {
  await app.register(multipart, {
    // Our own meter stops the upload at maxUploadBytes; busboy's limit is one
    // byte higher so that it never silently truncates before we see it.
    limits: { files: 1, fileSize: config.maxUploadBytes + 1, fields: 10, fieldSize: 1024, parts: 20, headerPairs: 100 },
    throwFileSizeLimit: false,
  });
  app.addHook('preHandler', app.authenticate);

  /** Every member's open page learns of it (best effort: the list is also fetched on load). */
  function announce(projectId: string, documentId: string, change: 'added' | 'removed'): void {
    app.bus.publish(projectId, { type: 'documentsChanged', documentId, change }).catch((error: unknown) =>
      app.log.warn({ err: error, projectId }, 'documents change not announced'),
    );
  }

  async function findDocument(projectId: string, documentId: string): Promise<DocumentMeta> {
    const meta = await store.get(projectId, documentId);
    if (!meta) throw new AppError(ErrorCode.NOT_FOUND, 'no such document');
    return meta;
  }

  app.post<{ Params: ProjectParams }>(
    '/api/projects/:projectId/documents',
    {
      schema: { params: ProjectParams, response: { 201: Type.Object({ document: DocumentEntry }) } },
      // Per address, stricter than the API's general limit (plugins/edge.ts).
      config: { rateLimit: { max: config.edge.uploadsPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      try {
        const meta = await receiveUpload(request);
        announce(request.params.projectId, meta.documentId, 'added');
        return reply.code(201).send({ document: { ...meta, latest: true } });
      } catch (error) {
        // A refused upload may still be arriving: close the connection after
        // the error rather than read (or stall on) the rest of it.
        if (!request.raw.complete) reply.header('connection', 'close');
        throw error;
      }
    },
  );

  async function receiveUpload(request: FastifyRequest<{ Params: ProjectParams }>): Promise<DocumentMeta> {
    const { projectId } = request.params;
    const who = app.requireProject(request, projectId, 'meeting');
    // Refuse a declared oversize body before reading any of it.
    const declared = Number(request.headers['content-length']);
    if (declared > config.maxUploadBytes + MULTIPART_OVERHEAD_BYTES) throw tooLargeError(config.maxUploadBytes);
    if (!request.isMultipart()) {
      throw new AppError(ErrorCode.BAD_REQUEST, 'expected multipart/form-data with a "file" field');
    }
    const part = await request.file();
    if (!part) throw new AppError(ErrorCode.BAD_REQUEST, 'no file in the upload');
    if (part.fieldname !== 'file') {
      part.file.destroy();
      throw new AppError(ErrorCode.BAD_REQUEST, 'the file must be sent in the "file" field');
    }
    return library.upload(projectId, uploaderOf(who), part.filename, part.file);
  }

  app.get<{ Params: ProjectParams }>(
    '/api/projects/:projectId/documents',
    { schema: { params: ProjectParams, response: { 200: Type.Object({ documents: Type.Array(DocumentEntry) }) } } },
    async (request) => {
      const { projectId } = request.params;
      app.requireProject(request, projectId, 'meeting');
      return { documents: await store.list(projectId) };
    },
  );

  app.get<{ Params: DocumentParams }>(
    '/api/projects/:projectId/documents/:documentId',
    { schema: { params: DocumentParams, response: { 200: Type.Object({ document: DocumentEntry }) } } },
    async (request) => {
      const { projectId, documentId } = request.params;
      app.requireProject(request, projectId, 'meeting');
      const meta = await findDocument(projectId, documentId);
      return { document: { ...meta, latest: await store.isLatest(projectId, meta) } };
    },
  );

  app.get<{ Params: DocumentParams; Querystring: DownloadQuery }>(
    '/api/projects/:projectId/documents/:documentId/download',
    { schema: { params: DocumentParams, querystring: DownloadQuery } },
    async (request, reply) => {
      const { projectId, documentId } = request.params;
      app.requireProject(request, projectId, 'meeting');
      const meta = await findDocument(projectId, documentId);
      const inline = request.query.inline === '1';
      if (inline && !inlineMimeTypes.has(meta.mimeType)) {
        throw new AppError(ErrorCode.BAD_REQUEST, 'only PDF files and images can be viewed inline');
      }
      const handle = await library.openContent(meta);
      untrustedContentHeaders(reply)
        .type(meta.mimeType)
        .header('content-length', String(meta.size))
        .header('content-disposition', contentDisposition(inline ? 'inline' : 'attachment', meta.name));
      return reply.send(handle.createReadStream());
    },
  );

  app.get<{ Params: DocumentParams }>(
    '/api/projects/:projectId/documents/:documentId/thumbnail',
    { schema: { params: DocumentParams } },
    async (request, reply) => {
      const { projectId, documentId } = request.params;
      app.requireProject(request, projectId, 'meeting');
      const meta = await findDocument(projectId, documentId);
      const handle = await library.openThumbnail(meta);
      if (!handle) throw new AppError(ErrorCode.NOT_FOUND, 'this document has no thumbnail');
      return untrustedContentHeaders(reply).type('image/jpeg').send(handle.createReadStream());
    },
  );

  app.delete<{ Params: DocumentParams }>(
    '/api/projects/:projectId/documents/:documentId',
    { schema: { params: DocumentParams } },
    async (request, reply) => {
      const { projectId, documentId } = request.params;
      const who = app.requireProject(request, projectId, 'meeting');
      const meta = await findDocument(projectId, documentId);
      const allowed = who === 'admin' || who.role === 'owner' || who.userId === meta.uploadedBy.userId;
      if (!allowed) throw new AppError(ErrorCode.FORBIDDEN, 'only the uploader or a project owner may delete a document');
      await library.remove(projectId, documentId);
      announce(projectId, documentId, 'removed');
      return reply.code(204).send();
    },
  );
}

/**
 * Headers for bytes that came from a user: the browser must take the type
 * as given (nosniff) and, should it ever render the response as a page,
 * render it sandboxed (no scripts, no same-origin access).
 */
function untrustedContentHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', 'sandbox')
    .header('cache-control', 'private, no-cache');
}

function uploaderOf(who: Identity | 'admin'): Uploader {
  return who === 'admin'
    ? { userId: 'admin', displayName: 'Admin' }
    : { userId: who.userId, displayName: who.displayName };
}
