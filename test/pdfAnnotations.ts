/**
 * Reading a PDF's annotations back the way a viewer does (pdf.js in Node,
 * `getAnnotations()` per page) and checking the file with Debian's qpdf:
 * what tests of saved marked-up documents compare with what was drawn.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFString, PDFHexString } from 'pdf-lib';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';

const run = promisify(execFile);

export interface ReadAnnotation {
  page: number;
  subtype: string;
  rect: number[];
  /** 0-255 per channel, as pdf.js reports /C (FreeText: the text colour from /DA). */
  color: number[] | null;
  author: string;
  contents: string;
  /** /NM, read with pdf-lib (pdf.js does not read it). */
  id: string | undefined;
  /** The annotation dictionary's other keys as pdf-lib prints them (/LE, /BE, /IT, /CA...). */
  keys: Record<string, string>;
  hasAppearance: boolean;
  modified: string | undefined;
  /** The subtype's own data as pdf.js reads it (lineEndings, vertices, inkLists...). */
  raw: Record<string, unknown>;
}

export interface ReadPdf {
  pages: Array<{ width: number; height: number; view: number[] }>;
  annotations: ReadAnnotation[];
}

/** Per page, per annotation (in /Annots order, as pdf.js lists them): /NM and the other keys, with pdf-lib. */
async function rawKeys(bytes: Uint8Array): Promise<Array<Array<{ id: string | undefined; keys: Record<string, string> }>>> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  return doc.getPages().map((page) => {
    const annots = page.node.Annots() ?? PDFArray.withContext(doc.context);
    return annots.asArray().map((ref) => {
      const dict = doc.context.lookup(ref, PDFDict);
      const nm = dict.lookupMaybe(PDFName.of('NM'), PDFString, PDFHexString);
      const keys: Record<string, string> = {};
      for (const [key, value] of dict.entries()) keys[key.decodeText()] = String(doc.context.lookup(value) ?? value);
      return { id: nm?.decodeText(), keys };
    });
  });
}

export async function readAnnotations(bytes: Uint8Array): Promise<ReadPdf> {
  const raw = await rawKeys(bytes);
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  try {
    const pages: ReadPdf['pages'] = [];
    const annotations: ReadAnnotation[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      pages.push({ width: page.view[2]! - page.view[0]!, height: page.view[3]! - page.view[1]!, view: [...page.view] });
      const onPage = (await page.getAnnotations()) as Array<Record<string, any>>;
      for (const [i, a] of onPage.entries()) {
        const color = a.color ?? a.defaultAppearanceData?.fontColor ?? null;
        annotations.push({
          page: n,
          subtype: a.subtype,
          rect: [...a.rect],
          color: color ? [...color] : null,
          author: a.titleObj?.str ?? '',
          contents: a.contentsObj?.str ?? '',
          id: raw[n - 1]?.[i]?.id,
          keys: raw[n - 1]?.[i]?.keys ?? {},
          hasAppearance: Boolean(a.hasAppearance),
          modified: a.modificationDate ?? undefined,
          raw: a,
        });
      }
    }
    return { pages, annotations };
  } finally {
    await doc.destroy();
  }
}

/** `qpdf --check` on the bytes: its output; throws when qpdf finds errors (exit 2) or warnings (exit 3). */
export async function qpdfCheck(bytes: Uint8Array): Promise<string> {
  return withTempFile(bytes, async (path) => (await run('qpdf', ['--check', path])).stdout);
}

/** The PDF encrypted with qpdf (AES-256, a user password): what a viewer cannot open without it. */
export async function qpdfEncrypt(bytes: Uint8Array): Promise<Buffer> {
  return withTempFile(bytes, async (path) => {
    const out = `${path}.enc.pdf`;
    await run('qpdf', ['--encrypt', 'lecture', 'proprio', '256', '--', path, out]);
    const { readFile } = await import('node:fs/promises');
    return readFile(out);
  });
}

async function withTempFile<T>(bytes: Uint8Array, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'chantier-pdf-'));
  try {
    const path = join(dir, 'doc.pdf');
    await writeFile(path, bytes);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** "#rrggbb" as pdf.js reports colours (0-255 per channel). */
export function rgb255(hex: string): number[] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
