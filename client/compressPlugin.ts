/**
 * Writes a Brotli (.br) and a gzip (.gz) copy beside each compressible file
 * of the build, for the server's @fastify/static `preCompressed`: a phone on
 * a weak link downloads the main bundle at about a quarter of its size, and
 * the server spends no CPU per request (Brotli at its best level takes
 * seconds per megabyte: fine once at build time, not per request as
 * @fastify/compress would do it).
 *
 * Why not vite-plugin-compression(2): node:zlib has both encoders built in;
 * the whole job is the loop below, run after every other plugin has written
 * its files (closeBundle: sw.js gets its precache list in generateBundle).
 * Source maps are left alone (fetched by developers' tools only).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

/** Text files worth compressing (images are compressed already). */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|webmanifest|txt)$/;
/** Below this, the headers cost more than the bytes saved. */
export const MIN_BYTES = 512;

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** The .br and .gz copies of one file's bytes; null when compressing does not pay. */
export function compressedCopies(bytes: Buffer): { br: Buffer; gz: Buffer } | null {
  if (bytes.length < MIN_BYTES) return null;
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gz = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION });
  return { br, gz };
}

export function precompressPlugin(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'chantier:precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(resolved) {
      config = resolved;
    },
    closeBundle() {
      const outDir = resolve(config.root, config.build.outDir);
      let before = 0;
      let after = 0;
      for (const path of listFiles(outDir)) {
        if (!COMPRESSIBLE.test(path)) continue;
        const bytes = readFileSync(path);
        const copies = compressedCopies(bytes);
        if (!copies) continue;
        writeFileSync(`${path}.br`, copies.br);
        writeFileSync(`${path}.gz`, copies.gz);
        before += bytes.length;
        after += copies.br.length;
      }
      config.logger.info(`precompressed: ${Math.round(before / 1024)} KiB → ${Math.round(after / 1024)} KiB as Brotli`);
    },
  };
}
