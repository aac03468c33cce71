/**
 * Wheel, drag, pinch, double-tap and keyboard on the screen stage, turned
 * into a View (see stage/zoomPan.ts, which does all the arithmetic). The
 * view is this viewer's own look at the picture, not meeting state: it lives
 * in the component and is forgotten with it.
 */
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import {
  clampView,
  fittedView,
  panBy,
  pinchView,
  toggleZoom,
  wheelFactor,
  zoomAt,
  zoomCentre,
  ZOOM_STEP,
  type Layout,
  type PinchStart,
  type Point,
  type View,
} from '../../stage/zoomPan';

/** Two taps closer than this in time (ms) and space (px) are a double tap. */
// A little longer than phones' 300 ms: slower taps (gloves on site) still count.
const DOUBLE_TAP_MS = 400;
const DOUBLE_TAP_PX = 30;
/** A dblclick this soon after a touch double tap is that same gesture, synthesised by the browser. */
const TOUCH_DBLCLICK_MS = 1000;
/** Arrow keys move the picture by this many stage pixels. */
const KEY_PAN_PX = 60;

export interface PanZoom {
  view: View;
  zoomIn(): void;
  zoomOut(): void;
  reset(): void;
  handlers: Pick<
    JSX.HTMLAttributes<HTMLDivElement>,
    'onPointerDown' | 'onPointerMove' | 'onPointerUp' | 'onPointerCancel' | 'onWheel' | 'onDblClick' | 'onKeyDown'
  >;
}

function pointIn(element: Element, event: { clientX: number; clientY: number }): Point {
  const rect = element.getBoundingClientRect();
  return { x: event.clientX - rect.left, y: event.clientY - rect.top };
}

export function usePanZoom(layout: Layout): PanZoom {
  const [stored, setStored] = useState<View | null>(null);
  // Re-clamped on every render: the stage may have been resized or rotated since.
  const view = stored ? clampView(stored, layout) : fittedView(layout);
  const pointers = useRef(new Map<number, Point>());
  const pinch = useRef<PinchStart | null>(null);
  const lastTap = useRef<{ at: number; point: Point } | null>(null);
  /** When a touch double tap last toggled: the browser's own dblclick that follows must not undo it. */
  const lastTouchToggle = useRef(-Infinity);

  const set = (next: View): void => setStored(next);

  const startPinch = (current: View): void => {
    const [a, b] = [...pointers.current.values()];
    pinch.current = a && b ? { view: current, a, b } : null;
  };

  const isDoubleTap = (point: Point): boolean => {
    const previous = lastTap.current;
    const now = performance.now();
    const double =
      !!previous &&
      now - previous.at <= DOUBLE_TAP_MS &&
      Math.hypot(point.x - previous.point.x, point.y - previous.point.y) < DOUBLE_TAP_PX;
    // A tap that does not complete a double tap may start one: it must stay
    // the "previous" tap (forgetting it made the double tap after a pinch miss).
    lastTap.current = double ? null : { at: now, point };
    return double;
  };

  return {
    view,
    zoomIn: () => set(zoomCentre(view, ZOOM_STEP, layout)),
    zoomOut: () => set(zoomCentre(view, 1 / ZOOM_STEP, layout)),
    reset: () => set(fittedView(layout)),
    handlers: {
      onPointerDown(event) {
        const element = event.currentTarget;
        const point = pointIn(element, event);
        // Keep receiving moves when the finger or mouse leaves the stage mid-drag.
        element.setPointerCapture(event.pointerId);
        pointers.current.set(event.pointerId, point);
        if (pointers.current.size === 2) startPinch(view);
        else if (event.pointerType !== 'mouse' && pointers.current.size === 1 && isDoubleTap(point)) {
          lastTouchToggle.current = performance.now();
          set(toggleZoom(view, point, layout));
        }
      },
      onPointerMove(event) {
        const previous = pointers.current.get(event.pointerId);
        if (!previous) return;
        const point = pointIn(event.currentTarget, event);
        pointers.current.set(event.pointerId, point);
        const [a, b] = [...pointers.current.values()];
        if (pinch.current && a && b) set(pinchView(pinch.current, a, b, layout));
        else if (pointers.current.size === 1) set(panBy(view, point.x - previous.x, point.y - previous.y, layout));
      },
      onPointerUp(event) {
        pointers.current.delete(event.pointerId);
        // From two fingers to one: the remaining one pans from where it is.
        pinch.current = null;
      },
      onPointerCancel(event) {
        pointers.current.delete(event.pointerId);
        pinch.current = null;
      },
      onWheel(event) {
        // Ours, not the page's: the page must not scroll while zooming a plan.
        event.preventDefault();
        set(zoomAt(view, wheelFactor(event.deltaY, event.deltaMode), pointIn(event.currentTarget, event), layout));
      },
      onDblClick(event) {
        // Chrome also fires dblclick for a touch double tap, already handled above.
        if (performance.now() - lastTouchToggle.current < TOUCH_DBLCLICK_MS) return;
        set(toggleZoom(view, pointIn(event.currentTarget, event), layout));
      },
      onKeyDown(event) {
        const moves: Record<string, () => View> = {
          '+': () => zoomCentre(view, ZOOM_STEP, layout),
          '=': () => zoomCentre(view, ZOOM_STEP, layout),
          '-': () => zoomCentre(view, 1 / ZOOM_STEP, layout),
          '0': () => fittedView(layout),
          ArrowLeft: () => panBy(view, KEY_PAN_PX, 0, layout),
          ArrowRight: () => panBy(view, -KEY_PAN_PX, 0, layout),
          ArrowUp: () => panBy(view, 0, KEY_PAN_PX, layout),
          ArrowDown: () => panBy(view, 0, -KEY_PAN_PX, layout),
        };
        const move = moves[event.key];
        if (!move) return;
        event.preventDefault();
        set(move());
      },
    },
  };
}
