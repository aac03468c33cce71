/**
 * Zoom and pan of a shared screen on the stage, as pure arithmetic. The
 * picture is first fitted inside the stage (letterboxed, aspect kept); a
 * View then scales that fitted box and places its top-left corner, in stage
 * pixels. Every function returns a clamped view: at scale 1 the picture is
 * centred, zoomed in it always covers the stage (no dragging it away into
 * the void), and the point under the cursor or the fingers stays put.
 */

export interface Size {
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** `scale` multiplies the fitted size; (x, y) is the scaled picture's top-left in the stage. */
export interface View {
  scale: number;
  x: number;
  y: number;
}

/** The stage's size and the picture's size once fitted in it. */
export interface Layout {
  stage: Size;
  fitted: Size;
}

export const MIN_SCALE = 1;
/** 8× a fitted 1080p picture on a laptop is well past one source pixel per screen pixel. */
export const MAX_SCALE = 8;
/** Zoom buttons and double-tap step. */
export const ZOOM_STEP = 1.5;
export const DOUBLE_TAP_SCALE = 2.5;

/** The largest box of the picture's aspect ratio inside the stage. */
export function fitSize(picture: Size, stage: Size): Size {
  if (picture.width <= 0 || picture.height <= 0 || stage.width <= 0 || stage.height <= 0) return { width: 0, height: 0 };
  // The limiting side takes the stage's exact size (no rounding noise on it).
  if (stage.width / picture.width <= stage.height / picture.height) {
    return { width: stage.width, height: (picture.height * stage.width) / picture.width };
  }
  return { width: (picture.width * stage.height) / picture.height, height: stage.height };
}

export function layoutOf(picture: Size, stage: Size): Layout {
  return { stage, fitted: fitSize(picture, stage) };
}

function clampScale(scale: number): number {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/** One axis: centred when smaller than the stage, else no gap at either edge. */
function clampAxis(position: number, size: number, stage: number): number {
  if (size <= stage) return (stage - size) / 2;
  return Math.min(0, Math.max(stage - size, position));
}

export function clampView(view: View, layout: Layout): View {
  const scale = clampScale(view.scale);
  return {
    scale,
    x: clampAxis(view.x, layout.fitted.width * scale, layout.stage.width),
    y: clampAxis(view.y, layout.fitted.height * scale, layout.stage.height),
  };
}

/** The whole picture, centred. */
export function fittedView(layout: Layout): View {
  return clampView({ scale: 1, x: 0, y: 0 }, layout);
}

/** Scales by `factor` around `at` (stage coordinates), which stays over the same picture point. */
export function zoomAt(view: View, factor: number, at: Point, layout: Layout): View {
  const scale = clampScale(view.scale * factor);
  const ratio = scale / view.scale;
  return clampView({ scale, x: at.x - (at.x - view.x) * ratio, y: at.y - (at.y - view.y) * ratio }, layout);
}

/** Zooms around the stage's centre (the buttons, the keyboard). */
export function zoomCentre(view: View, factor: number, layout: Layout): View {
  return zoomAt(view, factor, { x: layout.stage.width / 2, y: layout.stage.height / 2 }, layout);
}

export function panBy(view: View, dx: number, dy: number, layout: Layout): View {
  return clampView({ scale: view.scale, x: view.x + dx, y: view.y + dy }, layout);
}

export interface PinchStart {
  view: View;
  a: Point;
  b: Point;
}

function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

function midpoint(a: Point, b: Point): Point {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * Two fingers: the scale follows their spread since the gesture began, and
 * the picture point that was under their midpoint follows the midpoint (so a
 * pinch also pans). Computed from the start, not step by step, so rounding
 * never accumulates.
 */
export function pinchView(start: PinchStart, a: Point, b: Point, layout: Layout): View {
  const startSpread = distance(start.a, start.b);
  const factor = startSpread > 0 ? distance(a, b) / startSpread : 1;
  const scale = clampScale(start.view.scale * factor);
  const from = midpoint(start.a, start.b);
  const to = midpoint(a, b);
  // The picture point under the starting midpoint, in fitted (scale 1) units.
  const px = (from.x - start.view.x) / start.view.scale;
  const py = (from.y - start.view.y) / start.view.scale;
  return clampView({ scale, x: to.x - px * scale, y: to.y - py * scale }, layout);
}

/** Double-click or double-tap: zoom in on the point, or back to the whole picture. */
export function toggleZoom(view: View, at: Point, layout: Layout): View {
  return view.scale > MIN_SCALE ? fittedView(layout) : zoomAt(view, DOUBLE_TAP_SCALE / view.scale, at, layout);
}

/** WheelEvent.deltaMode: pixels, lines or pages, as pixels. */
const DELTA_UNIT = [1, 16, 400] as const;

/**
 * The zoom factor of one wheel event: exponential, so that a notched mouse
 * wheel (100 px a notch → ×1.22) and a touchpad's many small pinch events
 * (ctrlKey wheel events with small deltas) feel the same per distance.
 */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaY * (DELTA_UNIT[deltaMode as 0 | 1 | 2] ?? 1);
  return Math.exp(-pixels * 0.002);
}
