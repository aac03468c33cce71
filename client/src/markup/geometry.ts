/**
 * Document coordinates ↔ stage pixels, so that marks stay anchored to the
 * page whatever the view (zoom, pan, page turned) and whatever the screen.
 *
 * Marks are stored in the document's own coordinates (docs/PROTOCOL.md,
 * "Markup"): PDF user space of the page in points, origin bottom-left of its
 * view box, the page's /Rotate not applied; an image is a page whose view box
 * is [0, 0, width, height] in pixels, origin bottom-left too.
 *
 * The transform is pdf.js's own PageViewport transform (the one the page is
 * painted with, see documentRenderer.ts) for the view's placement: the unit
 * test checks it against pdf.js's convertToViewportPoint and
 * convertToPdfPoint. It is written out here so that the overlay, which
 * redraws on every move, does not need a pdf.js page object.
 */
import type { Placement } from '../presentation/view';

/**
 * What places a page's user space: its view box [x1, y1, x2, y2], its
 * /Rotate (0, 90, 180, 270) and its /UserUnit (pdf.js's page.view, .rotate,
 * .userUnit).
 */
export interface PageFrame {
  viewBox: readonly [number, number, number, number];
  rotate: number;
  userUnit?: number;
}

/** An affine transform [a, b, c, d, e, f]: (x, y) → (a·x + c·y + e, b·x + d·y + f). */
export type Matrix = readonly [number, number, number, number, number, number];

export interface Point {
  x: number;
  y: number;
}

/** An image of width × height pixels: one page, origin bottom-left. */
export function imageFrame(width: number, height: number): PageFrame {
  return { viewBox: [0, 0, width, height], rotate: 0 };
}

/**
 * Document → stage pixels for a page drawn at `placement` (stage px per
 * page unit, and where the page's top-left lands): pdf.js's
 * PageViewport({ viewBox, rotation, scale, offsetX, offsetY }).transform.
 */
export function documentToStage(frame: PageFrame, placement: Placement): Matrix {
  const [x1, y1, x2, y2] = frame.viewBox;
  const { offsetX, offsetY } = placement;
  const scale = placement.scale * (frame.userUnit ?? 1);
  const centerX = (x2 + x1) / 2;
  const centerY = (y2 + y1) / 2;
  let rotation = frame.rotate % 360;
  if (rotation < 0) rotation += 360;
  let a: number, b: number, c: number, d: number;
  switch (rotation) {
    case 90:
      [a, b, c, d] = [0, 1, 1, 0];
      break;
    case 180:
      [a, b, c, d] = [-1, 0, 0, 1];
      break;
    case 270:
      [a, b, c, d] = [0, -1, -1, 0];
      break;
    default:
      [a, b, c, d] = [1, 0, 0, -1];
  }
  const sideways = a === 0;
  const canvasX = (sideways ? Math.abs(centerY - y1) : Math.abs(centerX - x1)) * scale + offsetX;
  const canvasY = (sideways ? Math.abs(centerX - x1) : Math.abs(centerY - y1)) * scale + offsetY;
  return [
    a * scale,
    b * scale,
    c * scale,
    d * scale,
    canvasX - a * scale * centerX - c * scale * centerY,
    canvasY - b * scale * centerX - d * scale * centerY,
  ];
}

export function apply(m: Matrix, x: number, y: number): Point {
  return { x: m[0] * x + m[2] * y + m[4], y: m[1] * x + m[3] * y + m[5] };
}

export function invert(m: Matrix): Matrix {
  const det = m[0] * m[3] - m[1] * m[2];
  return [
    m[3] / det,
    -m[1] / det,
    -m[2] / det,
    m[0] / det,
    (m[2] * m[5] - m[3] * m[4]) / det,
    (m[1] * m[4] - m[0] * m[5]) / det,
  ];
}

/** The page's size in page units (what view.ts calls the page size): the view box, turned. */
export function frameSize(frame: PageFrame): { width: number; height: number } {
  const [x1, y1, x2, y2] = frame.viewBox;
  const unit = frame.userUnit ?? 1;
  const w = Math.abs(x2 - x1) * unit;
  const h = Math.abs(y2 - y1) * unit;
  return frame.rotate % 180 === 0 ? { width: w, height: h } : { width: h, height: w };
}

/** Rounded as the protocol stores coordinates (0.01 pt). */
export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Stage pixel → document point, rounded to 0.01 pt. */
export function stageToDocument(toStage: Matrix, at: Point): Point {
  const p = apply(invert(toStage), at.x, at.y);
  return { x: round2(p.x), y: round2(p.y) };
}

/** A flat [x0, y0, x1, y1, ...] in document coordinates → stage points. */
export function toStagePoints(toStage: Matrix, points: readonly number[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) out.push(apply(toStage, points[i]!, points[i + 1]!));
  return out;
}

/** Stage px per document unit (the transform's uniform scale). */
export function scaleOf(m: Matrix): number {
  return Math.hypot(m[0], m[1]);
}
