/**
 * What each mark looks like on the stage: SVG path data, text and pins in
 * stage pixels, computed from the mark's document coordinates and the page's
 * current transform (geometry.ts). Pure, so two viewers with the same view
 * draw the same SVG, and the overlay (ui/markup/MarkupOverlay.tsx) only
 * turns these into elements.
 *
 * Sizes are in document units (pt) and scale with the zoom like the plan
 * itself: a mark is part of the page, not of the glass.
 */
import { markupFontSize, type MarkupTool } from '@chantier/signaling/protocol';
import { apply, scaleOf, toStagePoints, type Matrix, type Point } from './geometry';

/** The shape part of a mark: enough to draw it (a stored mark, or one being drawn). */
export interface MarkShape {
  tool: MarkupTool;
  points: readonly number[];
  width: number;
  color: string;
  text?: string | undefined;
  pin?: number | undefined;
}

export type Drawn =
  | { kind: 'path'; d: string; stroke: string; strokeWidth: number; fill: string; opacity: number }
  | { kind: 'text'; x: number; y: number; fontSize: number; lines: string[]; color: string }
  | { kind: 'pin'; x: number; y: number; r: number; label: string; color: string; caption: string };

/** A text note's font size in pt: the protocol's rule, so the saved PDF's FreeText matches. */
export const fontSizeOf = markupFontSize;

/**
 * A pin's radius in pt. Its point is the top-left corner of its square (as
 * the saved PDF's Text note /Rect), so its centre is (x + r, y − r).
 */
export const PIN_RADIUS = 9;

/** The point to send for a pin whose centre is at `centre` (document coordinates). */
export function pinCorner(centre: { x: number; y: number }): { x: number; y: number } {
  return { x: Math.round((centre.x - PIN_RADIUS) * 100) / 100, y: Math.round((centre.y + PIN_RADIUS) * 100) / 100 };
}

/** Highlighters let the plan show through. */
export const HIGHLIGHTER_OPACITY = 0.35;

/** Coordinates written with two decimals: enough below a pixel, and the same text for everyone. */
const n = (v: number): string => (Math.round(v * 100) / 100).toString();

export function polylinePath(points: readonly Point[]): string {
  if (points.length === 0) return '';
  const [first, ...rest] = points;
  // A single point still shows: a dot the stroke's round cap makes.
  if (rest.length === 0) return `M${n(first!.x)} ${n(first!.y)}l0.01 0`;
  return `M${n(first!.x)} ${n(first!.y)}${rest.map((p) => `L${n(p.x)} ${n(p.y)}`).join('')}`;
}

function closedPath(points: readonly Point[]): string {
  return `${polylinePath(points)}Z`;
}

/** The two lines of an arrow's head at `tip`, coming from `from`. */
export function arrowHead(from: Point, tip: Point, length: number): string {
  const angle = Math.atan2(tip.y - from.y, tip.x - from.x);
  const spread = Math.PI / 7;
  const left = { x: tip.x - length * Math.cos(angle - spread), y: tip.y - length * Math.sin(angle - spread) };
  const right = { x: tip.x - length * Math.cos(angle + spread), y: tip.y - length * Math.sin(angle + spread) };
  return `M${n(left.x)} ${n(left.y)}L${n(tip.x)} ${n(tip.y)}L${n(right.x)} ${n(right.y)}`;
}

/** Twice the signed area (shoelace): its sign says which way the polygon turns. */
export function signedArea(points: readonly Point[]): number {
  let sum = 0;
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!;
    const b = points[(i + 1) % points.length]!;
    sum += a.x * b.y - b.x * a.y;
  }
  return sum;
}

/**
 * A revision cloud: each edge of the polygon cut into bumps of about
 * `bump` pixels, each a half circle bulging outwards.
 */
export function cloudPath(vertices: readonly Point[], bump: number): string {
  if (vertices.length < 2) return '';
  // Outwards is to the left of each edge for a clockwise polygon on screen (y down).
  const sweep = signedArea(vertices) > 0 ? 1 : 0;
  let d = `M${n(vertices[0]!.x)} ${n(vertices[0]!.y)}`;
  for (let i = 0; i < vertices.length; i++) {
    const a = vertices[i]!;
    const b = vertices[(i + 1) % vertices.length]!;
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    const count = Math.max(1, Math.round(length / Math.max(1, bump)));
    const r = length / count / 2;
    for (let k = 1; k <= count; k++) {
      const x = a.x + ((b.x - a.x) * k) / count;
      const y = a.y + ((b.y - a.y) * k) / count;
      d += `A${n(r)} ${n(r)} 0 0 ${sweep} ${n(x)} ${n(y)}`;
    }
  }
  return `${d}Z`;
}

/** The corners of the rectangle spanned by two opposite document corners, on the stage. */
function boxCorners(toStage: Matrix, points: readonly number[]): Point[] {
  const [x0 = 0, y0 = 0, x1 = x0, y1 = y0] = points;
  return [apply(toStage, x0, y0), apply(toStage, x1, y0), apply(toStage, x1, y1), apply(toStage, x0, y1)];
}

function ellipsePath(corners: readonly Point[]): string {
  const xs = corners.map((p) => p.x);
  const ys = corners.map((p) => p.y);
  const [left, right, top, bottom] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const rx = (right - left) / 2;
  const ry = (bottom - top) / 2;
  const cy = (top + bottom) / 2;
  return `M${n(left)} ${n(cy)}A${n(rx)} ${n(ry)} 0 1 0 ${n(right)} ${n(cy)}A${n(rx)} ${n(ry)} 0 1 0 ${n(left)} ${n(cy)}Z`;
}

/** What to draw for a mark under the page's current transform. */
export function drawMark(mark: MarkShape, toStage: Matrix): Drawn[] {
  const scale = scaleOf(toStage);
  const strokeWidth = mark.width * scale;
  const line = (d: string, opacity = 1, fill = 'none'): Drawn => ({ kind: 'path', d, stroke: mark.color, strokeWidth, fill, opacity });
  const pts = toStagePoints(toStage, mark.points);
  switch (mark.tool) {
    case 'pen':
      return [line(polylinePath(pts))];
    case 'highlighter':
      return [line(polylinePath(pts), HIGHLIGHTER_OPACITY)];
    case 'line':
      return [line(polylinePath(pts.slice(0, 2)))];
    case 'arrow': {
      const [from, tip] = pts;
      if (!from || !tip) return [line(polylinePath(pts))];
      const head = Math.max(10, mark.width * 4) * scale;
      return [line(`${polylinePath([from, tip])}${arrowHead(from, tip, head)}`)];
    }
    case 'rect':
      return [line(closedPath(boxCorners(toStage, mark.points)))];
    case 'ellipse':
      return [line(ellipsePath(boxCorners(toStage, mark.points)))];
    case 'cloud':
      return [line(pts.length >= 3 ? cloudPath(pts, Math.max(8, mark.width * 5) * scale) : polylinePath(pts))];
    case 'text': {
      const at = pts[0];
      if (!at) return [];
      return [{ kind: 'text', x: at.x, y: at.y, fontSize: fontSizeOf(mark.width) * scale, lines: (mark.text ?? '').split('\n'), color: mark.color }];
    }
    case 'pin': {
      const [x, y] = mark.points;
      if (x === undefined || y === undefined) return [];
      const at = apply(toStage, x + PIN_RADIUS, y - PIN_RADIUS);
      return [
        {
          kind: 'pin',
          x: at.x,
          y: at.y,
          r: PIN_RADIUS * scale,
          label: mark.pin === undefined ? '…' : String(mark.pin),
          color: mark.color,
          caption: mark.text ?? '',
        },
      ];
    }
  }
}
