/**
 * A freehand stroke made small before it is sent: the pointer gives a point
 * per event (hundreds a second on a phone), most of them on a straight line.
 * Ramer–Douglas–Peucker (simplify-js, the library Leaflet's author keeps)
 * drops those within a tolerance of what remains; the tolerance is about half
 * a stage pixel, in document units, so nothing visible changes at the zoom
 * it was drawn at. A stroke still over the protocol's limit is simplified
 * harder until it fits.
 */
import { MARKUP_LIMITS } from '@chantier/signaling/protocol';
import simplify from 'simplify-js';
import { round2 } from './geometry';

/** Largest number of points (pairs) a stroke may carry. */
export const MAX_STROKE_POINTS = MARKUP_LIMITS.pointsPerStroke;

/**
 * `points` flat [x0, y0, ...] in document units; `tolerance` in the same
 * units. Keeps the first and last points; rounds to 0.01 pt.
 */
export function simplifyStroke(points: readonly number[], tolerance: number, max: number = MAX_STROKE_POINTS): number[] {
  const pairs: Array<{ x: number; y: number }> = [];
  for (let i = 0; i + 1 < points.length; i += 2) pairs.push({ x: points[i]!, y: points[i + 1]! });
  let tol = Math.max(tolerance, 1e-3);
  let kept = pairs.length > 2 ? simplify(pairs, tol, true) : pairs;
  while (kept.length > max) {
    tol *= 2;
    kept = simplify(pairs, tol, true);
  }
  const out: number[] = [];
  for (const p of kept) out.push(round2(p.x), round2(p.y));
  return out;
}
