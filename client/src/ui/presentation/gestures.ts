/**
 * Pointer gestures on the presentation stage, turned into view changes:
 * one pointer drags (pan), two pointers pinch (zoom around their middle),
 * the wheel zooms around the cursor, and the presenter's hovering pointer
 * becomes the shared pointer. Pure functions of the previous pointers and
 * the new event, so the stage component stays thin.
 */
import type { PresentationView } from '@chantier/signaling/protocol';
import { pan, placement, stageToPage, zoomAt, type Size } from '../../presentation/view';

export interface Point {
  x: number;
  y: number;
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

export function midpoint(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** A move of the pointers from `before` to `after` (same ids): pan for one, pinch for two. */
export function gesture(
  view: PresentationView,
  before: ReadonlyMap<number, Point>,
  after: ReadonlyMap<number, Point>,
  page: Size,
  stage: Size,
): PresentationView {
  const ids = [...after.keys()].filter((id) => before.has(id));
  if (ids.length === 1) {
    const id = ids[0]!;
    return pan(view, after.get(id)!.x - before.get(id)!.x, after.get(id)!.y - before.get(id)!.y, page, stage);
  }
  if (ids.length >= 2) {
    const [a, b] = [ids[0]!, ids[1]!];
    const d0 = distance(before.get(a)!, before.get(b)!);
    const d1 = distance(after.get(a)!, after.get(b)!);
    const m0 = midpoint(before.get(a)!, before.get(b)!);
    const m1 = midpoint(after.get(a)!, after.get(b)!);
    const zoomed = d0 > 0 ? zoomAt(view, d1 / d0, m0.x, m0.y, page, stage) : view;
    return pan(zoomed, m1.x - m0.x, m1.y - m0.y, page, stage);
  }
  return view;
}

/** The presenter's pointer in page coordinates, or null when it is off the page. */
export function pointerOnPage(view: PresentationView, at: Point, page: Size, stage: Size): { x: number; y: number } | null {
  const p = stageToPage(at.x, at.y, placement(view, page, stage), page);
  return p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1 ? p : null;
}
