/**
 * Draws a presented document onto a stage-sized canvas: PDF pages with
 * pdf.js (vector, so crisp at any zoom: only the visible part is rendered,
 * at the stage's own resolution), images with drawImage. The view decides
 * what is visible (view.ts); this module only paints.
 */
import { getDocument, GlobalWorkerOptions, type PDFDocumentProxy, type RenderTask } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { imageFrame, type PageFrame } from '../markup/geometry';
import type { Placement, Size } from './view';

GlobalWorkerOptions.workerSrc = workerUrl;

/** What is outside the page on the stage. */
const STAGE_BACKGROUND = '#1b2027';

export interface RenderedDocument {
  readonly kind: 'pdf' | 'image';
  readonly pageCount: number;
  /** A page's size in its own units (PDF points, image pixels). */
  pageSize(page: number): Promise<Size>;
  /** What places the page's own coordinates (marks are anchored in them): view box, rotation, unit. */
  pageFrame(page: number): Promise<PageFrame>;
  /** Paints the page; a newer call cancels an older one still running (which then answers false). */
  render(page: number, canvas: HTMLCanvasElement, placement: Placement, pixelRatio: number): Promise<boolean>;
  destroy(): void;
}

export async function openDocument(bytes: ArrayBuffer, mimeType: string): Promise<RenderedDocument> {
  return mimeType === 'application/pdf' ? openPdf(bytes) : openImage(bytes, mimeType);
}

function prepare(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas');
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.fillStyle = STAGE_BACKGROUND;
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.imageSmoothingQuality = 'high';
  return context;
}

async function openPdf(bytes: ArrayBuffer): Promise<RenderedDocument> {
  // pdf.js takes ownership of the buffer it is given: hand it a copy.
  const pdf: PDFDocumentProxy = await getDocument({ data: new Uint8Array(bytes.slice(0)), isEvalSupported: false }).promise;
  const sizes = new Map<number, Size>();
  let task: RenderTask | null = null;
  const pageSize = async (page: number): Promise<Size> => {
    const known = sizes.get(page);
    if (known) return known;
    const viewport = (await pdf.getPage(page)).getViewport({ scale: 1 });
    const size = { width: viewport.width, height: viewport.height };
    sizes.set(page, size);
    return size;
  };
  const pageFrame = async (page: number): Promise<PageFrame> => {
    const pdfPage = await pdf.getPage(page);
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = pdfPage.view;
    return { viewBox: [x1, y1, x2, y2], rotate: pdfPage.rotate, userUnit: pdfPage.userUnit };
  };
  return {
    kind: 'pdf',
    pageCount: pdf.numPages,
    pageSize,
    pageFrame,
    async render(page, canvas, p, pixelRatio) {
      task?.cancel();
      const pdfPage = await pdf.getPage(page);
      const size = await pageSize(page);
      const context = prepare(canvas);
      // The page itself is white; pdf.js then paints its content over it.
      context.fillStyle = '#ffffff';
      context.fillRect(
        p.offsetX * pixelRatio,
        p.offsetY * pixelRatio,
        size.width * p.scale * pixelRatio,
        size.height * p.scale * pixelRatio,
      );
      const viewport = pdfPage.getViewport({
        scale: p.scale * pixelRatio,
        offsetX: p.offsetX * pixelRatio,
        offsetY: p.offsetY * pixelRatio,
      });
      const current = pdfPage.render({ canvas: null, canvasContext: context, viewport, background: 'rgba(0,0,0,0)' });
      task = current;
      try {
        await current.promise;
        return true;
      } catch (error) {
        // A newer render took over: not a failure.
        if ((error as { name?: string }).name === 'RenderingCancelledException') return false;
        throw error;
      } finally {
        if (task === current) task = null;
      }
    },
    destroy() {
      task?.cancel();
      void pdf.destroy();
    },
  };
}

async function openImage(bytes: ArrayBuffer, mimeType: string): Promise<RenderedDocument> {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: mimeType }), { imageOrientation: 'from-image' });
  const size = { width: bitmap.width, height: bitmap.height };
  return {
    kind: 'image',
    pageCount: 1,
    pageSize: async () => size,
    pageFrame: async () => imageFrame(size.width, size.height),
    async render(_page, canvas, p, pixelRatio) {
      const context = prepare(canvas);
      context.drawImage(
        bitmap,
        p.offsetX * pixelRatio,
        p.offsetY * pixelRatio,
        size.width * p.scale * pixelRatio,
        size.height * p.scale * pixelRatio,
      );
      return true;
    },
    destroy() {
      bitmap.close();
    },
  };
}
