import { describe, expect, it } from 'vitest';
import { PageViewport } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { placement } from '../presentation/view';
import { apply, documentToStage, frameSize, imageFrame, invert, stageToDocument, type PageFrame } from './geometry';

const frames: Array<[string, PageFrame]> = [
  ['A3 landscape', { viewBox: [0, 0, 1190, 842], rotate: 0 }],
  ['cropped, offset view box', { viewBox: [36, 18, 600, 800], rotate: 0 }],
  ['rotated 90', { viewBox: [0, 0, 595, 842], rotate: 90 }],
  ['rotated 180', { viewBox: [10, 20, 610, 862], rotate: 180 }],
  ['rotated 270', { viewBox: [-20, 5, 400, 300], rotate: 270 }],
  ['user unit 2', { viewBox: [0, 0, 300, 200], rotate: 0, userUnit: 2 }],
];

describe('document ↔ stage coordinates', () => {
  for (const [name, frame] of frames) {
    it(`is pdf.js's own viewport transform (${name})`, () => {
      const page = frameSize(frame);
      const stage = { width: 800, height: 600 };
      const view = { page: 1, zoom: 2.3, centerX: 0.31, centerY: 0.64, pointer: null };
      const p = placement(view, page, stage);
      const viewport = new PageViewport({
        viewBox: [...frame.viewBox],
        userUnit: frame.userUnit ?? 1,
        scale: p.scale,
        rotation: frame.rotate,
        offsetX: p.offsetX,
        offsetY: p.offsetY,
      });
      // The page size view.ts works with is pdf.js's viewport at scale 1.
      const unit = new PageViewport({ viewBox: [...frame.viewBox], userUnit: frame.userUnit ?? 1, scale: 1, rotation: frame.rotate });
      expect(page.width).toBeCloseTo(unit.width, 9);
      expect(page.height).toBeCloseTo(unit.height, 9);
      const m = documentToStage(frame, p);
      for (const [x, y] of [[frame.viewBox[0], frame.viewBox[1]], [123.45, 456.78], [frame.viewBox[2], frame.viewBox[3]]] as const) {
        const [vx, vy] = viewport.convertToViewportPoint(x, y);
        const mine = apply(m, x, y);
        expect(mine.x).toBeCloseTo(vx, 6);
        expect(mine.y).toBeCloseTo(vy, 6);
        const [dx, dy] = viewport.convertToPdfPoint(vx, vy);
        const back = apply(invert(m), vx, vy);
        expect(back.x).toBeCloseTo(dx, 6);
        expect(back.y).toBeCloseTo(dy, 6);
      }
    });
  }

  it('puts an image’s origin at its bottom-left, in pixels', () => {
    const frame = imageFrame(640, 480);
    const m = documentToStage(frame, { scale: 0.5, offsetX: 10, offsetY: 20 });
    expect(apply(m, 0, 0)).toEqual({ x: 10, y: 20 + 240 });
    expect(apply(m, 640, 480)).toEqual({ x: 10 + 320, y: 20 });
  });

  it('keeps a point on the same spot of the page whatever the zoom and pan', () => {
    const frame: PageFrame = { viewBox: [0, 0, 1190, 842], rotate: 0 };
    const page = frameSize(frame);
    const stage = { width: 1000, height: 700 };
    const views = [
      { page: 1, zoom: 1, centerX: 0.5, centerY: 0.5, pointer: null },
      { page: 1, zoom: 3.5, centerX: 0.2, centerY: 0.7, pointer: null },
    ];
    for (const view of views) {
      const m = documentToStage(frame, placement(view, page, stage));
      const at = apply(m, 300, 400);
      // The same document point is at the same fraction of the page on the stage.
      const p = placement(view, page, stage);
      expect((at.x - p.offsetX) / (p.scale * page.width)).toBeCloseTo(300 / 1190, 9);
      expect((at.y - p.offsetY) / (p.scale * page.height)).toBeCloseTo(1 - 400 / 842, 9);
      expect(stageToDocument(m, at)).toEqual({ x: 300, y: 400 });
    }
  });
});
