/**
 * What each mark becomes in a PDF: the annotation's subtype, its /Rect, its
 * own keys, and the content stream of its appearance (/AP /N), which pdf.js
 * and other viewers need to draw lines' arrow heads, clouds' arcs and text
 * boxes as we mean them. Pure geometry and strings; annotate.ts writes them
 * with pdf-lib. Coordinates are PDF user space (protocol/markup.ts).
 */
import { PDFHexString, PDFString } from 'pdf-lib';
import { markupFontSize, type Mark } from '../protocol/index.js';

export type Rect = [number, number, number, number];
type Point = [number, number];

export interface AnnotSpec {
  subtype: 'Ink' | 'Line' | 'Square' | 'Circle' | 'Polygon' | 'FreeText' | 'Text';
  /** Shown by viewers as the comment's kind. */
  subject: string;
  rect: Rect;
  /** The appearance's operators (after the opacity's `gs`), in BBox coordinates. */
  ops: string;
  /** Default: the rect, with absolute coordinates in `ops`. */
  bbox?: Rect;
  matrix?: number[];
  opacity: number;
  /** /C; null for FreeText, whose /C would be a background fill. */
  color: [number, number, number] | null;
  contents?: string;
  /** /F; default 4 (Print). */
  flags?: number;
  /** Needs the Helvetica font as /Helv. */
  font?: boolean;
  /** The subtype's own keys, for pdf-lib's context.obj(): strings become PDF names; text goes in as PDFString/PDFHexString. */
  extra: Record<string, unknown>;
}

/** The embedded font as the builders need it. */
export interface TextFont {
  widthOf(text: string, size: number): number;
  /** The text as a hex string operand for Tj; characters the font cannot encode must be dropped first (sanitize). */
  encode(text: string): string;
  sanitize(text: string): string;
}

const f = (n: number): number => Math.round(n * 100) / 100;
const K = 0.5523; // Bézier constant for quarter circles
const HIGHLIGHTER_OPACITY = 0.4;

export function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255].map((v) => Math.round(v * 1000) / 1000) as [number, number, number];
}

function pairs(points: readonly number[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) out.push([points[i]!, points[i + 1]!]);
  return out;
}

function bounds(pts: readonly Point[], pad: number): Rect {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad].map(f) as Rect;
}

const stroke = (rgb: readonly number[], width: number): string => `${rgb.join(' ')} RG ${f(width)} w 1 J 1 j`;
const path = (pts: readonly Point[]): string => pts.map((p, i) => `${f(p[0])} ${f(p[1])} ${i ? 'l' : 'm'}`).join(' ');

function ellipsePath([x0, y0, x1, y1]: Rect): string {
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, rx = (x1 - x0) / 2, ry = (y1 - y0) / 2;
  return [
    `${f(cx + rx)} ${f(cy)} m`,
    `${f(cx + rx)} ${f(cy + K * ry)} ${f(cx + K * rx)} ${f(cy + ry)} ${f(cx)} ${f(cy + ry)} c`,
    `${f(cx - K * rx)} ${f(cy + ry)} ${f(cx - rx)} ${f(cy + K * ry)} ${f(cx - rx)} ${f(cy)} c`,
    `${f(cx - rx)} ${f(cy - K * ry)} ${f(cx - K * rx)} ${f(cy - ry)} ${f(cx)} ${f(cy - ry)} c`,
    `${f(cx + K * rx)} ${f(cy - ry)} ${f(cx + rx)} ${f(cy - K * ry)} ${f(cx + rx)} ${f(cy)} c h`,
  ].join('\n');
}

/** A revision cloud: each edge split into half-circle arcs of radius ~r bulging outwards. */
function cloudPath(v: readonly Point[], r: number): string {
  const area = v.reduce((s, p, i) => {
    const q = v[(i + 1) % v.length]!;
    return s + p[0] * q[1] - q[0] * p[1];
  }, 0);
  const out = [`${f(v[0]![0])} ${f(v[0]![1])} m`];
  v.forEach((p, i) => {
    const q = v[(i + 1) % v.length]!;
    const len = Math.hypot(q[0] - p[0], q[1] - p[1]);
    if (len === 0) return;
    const n = Math.max(1, Math.round(len / (2 * r)));
    const ux = (q[0] - p[0]) / len, uy = (q[1] - p[1]) / len;
    const [nx, ny] = area > 0 ? [uy, -ux] : [-uy, ux]; // outward normal
    const rr = len / n / 2;
    for (let k = 0; k < n; k++) {
      const ax = p[0] + ux * 2 * rr * k, ay = p[1] + uy * 2 * rr * k;
      const cx = ax + ux * rr, cy = ay + uy * rr;
      const tx = cx + nx * rr, ty = cy + ny * rr;
      const bx = ax + ux * 2 * rr, by = ay + uy * 2 * rr;
      out.push(
        `${f(ax + K * rr * nx)} ${f(ay + K * rr * ny)} ${f(tx - K * rr * ux)} ${f(ty - K * rr * uy)} ${f(tx)} ${f(ty)} c`,
        `${f(tx + K * rr * ux)} ${f(ty + K * rr * uy)} ${f(bx + K * rr * nx)} ${f(by + K * rr * ny)} ${f(bx)} ${f(by)} c`,
      );
    }
  });
  return `${out.join('\n')} h`;
}

/** The half-width of a cloud's arcs for a stroke width. */
export function cloudRadius(width: number): number {
  return Math.max(6, width * 3);
}

/** The length of an arrow head's sides for a stroke width. */
export function arrowHead(width: number): number {
  return Math.max(8, width * 4);
}

export const PIN_SIZE = 20;

function ink(mark: Mark, rgb: [number, number, number], highlighter: boolean): AnnotSpec {
  const pts = pairs(mark.points);
  // A single point is a dot: a zero-length round-capped line.
  const drawn = pts.length === 1 ? [pts[0]!, pts[0]!] : pts;
  return {
    subtype: 'Ink',
    subject: highlighter ? 'Surligneur' : 'Stylo',
    rect: bounds(pts, mark.width / 2 + 1),
    opacity: highlighter ? HIGHLIGHTER_OPACITY : 1,
    color: rgb,
    extra: { InkList: [mark.points.map(f)], BS: { W: f(mark.width), S: 'S' } },
    ops: `${stroke(rgb, mark.width)} ${path(drawn)} S`,
  };
}

function line(mark: Mark, rgb: [number, number, number], arrow: boolean): AnnotSpec {
  const [a, b] = pairs(mark.points) as [Point, Point];
  const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
  const ux = (b[0] - a[0]) / len, uy = (b[1] - a[1]) / len, h = arrowHead(mark.width);
  const w1: Point = [b[0] - h * ux + 0.5 * h * uy, b[1] - h * uy - 0.5 * h * ux];
  const w2: Point = [b[0] - h * ux - 0.5 * h * uy, b[1] - h * uy + 0.5 * h * ux];
  const head = arrow ? ` ${path([w1, b, w2])}` : '';
  return {
    subtype: 'Line',
    subject: arrow ? 'Flèche' : 'Ligne',
    rect: bounds(arrow ? [a, b, w1, w2] : [a, b], mark.width / 2 + 1),
    opacity: 1,
    color: rgb,
    extra: { L: [a[0], a[1], b[0], b[1]].map(f), LE: ['None', arrow ? 'OpenArrow' : 'None'], BS: { W: f(mark.width), S: 'S' } },
    ops: `${stroke(rgb, mark.width)} ${path([a, b])}${head} S`,
  };
}

function box(mark: Mark, rgb: [number, number, number], ellipse: boolean): AnnotSpec {
  const corners = bounds(pairs(mark.points), 0);
  const half = mark.width / 2;
  const [x0, y0, x1, y1] = corners;
  return {
    subtype: ellipse ? 'Circle' : 'Square',
    subject: ellipse ? 'Ellipse' : 'Rectangle',
    // The stroke is centred on the corners the user drew, so the Rect is half a width larger (/RD says by how much).
    rect: bounds([[x0, y0], [x1, y1]], half),
    opacity: 1,
    color: rgb,
    extra: { BS: { W: f(mark.width), S: 'S' }, RD: [half, half, half, half].map(f) },
    ops: `${stroke(rgb, mark.width)} ${ellipse ? ellipsePath(corners) : `${f(x0)} ${f(y0)} ${f(x1 - x0)} ${f(y1 - y0)} re`} S`,
  };
}

function cloud(mark: Mark, rgb: [number, number, number]): AnnotSpec {
  const v = pairs(mark.points);
  const r = cloudRadius(mark.width);
  return {
    subtype: 'Polygon',
    subject: 'Nuage de révision',
    rect: bounds(v, r + mark.width / 2 + 1),
    opacity: 1,
    color: rgb,
    extra: { Vertices: mark.points.map(f), BE: { S: 'C', I: 1 }, BS: { W: f(mark.width), S: 'S' }, IT: 'PolygonCloud' },
    ops: `${stroke(rgb, mark.width)} ${cloudPath(v, r)} S`,
  };
}

/**
 * A text note: its point is the top-left corner of the box as the page is
 * shown (with its /Rotate), the box as large as the text. The appearance is
 * drawn upright in a BBox of the shown size, turned by /Matrix (as pdf.js's
 * own editor does).
 */
function freeText(mark: Mark, rgb: [number, number, number], rotation: number, font: TextFont): AnnotSpec {
  const size = markupFontSize(mark.width);
  const lines = font.sanitize(mark.text ?? '').split('\n');
  const pad = 2, lead = size * 1.2;
  const w = f(Math.max(...lines.map((l) => font.widthOf(l, size))) + 2 * pad);
  const h = f(lines.length * lead + 2 * pad);
  const [px, py] = pairs(mark.points)[0]!;
  // Shown right / down, in user space, for /Rotate 0, 90, 180, 270 (pdf.js's viewport transforms).
  const rect: Rect =
    rotation === 90 ? [px, py, px + h, py + w]
    : rotation === 180 ? [px - w, py, px, py + h]
    : rotation === 270 ? [px - h, py - w, px, py]
    : [px, py - h, px + w, py];
  const rad = (rotation * Math.PI) / 180;
  const c = Math.round(Math.cos(rad)), s = Math.round(Math.sin(rad));
  const colour = `${rgb.join(' ')} rg`;
  const hexColour = `#${rgb.map((v) => Math.round(v * 255).toString(16).padStart(2, '0')).join('').toUpperCase()}`;
  const body = lines
    .map((l, i) => `BT /Helv ${size} Tf ${colour} ${pad} ${f(h - pad - (i + 1) * lead + (lead - size) / 2 + size * 0.22)} Td ${font.encode(l)} Tj ET`)
    .join('\n');
  // /RC is XHTML that pdf.js feeds to an XML parser as raw bytes: plain ASCII, other characters as entities.
  const xml = (t: string): string =>
    t.replace(/[<>&]/g, (ch) => `&#${ch.codePointAt(0)};`).replace(/[^\x20-\x7e]/g, (ch) => `&#${ch.codePointAt(0)};`);
  const rich = `<?xml version="1.0"?><body xmlns="http://www.w3.org/1999/xhtml" xmlns:xfa="http://www.xfa.org/schema/xfa-data/1.0/" xfa:APIVersion="Acrobat:11.0.0" xfa:spec="2.0.2">${lines.map((l) => `<p>${xml(l)}</p>`).join('')}</body>`;
  return {
    subtype: 'FreeText',
    subject: 'Note',
    rect: rect.map(f) as Rect,
    bbox: [0, 0, w, h],
    matrix: [c, s, -s, c, 0, 0],
    opacity: 1,
    color: null,
    contents: mark.text ?? '',
    font: true,
    extra: {
      DA: PDFString.of(`/Helv ${size} Tf ${colour}`),
      DS: PDFString.of(`font: Helvetica,sans-serif ${size.toFixed(1)}pt; text-align:left; color:${hexColour}`),
      RC: PDFHexString.of(Buffer.from(rich, 'latin1').toString('hex')),
      BS: { W: 0 },
      Rotate: rotation,
      IT: 'FreeText',
    },
    ops: body,
  };
}

/** A numbered pin ("Repère N"): a Text annotation whose upper-left corner is the point, drawn as a disc with its number. */
function pin(mark: Mark, rgb: [number, number, number], font: TextFont): AnnotSpec {
  const [px, py] = pairs(mark.points)[0]!;
  const n = String(mark.pin ?? '?');
  const size = n.length === 1 ? 13 : n.length === 2 ? 10 : 7;
  const label = mark.text?.trim();
  return {
    subtype: 'Text',
    subject: 'Repère',
    rect: [px, py - PIN_SIZE, px + PIN_SIZE, py].map(f) as Rect,
    bbox: [0, 0, PIN_SIZE, PIN_SIZE],
    opacity: 1,
    color: rgb,
    contents: `Repère ${n}${label ? ` : ${label}` : ''}`,
    // Print, NoZoom, NoRotate, as Acrobat sets them on notes.
    flags: 28,
    font: true,
    extra: { Name: 'Comment', Open: false },
    ops: `${rgb.join(' ')} rg ${ellipsePath([0, 0, PIN_SIZE, PIN_SIZE])} f 1 g BT /Helv ${size} Tf ${f(PIN_SIZE / 2 - font.widthOf(n, size) / 2)} ${f(PIN_SIZE / 2 - size * 0.35)} Td ${font.encode(n)} Tj ET`,
  };
}

/** The annotation a mark becomes on a page turned by `rotation` (its /Rotate: 0, 90, 180, 270). */
export function annotationFor(mark: Mark, rotation: number, font: TextFont): AnnotSpec {
  const rgb = hexToRgb(mark.color);
  switch (mark.tool) {
    case 'pen':
      return ink(mark, rgb, false);
    case 'highlighter':
      return ink(mark, rgb, true);
    case 'line':
      return line(mark, rgb, false);
    case 'arrow':
      return line(mark, rgb, true);
    case 'rect':
      return box(mark, rgb, false);
    case 'ellipse':
      return box(mark, rgb, true);
    case 'cloud':
      return cloud(mark, rgb);
    case 'text':
      return freeText(mark, rgb, rotation, font);
    case 'pin':
      return pin(mark, rgb, font);
  }
}
