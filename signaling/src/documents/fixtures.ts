/**
 * Small valid files for tests, made on the spot (no binary fixtures in the
 * repository): a one-page PDF written by hand and images encoded by sharp.
 */
import sharp from 'sharp';
import { pdfFromObjects } from '../../../test/pdf.js';

/** A valid one-page A4 PDF showing a filled rectangle; `label` makes different bytes. */
export function minimalPdf(label = 'Chantier'): Buffer {
  const content = `% ${label}\n0.2 0.4 0.8 rg 50 50 495 742 re f\n`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>',
    `<< /Length ${Buffer.byteLength(content)} >>\nstream\n${content}endstream`,
  ];
  return pdfFromObjects(objects);
}

/** A solid-colour image of the given size and format. */
export async function solidImage(
  width: number,
  height: number,
  format: 'png' | 'jpeg' | 'gif' | 'webp' = 'png',
  rgb: [number, number, number] = [200, 80, 40],
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .toFormat(format)
    .toBuffer();
}
