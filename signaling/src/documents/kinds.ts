/**
 * The document types Chantier accepts, recognised by their CONTENT (magic
 * bytes) and cross-checked with the file name's extension. The client's
 * Content-Type is never trusted: the MIME type we store and serve comes from
 * this table, so a file can only ever be served as what its bytes are.
 *
 * A container format (ZIP, OLE2) does not say which office application made
 * it without unpacking it; for those the extension picks among the kinds
 * that share the container. That cannot make a file dangerous: it is served
 * with that office type, as an attachment, with nosniff.
 */

/** How many leading bytes sniffing needs (DXF may start with blank lines). */
export const SNIFF_BYTES = 512;

export interface DocumentKind {
  /** Short stable name, for logs and tests. */
  readonly id: string;
  readonly mimeType: string;
  /** Lower-case extensions without the dot. */
  readonly extensions: readonly string[];
  /** The browser may show it in the app (`?inline=1`) and we make a thumbnail of it. */
  readonly viewable: 'pdf' | 'image' | false;
  readonly matches: (head: Buffer) => boolean;
}

const startsWith =
  (...bytes: number[]) =>
  (head: Buffer): boolean =>
    head.length >= bytes.length && bytes.every((b, i) => head[i] === b);

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

const zip = startsWith(...ascii('PK'), 0x03, 0x04);
const ole2 = startsWith(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1);

/** Skips a UTF-8 byte-order mark and ASCII whitespace: text formats may start with either. */
function textStart(head: Buffer): string {
  const offset = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  return head.subarray(offset).toString('latin1').replace(/^[ \t\r\n]+/, '');
}

/** ASCII DXF: group code 0, then SECTION, each on its own line. */
const dxf = (head: Buffer): boolean => /^0[ \t]*\r?\n[ \t]*SECTION[ \t]*\r?\n/.test(textStart(head));

/** IFC is STEP physical file (ISO 10303-21). */
const ifc = (head: Buffer): boolean => textStart(head).startsWith('ISO-10303-21;');

/** RIFF....WEBP */
const webp = (head: Buffer): boolean =>
  startsWith(...ascii('RIFF'))(head) && head.subarray(8, 12).toString('latin1') === 'WEBP';

export const documentKinds: readonly DocumentKind[] = [
  { id: 'pdf', mimeType: 'application/pdf', extensions: ['pdf'], viewable: 'pdf', matches: startsWith(...ascii('%PDF-')) },
  {
    id: 'png',
    mimeType: 'image/png',
    extensions: ['png'],
    viewable: 'image',
    matches: startsWith(0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a),
  },
  { id: 'jpeg', mimeType: 'image/jpeg', extensions: ['jpg', 'jpeg'], viewable: 'image', matches: startsWith(0xff, 0xd8, 0xff) },
  {
    id: 'gif',
    mimeType: 'image/gif',
    extensions: ['gif'],
    viewable: 'image',
    matches: (head) => startsWith(...ascii('GIF87a'))(head) || startsWith(...ascii('GIF89a'))(head),
  },
  { id: 'webp', mimeType: 'image/webp', extensions: ['webp'], viewable: 'image', matches: webp },
  {
    id: 'docx',
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['docx'],
    viewable: false,
    matches: zip,
  },
  {
    id: 'xlsx',
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extensions: ['xlsx'],
    viewable: false,
    matches: zip,
  },
  {
    id: 'pptx',
    mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    extensions: ['pptx'],
    viewable: false,
    matches: zip,
  },
  { id: 'odt', mimeType: 'application/vnd.oasis.opendocument.text', extensions: ['odt'], viewable: false, matches: zip },
  {
    id: 'ods',
    mimeType: 'application/vnd.oasis.opendocument.spreadsheet',
    extensions: ['ods'],
    viewable: false,
    matches: zip,
  },
  { id: 'doc', mimeType: 'application/msword', extensions: ['doc'], viewable: false, matches: ole2 },
  { id: 'xls', mimeType: 'application/vnd.ms-excel', extensions: ['xls'], viewable: false, matches: ole2 },
  { id: 'ppt', mimeType: 'application/vnd.ms-powerpoint', extensions: ['ppt'], viewable: false, matches: ole2 },
  // DWG versions are AC1012 ... AC1032: the first four bytes are common to all.
  { id: 'dwg', mimeType: 'image/vnd.dwg', extensions: ['dwg'], viewable: false, matches: startsWith(...ascii('AC10')) },
  { id: 'dxf', mimeType: 'image/vnd.dxf', extensions: ['dxf'], viewable: false, matches: dxf },
  // No registered type for IFC; STEP's is what viewers and buildingSMART use.
  { id: 'ifc', mimeType: 'application/x-step', extensions: ['ifc'], viewable: false, matches: ifc },
  // Meeting recordings (recording/publish.ts): WebM is EBML, Opus is in Ogg.
  { id: 'webm', mimeType: 'video/webm', extensions: ['webm'], viewable: false, matches: startsWith(0x1a, 0x45, 0xdf, 0xa3) },
  { id: 'opus', mimeType: 'audio/ogg', extensions: ['opus', 'ogg'], viewable: false, matches: startsWith(...ascii('OggS')) },
];

/** The extension of a file name, lower-case, without the dot; '' when it has none. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1 ? name.slice(dot + 1).toLowerCase() : '';
}

export type SniffResult =
  | { ok: true; kind: DocumentKind }
  | { ok: false; reason: string };

/**
 * The kind of a file from its first bytes and its name: the content must be
 * one of the accepted kinds AND the name's extension must be one of that
 * kind's. `reason` explains a refusal (for the error message and the log).
 */
export function sniff(head: Buffer, name: string): SniffResult {
  const extension = extensionOf(name);
  const byContent = documentKinds.filter((k) => k.matches(head));
  if (byContent.length === 0) return { ok: false, reason: 'the content is not an accepted document type' };
  const kind = byContent.find((k) => k.extensions.includes(extension));
  if (kind) return { ok: true, kind };
  const expected = [...new Set(byContent.flatMap((k) => k.extensions))].map((e) => `.${e}`).join(', ');
  return {
    ok: false,
    reason: `the name ends in "${extension ? `.${extension}` : '(no extension)'}" but the content is a ${expected} file`,
  };
}
