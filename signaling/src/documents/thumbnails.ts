/**
 * Thumbnails: a JPEG at most 320 px on its longer side, of an image or of a
 * PDF's first page.
 *
 * Images go through sharp (libvips, shipped inside the npm package as a
 * prebuilt binary: no install script, no system library, in-process, reads
 * PNG/JPEG/GIF/WebP, honours EXIF orientation and refuses decompression
 * bombs by pixel count). PDFs go through Debian's pdftoppm (poppler), run
 * with execFile: an argument array, never a shell, killed after a timeout;
 * rendering a PDF is the riskiest parsing we do, so it stays out of our
 * process.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { default as Sharp } from 'sharp';

export const THUMBNAIL_MAX_PX = 320;
const JPEG_QUALITY = 80;
const PDFTOPPM_TIMEOUT_MS = 20_000;
/** ~ a 10,000 × 10,000 photo; larger images get no thumbnail rather than eat the memory. */
const MAX_INPUT_PIXELS = 100_000_000;

const execFileAsync = promisify(execFile);

let sharpLoaded: Promise<typeof Sharp> | undefined;

/** sharp (libvips, about 10 MB once loaded) is loaded with the first image, not at start. */
function loadSharp(): Promise<typeof Sharp> {
  sharpLoaded ??= import('sharp').then(({ default: sharp }) => {
    // libvips keeps recently opened input files open by default; a deleted
    // document's file would then hold its disk space until evicted.
    sharp.cache({ files: 0 });
    return sharp;
  });
  return sharpLoaded;
}

/**
 * Writes a JPEG thumbnail of the file at `input` to `output` (which must end
 * in .jpg). Throws when the file cannot be rendered.
 */
export async function makeThumbnail(viewable: 'pdf' | 'image', input: string, output: string): Promise<void> {
  if (!output.endsWith('.jpg')) throw new Error('thumbnail output must end in .jpg');
  if (viewable === 'pdf') await pdfThumbnail(input, output);
  else await imageThumbnail(input, output);
}

async function imageThumbnail(input: string, output: string): Promise<void> {
  const sharp = await loadSharp();
  await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
    .rotate() // apply EXIF orientation: phone photos from the site come out upright
    .resize(THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' }) // JPEG has no alpha: transparent areas become white, not black
    .jpeg({ quality: JPEG_QUALITY })
    .toFile(output);
}

async function pdfThumbnail(input: string, output: string): Promise<void> {
  // pdftoppm adds ".jpg" to the prefix it is given.
  const prefix = output.slice(0, -'.jpg'.length);
  await execFileAsync(
    'pdftoppm',
    ['-q', '-f', '1', '-l', '1', '-singlefile', '-scale-to', String(THUMBNAIL_MAX_PX), '-jpeg', '-jpegopt', `quality=${JPEG_QUALITY}`, input, prefix],
    { timeout: PDFTOPPM_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 },
  );
}
