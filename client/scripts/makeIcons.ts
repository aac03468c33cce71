/**
 * Draws the app's icons (PWA manifest, iOS home screen) from one SVG mark,
 * with sharp (a dependency of the signaling server). Run it after changing
 * the mark and commit the PNGs:
 *
 *   node --import tsx client/scripts/makeIcons.ts
 *
 * The PNGs are committed (a few kB each) so that building the client does
 * not depend on sharp's native binary. client/e2e/pwa.e2e.test.ts checks
 * their pixel sizes against the manifest.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const OUT = fileURLToPath(new URL('../public/icons/', import.meta.url));

/** The house-under-construction mark of favicon.svg, in safety yellow on the app's dark blue-grey. */
function mark({ padding, rounded }: { padding: number; rounded: boolean }): string {
  // The mark is drawn in a 32-unit box, scaled into the 512 canvas less the padding.
  const inner = 512 - 2 * padding;
  const scale = inner / 32;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <rect width="512" height="512" rx="${rounded ? 96 : 0}" fill="#1f2a33"/>
  <g transform="translate(${padding} ${padding}) scale(${scale})">
    <path d="M6 24h20M9 24V13l7-5 7 5v11" fill="none" stroke="#f5b700" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>
    <rect x="13.5" y="16" width="5" height="8" fill="#f5b700"/>
  </g>
</svg>`;
}

const ICONS = [
  // "any": rounded corners of its own, the mark nearly full size.
  { file: 'icon-192.png', size: 192, svg: mark({ padding: 32, rounded: true }) },
  { file: 'icon-512.png', size: 512, svg: mark({ padding: 32, rounded: true }) },
  // "maskable": full-bleed background, the mark inside the central 80 % safe zone (the OS crops to a circle or squircle).
  { file: 'icon-maskable-512.png', size: 512, svg: mark({ padding: 80, rounded: false }) },
  // iOS home screen: square, iOS rounds it itself.
  { file: 'apple-touch-icon.png', size: 180, svg: mark({ padding: 48, rounded: false }) },
];

mkdirSync(OUT, { recursive: true });
for (const icon of ICONS) {
  await sharp(Buffer.from(icon.svg)).resize(icon.size, icon.size).png({ compressionLevel: 9, palette: true }).toFile(OUT + icon.file);
  process.stdout.write(`${icon.file} ${icon.size}x${icon.size}\n`);
}
