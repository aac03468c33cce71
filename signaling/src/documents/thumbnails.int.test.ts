import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minimalPdf, solidImage } from './fixtures.js';
import { makeThumbnail, THUMBNAIL_MAX_PX } from './thumbnails.js';

// An integration test because it runs Debian's pdftoppm.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chantier-thumbs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function thumbnailOf(viewable: 'pdf' | 'image', bytes: Buffer, name: string) {
  const input = join(dir, name);
  const output = join(dir, `${name}.thumb.jpg`);
  await writeFile(input, bytes);
  await makeThumbnail(viewable, input, output);
  return sharp(output).metadata();
}

describe('makeThumbnail', () => {
  it('renders the first page of a PDF as a JPEG at most 320 px', async () => {
    const meta = await thumbnailOf('pdf', minimalPdf(), 'a4.pdf');
    expect(meta.format).toBe('jpeg');
    // A4 portrait: the long side (height) is 320.
    expect(meta.height).toBe(THUMBNAIL_MAX_PX);
    expect(meta.width).toBeLessThan(THUMBNAIL_MAX_PX);
  });

  it.each(['png', 'jpeg', 'gif', 'webp'] as const)('shrinks a %s image to fit 320 px, keeping its proportions', async (format) => {
    const meta = await thumbnailOf('image', await solidImage(1600, 800, format), `wide.${format}`);
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 160 });
  });

  it('does not enlarge a small image', async () => {
    const meta = await thumbnailOf('image', await solidImage(40, 30), 'small.png');
    expect(meta).toMatchObject({ width: 40, height: 30 });
  });

  it('fails (rather than writing garbage) on a broken file', async () => {
    const broken = Buffer.concat([minimalPdf().subarray(0, 9), Buffer.alloc(50)]);
    await expect(thumbnailOf('pdf', broken, 'broken.pdf')).rejects.toThrow();
    const truncatedPng = (await solidImage(100, 100)).subarray(0, 40);
    await expect(thumbnailOf('image', truncatedPng, 'broken.png')).rejects.toThrow();
  });
});
