/**
 * Sizes and legibility of a still picture of test/plan.ts's 1920x1080 plan
 * (8-px text) in the encodings a sharer's Chromium offers (issue 21's still
 * pictures, client/src/room/StillSender.ts): WebP lossy at a few qualities,
 * WebP at quality 1 (lossless in Chromium), PNG, JPEG; each decoded back in
 * the page and compared (luma PSNR, whole frame; 30 dB is the bar). One
 * headless Chromium, a few seconds: `node --import tsx
 * scripts/bench/probes/stillEncoding.ts`, under the heavy lock. Prints a table.
 */
import { launchBrowser } from '../../../test/browser.js';
import { drawPlan, lumaPsnr, pageSource, PLAN_HEIGHT, PLAN_WIDTH } from '../../../test/plan.js';

/** `levels`: luma posterised to this many grey levels first (a palette: WebP lossless packs it small). */
const ENCODINGS: Array<{ type: string; quality?: number; levels?: number }> = [
  { type: 'image/webp', quality: 1, levels: 8 },
  { type: 'image/webp', quality: 1, levels: 16 },
  { type: 'image/webp', quality: 1, levels: 32 },
  { type: 'image/webp', quality: 0.1 },
  { type: 'image/webp', quality: 0.2 },
  { type: 'image/webp', quality: 0.3 },
  { type: 'image/webp', quality: 0.5 },
  { type: 'image/webp', quality: 0.7 },
  { type: 'image/webp', quality: 0.8 },
  { type: 'image/webp', quality: 0.9 },
  { type: 'image/webp', quality: 1 },
  { type: 'image/png' },
  { type: 'image/jpeg', quality: 0.7 },
  { type: 'image/jpeg', quality: 0.9 },
];

const browser = await launchBrowser();
try {
  const page = await browser.browser.newPage();
  const rows = await page.evaluate(
    async (sources: { draw: string; psnr: string }, width: number, height: number, encodings: typeof ENCODINGS) => {
      const draw = new Function(`return (${sources.draw})`)() as (ctx: OffscreenCanvasRenderingContext2D, w: number, h: number) => void;
      const psnr = new Function(`return (${sources.psnr})`)() as (a: Uint8ClampedArray, b: Uint8ClampedArray) => number;
      const plan = new OffscreenCanvas(width, height);
      const ctx = plan.getContext('2d', { willReadFrequently: true })!;
      draw(ctx, width, height);
      const reference = ctx.getImageData(0, 0, width, height).data;
      const out = [];
      for (const encoding of encodings) {
        const started = performance.now();
        let source = plan;
        if (encoding.levels) {
          source = new OffscreenCanvas(width, height);
          const grey = new ImageData(width, height);
          const step = 255 / (encoding.levels - 1);
          for (let i = 0; i < reference.length; i += 4) {
            const y = (reference[i]! * 77 + reference[i + 1]! * 150 + reference[i + 2]! * 29) >> 8;
            grey.data[i] = grey.data[i + 1] = grey.data[i + 2] = Math.round(Math.round(y / step) * step);
            grey.data[i + 3] = 255;
          }
          source.getContext('2d')!.putImageData(grey, 0, 0);
        }
        const blob = await source.convertToBlob({ type: encoding.type, ...(encoding.quality === undefined ? {} : { quality: encoding.quality }) });
        const encodeMs = performance.now() - started;
        const decoded = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
        decoded.drawImage(await createImageBitmap(blob), 0, 0);
        out.push({
          encoding: `${blob.type}${encoding.quality === undefined ? '' : ` q${encoding.quality}`}${encoding.levels ? `, ${encoding.levels} grey levels` : ''}`,
          kb: Math.round(blob.size / 102.4) / 10,
          psnr: Math.min(99, Math.round(psnr(decoded.getImageData(0, 0, width, height).data, reference) * 10) / 10),
          encodeMs: Math.round(encodeMs),
        });
      }
      return out;
    },
    { draw: pageSource(drawPlan), psnr: pageSource(lumaPsnr) },
    PLAN_WIDTH,
    PLAN_HEIGHT,
    ENCODINGS,
  );
  process.stdout.write('| encoding | KB | luma PSNR dB | encode ms | s on 300 kbit/s (~35 KB/s) |\n| --- | --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.encoding} | ${r.kb} | ${r.psnr} | ${r.encodeMs} | ${(r.kb / 35).toFixed(1)} |\n`);
} finally {
  await browser.close();
}
process.exit(0);
