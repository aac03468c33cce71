/**
 * Marks written as PDF annotations, read back as a viewer does (pdf.js in
 * Node) and checked by qpdf: subtypes, rects within 1 pt of what was drawn,
 * authors, colours, appearances, and the keys that make each what it is.
 */
import { PDFDocument, degrees } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { planPdf } from '../../../test/pdf.js';
import { qpdfCheck, qpdfEncrypt, readAnnotations, rgb255, type ReadAnnotation } from '../../../test/pdfAnnotations.js';
import { solidImage } from '../documents/fixtures.js';
import { MARKUP_PALETTE, type Mark } from '../protocol/index.js';
import { annotatePdf, imageToAnnotatedPdf, UnreadableDocumentError } from './annotate.js';
import { arrowHead, cloudRadius } from './appearances.js';

const LEA: Pick<Mark, 'authorId' | 'authorName' | 'color'> = { authorId: 'lea', authorName: 'Léa Martin', color: MARKUP_PALETTE[0] };
const BRUNO: Pick<Mark, 'authorId' | 'authorName' | 'color'> = { authorId: 'bruno', authorName: 'Bruno Lefèvre', color: MARKUP_PALETTE[1] };
const at = Date.UTC(2026, 11, 6, 9, 30);

function mark(markId: string, page: number, tool: Mark['tool'], points: number[], width: number, by = LEA, extra: Partial<Mark> = {}): Mark {
  return { markId, documentId: 'd1', page, tool, points, width, ...by, createdAt: at, ...extra };
}

type Rect = [number, number, number, number];
const box = (pts: number[], pad: number): Rect => {
  const xs = pts.filter((_, i) => i % 2 === 0);
  const ys = pts.filter((_, i) => i % 2 === 1);
  return [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad];
};

function expectRect(a: ReadAnnotation, expected: Rect): void {
  a.rect.forEach((v, i) => expect(Math.abs(v - expected[i]!), `${a.subtype} rect[${i}] ${v} vs ${expected[i]}`).toBeLessThanOrEqual(1.001));
}

function expectColor(a: ReadAnnotation, hex: string): void {
  expect(a.color).not.toBeNull();
  a.color!.forEach((v, i) => expect(Math.abs(v - rgb255(hex)[i]!)).toBeLessThanOrEqual(1));
}

/** The bytes of a page's content streams (pdf-lib), to prove the drawing itself is untouched. */
async function contentBytes(pdf: Uint8Array, page: number): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf);
  const contents = doc.getPage(page).node.Contents()!;
  const streams = 'asArray' in contents ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
  return Buffer.concat(streams.map((s) => Buffer.from((s as unknown as { getContents(): Uint8Array }).getContents())));
}

describe('annotatePdf', () => {
  it('writes every tool as its PDF annotation, which pdf.js reads back where it was drawn', async () => {
    const source = planPdf(2);
    const arrow = [300, 300, 420, 360];
    const marks: Mark[] = [
      mark('pen-1', 1, 'pen', [100, 700, 150, 720, 200, 690], 3),
      mark('hl-1', 1, 'highlighter', [100, 600, 300, 600], 12, BRUNO),
      mark('line-1', 1, 'line', [300, 200, 400, 250], 2),
      mark('arrow-1', 1, 'arrow', arrow, 2),
      mark('rect-1', 2, 'rect', [600, 180, 500, 100], 4, BRUNO),
      mark('ell-1', 2, 'ellipse', [700, 100, 800, 160], 2),
      mark('cloud-1', 2, 'cloud', [100, 400, 300, 380, 320, 520, 120, 540], 1.5),
      mark('text-1', 2, 'text', [700, 500], 2, BRUNO, { text: 'Fissure à reprendre\nCôté est' }),
      mark('pin-1', 1, 'pin', [800, 400], 2, LEA, { pin: 3, text: 'Réservation Ø 200' }),
      mark('lost-1', 9, 'pen', [1, 1, 2, 2], 1),
    ];
    const result = await annotatePdf(source, marks);
    expect(result).toMatchObject({ written: 9, skipped: 1 });
    expect(await qpdfCheck(result.bytes)).toContain('No syntax or stream encoding errors');
    for (const page of [0, 1]) expect((await contentBytes(result.bytes, page)).equals(await contentBytes(source, page))).toBe(true);

    const read = await readAnnotations(result.bytes);
    const byId = new Map(read.annotations.map((a) => [a.id, a]));
    expect(read.annotations.map((a) => [a.page, a.id, a.subtype])).toEqual([
      [1, 'pen-1', 'Ink'],
      [1, 'hl-1', 'Ink'],
      [1, 'line-1', 'Line'],
      [1, 'arrow-1', 'Line'],
      [1, 'pin-1', 'Text'],
      [2, 'rect-1', 'Square'],
      [2, 'ell-1', 'Circle'],
      [2, 'cloud-1', 'Polygon'],
      [2, 'text-1', 'FreeText'],
    ]);
    for (const a of read.annotations) {
      const m = marks.find((x) => x.markId === a.id)!;
      expect(a.author).toBe(m.authorName);
      expect(a.hasAppearance, `${a.id} has an appearance`).toBe(true);
      expectColor(a, m.color);
      expect(a.modified).toBe('D:20261206093000Z');
    }
    // Strokes: their box, half a width out (the stroke is centred on the points).
    expectRect(byId.get('pen-1')!, box([100, 700, 150, 720, 200, 690], 1.5));
    expectRect(byId.get('hl-1')!, box([100, 600, 300, 600], 6));
    expect(byId.get('hl-1')!.keys.CA).toBe('0.4');
    expect(byId.get('pen-1')!.keys.CA).toBe('1');
    expectRect(byId.get('line-1')!, box([300, 200, 400, 250], 1));
    expect(byId.get('line-1')!.raw.lineEndings).toEqual(['None', 'None']);
    // The arrow's box holds its head.
    const len = Math.hypot(120, 60), [ux, uy] = [120 / len, 60 / len], h = arrowHead(2);
    const wings = [420 - h * ux + 0.5 * h * uy, 360 - h * uy - 0.5 * h * ux, 420 - h * ux - 0.5 * h * uy, 360 - h * uy + 0.5 * h * ux];
    expectRect(byId.get('arrow-1')!, box([...arrow, ...wings], 1));
    expect(byId.get('arrow-1')!.raw.lineEndings).toEqual(['None', 'OpenArrow']);
    // Boxes: the corners drawn, whichever order, half a width out.
    expectRect(byId.get('rect-1')!, [498, 98, 602, 182]);
    expectRect(byId.get('ell-1')!, [699, 99, 801, 161]);
    // The cloud: a Polygon with a cloudy border, its box padded by the arcs.
    const cloud = byId.get('cloud-1')!;
    expectRect(cloud, box([100, 400, 300, 380, 320, 520, 120, 540], cloudRadius(1.5) + 0.75));
    expect(cloud.keys.BE).toMatch(/\/S \/C/);
    expect(cloud.keys.IT).toBe('/PolygonCloud');
    expect(Array.from(cloud.raw.vertices as ArrayLike<number>)).toEqual([100, 400, 300, 380, 320, 520, 120, 540]);
    // Text: its top-left corner at the point, two lines of 12 pt (width 2), the text in /Contents.
    const text = byId.get('text-1')!;
    expect(text.rect[0]).toBeCloseTo(700, 1);
    expect(text.rect[3]).toBeCloseTo(500, 1);
    expect(text.rect[3]! - text.rect[1]!).toBeCloseTo(2 * 12 * 1.2 + 4, 1);
    expect(text.contents).toBe('Fissure à reprendre\nCôté est');
    // The pin: a note "Repère N", its top-left corner at the point.
    const pin = byId.get('pin-1')!;
    expectRect(pin, [800, 380, 820, 400]);
    expect(pin.contents).toBe('Repère 3 : Réservation Ø 200');
    expect(pin.keys.Name).toBe('/Comment');
  });

  it('turns a text note with its page, so that it reads upright on a page shown rotated', async () => {
    const doc = await PDFDocument.load(planPdf(1));
    doc.getPage(0).setRotation(degrees(90));
    const rotated = await doc.save();
    const result = await annotatePdf(rotated, [mark('t', 1, 'text', [300, 200], 2, LEA, { text: 'Poteau' })]);
    const [a] = (await readAnnotations(result.bytes)).annotations;
    // Shown turned 90°: "right" is +y in user space, "down" is +x.
    expect(a!.rect[0]).toBeCloseTo(300, 1);
    expect(a!.rect[1]).toBeCloseTo(200, 1);
    expect(a!.rect[2]! - a!.rect[0]!).toBeCloseTo(12 * 1.2 + 4, 1);
    expect(a!.keys.Rotate).toBe('90');
    expect(await qpdfCheck(result.bytes)).toContain('No syntax or stream encoding errors');
  });

  it('refuses an encrypted PDF and a damaged one', async () => {
    const encrypted = await qpdfEncrypt(planPdf(1));
    await expect(annotatePdf(encrypted, [])).rejects.toBeInstanceOf(UnreadableDocumentError);
    const damaged = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x41)]);
    await expect(annotatePdf(damaged, [])).rejects.toBeInstanceOf(UnreadableDocumentError);
  });
});

describe('imageToAnnotatedPdf', () => {
  it('makes an image a one-page PDF of its own size with the marks of page 1', async () => {
    const png = await solidImage(640, 360, 'png');
    const marks = [mark('r', 1, 'rect', [10, 10, 110, 60], 2), mark('p', 2, 'pin', [5, 5], 2, LEA, { pin: 1 })];
    const result = await imageToAnnotatedPdf(png, 'image/png', marks);
    expect(result).toMatchObject({ written: 1, skipped: 1 });
    const read = await readAnnotations(result.bytes);
    expect(read.pages).toEqual([{ width: 640, height: 360, view: [0, 0, 640, 360] }]);
    expect(read.annotations.map((a) => a.subtype)).toEqual(['Square']);
    expectRect(read.annotations[0]!, [9, 9, 111, 61]);
    expect(await qpdfCheck(result.bytes)).toContain('No syntax or stream encoding errors');
    await expect(imageToAnnotatedPdf(Buffer.from('not a png'), 'image/png', [])).rejects.toBeInstanceOf(UnreadableDocumentError);
  });
});
