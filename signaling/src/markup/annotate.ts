/**
 * Writes marks into a document as real PDF annotations, with pdf-lib (no
 * hand-written PDF writer): Ink (pen; highlighter with opacity), Line (/LE
 * arrow ends), Square, Circle, Polygon with a cloudy border (/BE) for clouds,
 * FreeText, and Text notes for pins ("Repère N"). Each carries /T author,
 * /M and /CreationDate, /C colour, /NM mark id and an /AP appearance (what
 * each looks like: appearances.ts). An image becomes a one-page PDF at its
 * own size in points, with the same annotations.
 *
 * pdf-lib rewrites the whole file (no incremental update), copying the pages'
 * content streams unchanged; a signed PDF loses its signatures' validity.
 */
import {
  EncryptedPDFError,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFString,
  StandardFonts,
  type PDFArray,
  type PDFFont,
  type PDFPage,
} from 'pdf-lib';
import type { Mark } from '../protocol/index.js';
import { annotationFor, type AnnotSpec, type TextFont } from './appearances.js';

/** An encrypted or damaged input: nothing can be written from it. */
export class UnreadableDocumentError extends Error {
  override readonly name = 'UnreadableDocumentError';
}

export interface AnnotateResult {
  bytes: Uint8Array;
  /** Marks written. */
  written: number;
  /** Marks on pages the document does not have (left out). */
  skipped: number;
}

/** The PDF with the marks added as annotations. Throws UnreadableDocumentError for an encrypted or damaged PDF. */
export async function annotatePdf(source: Uint8Array, marks: readonly Mark[]): Promise<AnnotateResult> {
  const doc = await readable(async () => {
    const loaded = await PDFDocument.load(source, { throwOnInvalidObject: true, updateMetadata: false });
    if (loaded.isEncrypted) throw new EncryptedPDFError();
    if (loaded.getPageCount() === 0) throw new Error('no page');
    return loaded;
  });
  return annotate(doc, marks);
}

/** A one-page PDF of the image (PNG or JPEG) at its size in pixels as points, with the marks of page 1. */
export async function imageToAnnotatedPdf(image: Uint8Array, mimeType: 'image/png' | 'image/jpeg', marks: readonly Mark[]): Promise<AnnotateResult> {
  const doc = await PDFDocument.create();
  const embedded = await readable(() => (mimeType === 'image/png' ? doc.embedPng(image) : doc.embedJpg(image)));
  const page = doc.addPage([embedded.width, embedded.height]);
  page.drawImage(embedded, { x: 0, y: 0, width: embedded.width, height: embedded.height });
  return annotate(doc, marks);
}

async function readable<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const why = error instanceof EncryptedPDFError ? 'the document is encrypted' : 'the document is damaged';
    throw new UnreadableDocumentError(why, { cause: error });
  }
}

async function annotate(doc: PDFDocument, marks: readonly Mark[]): Promise<AnnotateResult> {
  const pages = await readable(async () => doc.getPages());
  let font: TextFont & { ref: PDFFont['ref'] } | undefined;
  let written = 0;
  let skipped = 0;
  for (const mark of marks) {
    const page = pages[mark.page - 1];
    if (!page) {
      skipped++;
      continue;
    }
    if ((mark.tool === 'text' || mark.tool === 'pin') && !font) font = textFont(await doc.embedFont(StandardFonts.Helvetica));
    const rotation = (((page.getRotation().angle % 360) + 360) % 360) as 0 | 90 | 180 | 270;
    addAnnotation(doc, page, mark, annotationFor(mark, rotation, font ?? NO_FONT), font?.ref);
    written++;
  }
  const bytes = await doc.save({ useObjectStreams: false });
  return { bytes, written, skipped };
}

/** Marks without text never measure nor encode. */
const NO_FONT: TextFont = {
  widthOf: () => 0,
  encode: () => '<>',
  sanitize: (text) => text,
};

function textFont(font: PDFFont): TextFont & { ref: PDFFont['ref'] } {
  const encodable = new Set(font.getCharacterSet());
  return {
    ref: font.ref,
    widthOf: (text, size) => font.widthOfTextAtSize(text, size),
    encode: (text) => font.encodeText(text).toString(),
    // Helvetica is WinAnsi: other characters (beyond Western European) become '?'.
    sanitize: (text) =>
      [...text.replace(/\r\n?/g, '\n')].map((ch) => (ch === '\n' || encodable.has(ch.codePointAt(0)!) ? ch : '?')).join(''),
  };
}

function addAnnotation(doc: PDFDocument, page: PDFPage, mark: Mark, spec: AnnotSpec, fontRef: PDFFont['ref'] | undefined): void {
  const ctx = doc.context;
  const date = PDFString.fromDate(new Date(mark.createdAt));
  const resources: Record<string, unknown> = {
    ExtGState: { GS0: ctx.obj({ Type: 'ExtGState', CA: spec.opacity, ca: spec.opacity }) },
  };
  if (spec.font && fontRef) resources.Font = { Helv: fontRef };
  const appearance = ctx.stream(`/GS0 gs\n${spec.ops}`, {
    Type: 'XObject',
    Subtype: 'Form',
    BBox: spec.bbox ?? spec.rect,
    Matrix: spec.matrix ?? [1, 0, 0, 1, 0, 0],
    Resources: resources,
  } as never);
  const dict: Record<string, unknown> = {
    Type: 'Annot',
    Subtype: spec.subtype,
    Rect: spec.rect,
    F: spec.flags ?? 4,
    P: page.ref,
    NM: PDFString.of(mark.markId),
    T: PDFHexString.fromText(mark.authorName),
    M: date,
    CreationDate: date,
    Subj: PDFHexString.fromText(spec.subject),
    CA: spec.opacity,
    AP: { N: ctx.register(appearance) },
    ...spec.extra,
  };
  if (spec.contents !== undefined) dict.Contents = PDFHexString.fromText(spec.contents);
  if (spec.color) dict.C = spec.color;
  const ref = ctx.register(ctx.obj(dict as never));
  // Not page.node.addAnnot(): it "normalizes" the page (wraps /Contents in extra q/Q streams).
  let annots = page.node.Annots();
  if (!annots) {
    annots = ctx.obj([]) as PDFArray;
    page.node.set(PDFName.of('Annots'), annots);
  }
  annots.push(ref);
}
