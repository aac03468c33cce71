import { describe, expect, it } from 'vitest';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { pdfFromObjects } from '../../../test/pdf';
import { placement } from '../presentation/view';
import { apply, documentToStage, frameSize, imageFrame, invert, stageToDocument, type PageFrame } from './geometry';

/** Pages whose view box, rotation and unit differ, read back by pdf.js itself. */
const pages: Array<[string, string]> = [
  ['A3 landscape', '/MediaBox [0 0 1190 842]'],
  ['cropped, offset view box', '/MediaBox [0 0 700 900] /CropBox [36 18 600 800]'],
  ['rotated 90', '/MediaBox [0 0 595 842] /Rotate 90'],
  ['rotated 180', '/MediaBox [10 20 610 862] /Rotate 180'],
  ['rotated 270', '/MediaBox [-20 5 400 300] /Rotate 270'],
  ['user unit 2', '/MediaBox [0 0 300 200] /UserUnit 2'],
];

async function pdfPage(box: string) {
  const bytes = pdfFromObjects([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R ${box} /Resources << >> >>`,
  ]);
  const pdf = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false }).promise;
  return pdf.getPage(1);
}

describe('document ↔ stage coordinates', () => {
  for (const [name, box] of pages) {
    it(`is pdf.js's own viewport transform (${name})`, async () => {
      const page = await pdfPage(box);
      const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = page.view;
      const frame: PageFrame = { viewBox: [x1, y1, x2, y2], rotate: page.rotate, userUnit: page.userUnit };
      const size = frameSize(frame);
      // The page size view.ts works with is pdf.js's viewport at scale 1.
      const unit = page.getViewport({ scale: 1 });
      expect(size.width).toBeCloseTo(unit.width, 9);
      expect(size.height).toBeCloseTo(unit.height, 9);
      const stage = { width: 800, height: 600 };
      const view = { page: 1, zoom: 2.3, centerX: 0.31, centerY: 0.64, pointer: null };
      const p = placement(view, size, stage);
      // As documentRenderer.ts paints the page.
      const viewport = page.getViewport({ scale: p.scale, offsetX: p.offsetX, offsetY: p.offsetY });
      const m = documentToStage(frame, p);
      for (const [x, y] of [[x1, y1], [123.45, 156.78], [x2, y2]] as const) {
        const [vx = 0, vy = 0] = viewport.convertToViewportPoint(x, y);
        const mine = apply(m, x, y);
        expect(mine.x).toBeCloseTo(vx, 6);
        expect(mine.y).toBeCloseTo(vy, 6);
        const [dx = 0, dy = 0] = viewport.convertToPdfPoint(vx, vy);
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
