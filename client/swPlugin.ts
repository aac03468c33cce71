/**
 * Builds the app-shell service worker (src/sw/sw.ts) into dist/sw.js and
 * writes the list of files to precache into it.
 *
 * Why not vite-plugin-pwa: it does support vite 8 (peer deps checked:
 * 2.0.0 accepts ^8.0.0), but it needs workbox-build, which brings about forty
 * direct dependencies (Babel, Rollup 2, Terser…) into a project whose worker
 * needs three rules (routes.ts). This plugin is the whole cost: one emitted
 * chunk, one string replaced, checked at build time.
 *
 * Precached: index.html, the entry chunk and what it imports, statically or
 * lazily (the media code, the room's view, the project page: split out of
 * the first load, precached after it so that a repeat visit needs no network
 * for them), the CSS, and the public files (manifest, icons). The PDF
 * renderer (pdf.js, 1.5 MB) is cached when first used, not downloaded up
 * front on a site's mobile data.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

const SW_ENTRY = 'src/sw/sw.ts';
const SW_FILE = 'sw.js';
const PLACEHOLDER = '__CHANTIER_PRECACHE__';
/** The lazy chunk left out of the precache: pdf.js. */
const PDF_RENDERER = '/node_modules/pdfjs-dist/';

interface ChunkLike {
  type: 'chunk';
  fileName: string;
  isEntry: boolean;
  imports: string[];
  dynamicImports: string[];
  moduleIds: string[];
  code: string;
  name: string;
}
interface AssetLike {
  type: 'asset';
  fileName: string;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out;
}

export function serviceWorkerPlugin(): Plugin {
  let config: ResolvedConfig;
  let swRef = '';
  return {
    name: 'chantier:service-worker',
    apply: 'build',
    enforce: 'post',
    configResolved(resolved) {
      config = resolved;
    },
    buildStart() {
      swRef = this.emitFile({ type: 'chunk', id: join(config.root, SW_ENTRY), fileName: SW_FILE });
    },
    generateBundle(_options, bundle) {
      const files = Object.values(bundle) as Array<ChunkLike | AssetLike>;
      const sw = bundle[this.getFileName(swRef)] as ChunkLike | undefined;
      if (!sw || sw.type !== 'chunk') throw new Error('service worker chunk missing');
      // A classic worker script cannot import: everything it uses must be inlined.
      if (sw.imports.length > 0) throw new Error(`sw.js must not import other chunks (imports ${sw.imports.join(', ')})`);

      const chunks = new Map(files.filter((f): f is ChunkLike => f.type === 'chunk').map((c) => [c.fileName, c]));
      const shell = new Set<string>(['index.html']);
      const visit = (fileName: string): void => {
        if (shell.has(fileName)) return;
        const chunk = chunks.get(fileName);
        if (chunk?.moduleIds.some((id) => id.includes(PDF_RENDERER))) return;
        shell.add(fileName);
        for (const imported of [...(chunk?.imports ?? []), ...(chunk?.dynamicImports ?? [])]) visit(imported);
      };
      for (const chunk of chunks.values()) if (chunk.isEntry && chunk.fileName !== SW_FILE) visit(chunk.fileName);
      for (const file of files) if (file.type === 'asset' && file.fileName.endsWith('.css')) shell.add(file.fileName);
      if (config.publicDir) {
        for (const path of listFiles(config.publicDir)) shell.add(relative(config.publicDir, path).split(sep).join('/'));
      }
      if (!files.some((f) => f.fileName === 'index.html')) throw new Error('index.html not in the bundle yet');

      const precache = [...shell].sort().map((fileName) => `/${fileName}`);
      if (!sw.code.includes(PLACEHOLDER)) throw new Error(`${PLACEHOLDER} not found in sw.js`);
      sw.code = sw.code.replaceAll(PLACEHOLDER, JSON.stringify(precache));
      config.logger.info(`service worker: ${precache.length} files precached`);
    },
  };
}
