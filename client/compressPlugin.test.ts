import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressedCopies } from './compressPlugin.js';

describe('compressedCopies', () => {
  it('gives Brotli and gzip copies that decode to the bytes, Brotli the smaller', () => {
    const bytes = Buffer.from('export const chantier = "réunion de chantier";\n'.repeat(400));
    const copies = compressedCopies(bytes)!;
    expect(brotliDecompressSync(copies.br).equals(bytes)).toBe(true);
    expect(gunzipSync(copies.gz).equals(bytes)).toBe(true);
    expect(copies.br.length).toBeLessThan(copies.gz.length);
    expect(copies.gz.length).toBeLessThan(bytes.length / 10);
  });

  it('leaves files too small to gain alone', () => {
    expect(compressedCopies(Buffer.from('<svg/>'))).toBeNull();
  });
});
