/**
 * From pointer moves to a mark: what one's stroke looks like while drawn,
 * and the mark it becomes when the pointer lifts. Points are in document
 * coordinates (geometry.ts turns stage pixels into them). Pure.
 */
import type { MarkInput, MarkupTool } from '@chantier/signaling/protocol';
import type { Point } from './geometry';
import { simplifyStroke } from './simplify';

/** Stroke widths in pt, per tool. */
export const DEFAULT_WIDTH: Readonly<Record<MarkupTool, number>> = {
  pen: 2,
  highlighter: 12,
  line: 2,
  arrow: 2,
  rect: 2,
  ellipse: 2,
  cloud: 2,
  text: 2,
  pin: 2,
};

/** Tools placed with one tap (a text note then asks for its text). */
export function isPlaced(tool: MarkupTool): boolean {
  return tool === 'text' || tool === 'pin';
}

/** Freehand tools keep every move; shapes keep the start and where the pointer is. */
export function isFreehand(tool: MarkupTool): boolean {
  return tool === 'pen' || tool === 'highlighter';
}

/** The four corners of the box spanned by two opposite corners (a cloud drawn as a box). */
export function boxVertices(a: Point, b: Point): number[] {
  return [a.x, a.y, b.x, a.y, b.x, b.y, a.x, b.y];
}

/** The points of a stroke after a move to `at` (document coordinates). */
export function extend(tool: MarkupTool, points: readonly number[], at: Point): number[] {
  if (isFreehand(tool)) {
    const n = points.length;
    if (n >= 2 && points[n - 2] === at.x && points[n - 1] === at.y) return [...points];
    return [...points, at.x, at.y];
  }
  const start = { x: points[0] ?? at.x, y: points[1] ?? at.y };
  return tool === 'cloud' ? boxVertices(start, at) : [start.x, start.y, at.x, at.y];
}

/**
 * The mark a stroke becomes, or null when it is nothing (a shape with no
 * size: a tap). `tolerance` is the simplification's, in document units
 * (about half a stage pixel).
 */
export function finish(
  stroke: { page: number; tool: MarkupTool; width: number; points: readonly number[] },
  tolerance: number,
): Omit<MarkInput, 'markId'> | null {
  const { page, tool, width, points } = stroke;
  if (points.length < 2) return null;
  if (isFreehand(tool)) return { page, tool, width, points: simplifyStroke(points, tolerance) };
  if (isPlaced(tool)) return { page, tool, width, points: points.slice(0, 2) };
  const xs = points.filter((_, i) => i % 2 === 0);
  const ys = points.filter((_, i) => i % 2 === 1);
  const extent = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys));
  // Smaller than a couple of pixels: a slip, not a shape.
  if (extent < tolerance * 4) return null;
  return { page, tool, width, points: points.map((v) => Math.round(v * 100) / 100) };
}
