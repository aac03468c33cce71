import { describe, expect, it } from 'vitest';
import {
  clampView,
  fitSize,
  fittedView,
  layoutOf,
  MAX_SCALE,
  panBy,
  pinchView,
  toggleZoom,
  wheelFactor,
  zoomAt,
  zoomCentre,
  type Layout,
  type Point,
  type View,
} from './zoomPan';

/** A 1920x1080 share on a 1000x1000 stage: fitted to 1000x562.5, letterboxed top and bottom. */
const layout: Layout = layoutOf({ width: 1920, height: 1080 }, { width: 1000, height: 1000 });

/** The picture point (in fitted units) shown at a stage point. */
const pictureAt = (view: View, at: Point): Point => ({ x: (at.x - view.x) / view.scale, y: (at.y - view.y) / view.scale });

describe('fitting', () => {
  it('fits the picture inside the stage with its aspect ratio', () => {
    expect(fitSize({ width: 1920, height: 1080 }, { width: 1000, height: 1000 })).toEqual({ width: 1000, height: 562.5 });
    expect(fitSize({ width: 800, height: 600 }, { width: 360, height: 640 })).toEqual({ width: 360, height: 270 });
    expect(fitSize({ width: 0, height: 0 }, { width: 360, height: 640 })).toEqual({ width: 0, height: 0 });
  });

  it('centres the whole picture at scale 1', () => {
    expect(fittedView(layout)).toEqual({ scale: 1, x: 0, y: 218.75 });
  });
});

describe('zooming', () => {
  it('keeps the picture point under the cursor in place', () => {
    const start = fittedView(layout);
    const at = { x: 700, y: 400 };
    const zoomed = zoomAt(start, 3, at, layout);
    expect(zoomed.scale).toBe(3);
    const before = pictureAt(start, at);
    const after = pictureAt(zoomed, at);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it('stays between 1 and the maximum scale', () => {
    const start = fittedView(layout);
    expect(zoomAt(start, 0.1, { x: 10, y: 10 }, layout)).toEqual(start);
    expect(zoomAt(start, 1000, { x: 10, y: 10 }, layout).scale).toBe(MAX_SCALE);
  });

  it('zooms around the centre from the buttons, and back out to the fitted view', () => {
    const zoomed = zoomCentre(fittedView(layout), 2, layout);
    expect(pictureAt(zoomed, { x: 500, y: 500 }).x).toBeCloseTo(500);
    expect(zoomCentre(zoomed, 0.5, layout)).toEqual(fittedView(layout));
  });

  it('toggles between the fitted view and a close-up on double tap', () => {
    const close = toggleZoom(fittedView(layout), { x: 100, y: 300 }, layout);
    expect(close.scale).toBe(2.5);
    expect(toggleZoom(close, { x: 100, y: 300 }, layout)).toEqual(fittedView(layout));
  });

  it('turns wheel deltas into a factor: up zooms in, down zooms out, lines count as 16 px', () => {
    expect(wheelFactor(-100, 0)).toBeGreaterThan(1);
    expect(wheelFactor(100, 0)).toBeLessThan(1);
    expect(wheelFactor(100, 0) * wheelFactor(-100, 0)).toBeCloseTo(1);
    expect(wheelFactor(3, 1)).toBeCloseTo(wheelFactor(48, 0));
  });
});

describe('panning', () => {
  it('moves a zoomed picture but never leaves a gap at its edges', () => {
    const zoomed = zoomAt(fittedView(layout), 2, { x: 500, y: 500 }, layout); // 2000x1125 on 1000x1000
    const moved = panBy(zoomed, -100, 50, layout);
    expect(moved.x).toBeCloseTo(zoomed.x - 100);
    expect(moved.y).toBeCloseTo(zoomed.y + 50);
    expect(panBy(zoomed, 5000, 5000, layout)).toEqual({ scale: 2, x: 0, y: 0 });
    const corner = panBy(zoomed, -5000, -5000, layout);
    expect(corner.x).toBeCloseTo(-1000);
    expect(corner.y).toBeCloseTo(-125);
  });

  it('keeps an unzoomed picture centred whatever the drag', () => {
    expect(panBy(fittedView(layout), 300, -200, layout)).toEqual(fittedView(layout));
  });

  it('re-clamps a view when the stage changes size (rotation, leaving full screen)', () => {
    const atRightEdge = panBy(zoomAt(fittedView(layout), 2, { x: 0, y: 0 }, layout), -5000, 0, layout);
    expect(atRightEdge.x).toBeCloseTo(-1000);
    const narrower = layoutOf({ width: 1920, height: 1080 }, { width: 500, height: 1000 });
    expect(clampView(atRightEdge, narrower).x).toBeCloseTo(500 - 500 * 2);
  });
});

describe('pinching', () => {
  it('scales with the spread of the fingers and keeps the picture under their midpoint', () => {
    const start = { view: fittedView(layout), a: { x: 400, y: 500 }, b: { x: 600, y: 500 } };
    const view = pinchView(start, { x: 300, y: 500 }, { x: 700, y: 500 }, layout);
    expect(view.scale).toBeCloseTo(2);
    expect(pictureAt(view, { x: 500, y: 500 }).x).toBeCloseTo(pictureAt(start.view, { x: 500, y: 500 }).x);
  });

  it('pans when both fingers move together', () => {
    const zoomedIn = zoomAt(fittedView(layout), 3, { x: 500, y: 500 }, layout);
    const start = { view: zoomedIn, a: { x: 400, y: 500 }, b: { x: 600, y: 500 } };
    const view = pinchView(start, { x: 350, y: 460 }, { x: 550, y: 460 }, layout);
    expect(view.scale).toBeCloseTo(3);
    expect(view.x).toBeCloseTo(zoomedIn.x - 50);
    expect(view.y).toBeCloseTo(zoomedIn.y - 40);
  });

  it('ignores a degenerate start (both fingers on one point)', () => {
    const start = { view: fittedView(layout), a: { x: 500, y: 500 }, b: { x: 500, y: 500 } };
    expect(pinchView(start, { x: 400, y: 500 }, { x: 600, y: 500 }, layout).scale).toBe(1);
  });
});
