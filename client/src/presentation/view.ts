/**
 * The geometry of a presented document, shared by presenter and viewers.
 * A view is (page, zoom, centre, pointer) in page coordinates, independent of
 * any screen: zoom 1 fits the page's width to the viewer's stage, and the
 * centre is the point of the page (0..1 across, 0..1 down) at the middle of
 * the stage. Each viewer turns the same view into its own pixels, so two
 * viewers with stages of the same size draw identical images.
 */
import type { PresentationView } from '@chantier/signaling/protocol';

export const MIN_ZOOM = 0.25;
export const MAX_ZOOM = 16;

export interface Size {
  width: number;
  height: number;
}

/** Where the page lands on the stage: its scale (stage px per page unit) and its top-left corner. */
export interface Placement {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export const FIRST_VIEW: PresentationView = { page: 1, zoom: 1, centerX: 0.5, centerY: 0.5, pointer: null };

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** A view kept inside the document: a real page, a sane zoom, a centre on the page. */
export function clampView(view: PresentationView, pageCount: number): PresentationView {
  return {
    page: clamp(Math.round(view.page), 1, Math.max(1, pageCount)),
    zoom: clamp(view.zoom, MIN_ZOOM, MAX_ZOOM),
    centerX: clamp(view.centerX, 0, 1),
    centerY: clamp(view.centerY, 0, 1),
    pointer: view.pointer ? { x: clamp(view.pointer.x, 0, 1), y: clamp(view.pointer.y, 0, 1) } : null,
  };
}

/** Page units → stage pixels for this view. */
export function placement(view: PresentationView, page: Size, stage: Size): Placement {
  const scale = (stage.width / page.width) * view.zoom;
  return {
    scale,
    offsetX: stage.width / 2 - view.centerX * page.width * scale,
    offsetY: stage.height / 2 - view.centerY * page.height * scale,
  };
}

/** A stage pixel → page coordinates (0..1), e.g. for the presenter's pointer. */
export function stageToPage(x: number, y: number, p: Placement, page: Size): { x: number; y: number } {
  return { x: (x - p.offsetX) / (p.scale * page.width), y: (y - p.offsetY) / (p.scale * page.height) };
}

/** Drags the page by (dx, dy) stage pixels. */
export function pan(view: PresentationView, dx: number, dy: number, page: Size, stage: Size): PresentationView {
  const scale = (stage.width / page.width) * view.zoom;
  return {
    ...view,
    centerX: clamp(view.centerX - dx / (scale * page.width), 0, 1),
    centerY: clamp(view.centerY - dy / (scale * page.height), 0, 1),
  };
}

/**
 * Zooms by `factor` keeping the page point under the stage pixel (x, y)
 * where it is (wheel and pinch zoom around the fingers, not the centre).
 */
export function zoomAt(view: PresentationView, factor: number, x: number, y: number, page: Size, stage: Size): PresentationView {
  const zoom = clamp(view.zoom * factor, MIN_ZOOM, MAX_ZOOM);
  const before = placement(view, page, stage);
  const anchor = stageToPage(x, y, before, page);
  const scale = (stage.width / page.width) * zoom;
  return {
    ...view,
    zoom,
    centerX: clamp(anchor.x - (x - stage.width / 2) / (scale * page.width), 0, 1),
    centerY: clamp(anchor.y - (y - stage.height / 2) / (scale * page.height), 0, 1),
  };
}

/** The first view of a page: fitted to the width, top of the page in view. */
export function pageStart(page: number, pageSize: Size, stage: Size): PresentationView {
  const visibleFraction = Math.min(1, (stage.height / stage.width) * (pageSize.width / pageSize.height));
  return { page, zoom: 1, centerX: 0.5, centerY: visibleFraction / 2, pointer: null };
}

export function sameView(a: PresentationView, b: PresentationView): boolean {
  return (
    a.page === b.page &&
    a.zoom === b.zoom &&
    a.centerX === b.centerX &&
    a.centerY === b.centerY &&
    a.pointer?.x === b.pointer?.x &&
    a.pointer?.y === b.pointer?.y
  );
}
