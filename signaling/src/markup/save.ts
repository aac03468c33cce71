/**
 * "Enregistrer dans le projet": the presented document with its marks as PDF
 * annotations becomes a new version in the project (same name: the next
 * version; an image becomes "<name>.pdf"). The PDF is built in memory first
 * and stored through DocumentLibrary.upload, which keeps disk and Redis
 * consistent: an unreadable input (DOCUMENT_UNREADABLE) or any failure stores
 * nothing. Then the project hears of the document, the meeting's record
 * lists it, and the chat gets a line with its link.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { FileHandle } from 'node:fs/promises';
import { AppError } from '../errors.js';
import { ErrorCode, type DocumentRef, type Mark } from '../protocol/index.js';
import type { DocumentMeta } from '../store/documents.js';
// annotate.ts brings pdf-lib (about 9 MB once loaded): loaded with the first save, not at start.
import type { AnnotateResult } from './annotate.js';

export interface SaveRequest {
  projectId: string;
  roomId: string;
  meetingId: string | undefined;
  /** The presented version. */
  source: DocumentRef;
  marks: readonly Mark[];
  by: { userId: string; displayName: string };
  /** Makes the chat line idempotent per save. */
  saveId: string;
}

export async function saveMarkedUp(app: FastifyInstance, request: SaveRequest): Promise<DocumentMeta> {
  const { projectId, source } = request;
  const meta = await app.documents.get(projectId, source.documentId);
  if (!meta) throw new AppError(ErrorCode.NOT_FOUND, 'the presented document is gone from the project');
  const bytes = await readAll(await app.documentLibrary.openContent(meta));
  const result = await annotated(meta, bytes, request.marks);
  const saved = await app.documentLibrary.upload(projectId, request.by, pdfName(meta), Readable.from([Buffer.from(result.bytes)]));
  app.log.info(
    { projectId, from: meta.documentId, documentId: saved.documentId, version: saved.version, marks: result.written, skipped: result.skipped },
    'marked-up document saved',
  );
  await record(app, request, app.documents.toRef(saved)).catch((error: unknown) =>
    app.log.warn({ err: error, projectId, documentId: saved.documentId }, 'marked-up save not recorded in the meeting or chat'),
  );
  return saved;
}

async function annotated(meta: DocumentMeta, bytes: Uint8Array, marks: readonly Mark[]): Promise<AnnotateResult> {
  const { annotatePdf, imageToAnnotatedPdf, UnreadableDocumentError } = await import('./annotate.js');
  try {
    if (meta.mimeType === 'application/pdf') return await annotatePdf(bytes, marks);
    if (meta.mimeType === 'image/png' || meta.mimeType === 'image/jpeg') return await imageToAnnotatedPdf(bytes, meta.mimeType, marks);
  } catch (error) {
    if (error instanceof UnreadableDocumentError) throw new AppError(ErrorCode.DOCUMENT_UNREADABLE, error.message);
    throw error;
  }
  throw new AppError(ErrorCode.UNSUPPORTED_TYPE, 'only PDF, PNG and JPEG documents can be saved with marks');
}

/** A PDF keeps its name (the next version of it); an image's name gets .pdf in place of its extension. */
export function pdfName(meta: Pick<DocumentMeta, 'name' | 'mimeType'>): string {
  if (meta.mimeType === 'application/pdf') return meta.name;
  return `${meta.name.replace(/\.[A-Za-z0-9]{1,5}$/, '')}.pdf`;
}

async function readAll(handle: FileHandle): Promise<Uint8Array> {
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function record(app: FastifyInstance, request: SaveRequest, document: DocumentRef): Promise<void> {
  const { projectId } = request;
  await app.bus.publish(projectId, { type: 'documentsChanged', documentId: document.documentId, change: 'added' });
  await app.meetings.addSaved(projectId, request.roomId, document, request.source, request.by);
  await app.chat.send(projectId, {
    clientMessageId: `sys-markup-${request.saveId}`,
    kind: 'markup-saved',
    author: request.by,
    text: '',
    attachment: document,
    meetingId: request.meetingId,
  });
}
