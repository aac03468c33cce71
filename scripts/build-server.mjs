// The server as plain JavaScript for production (`npm start`): each
// TypeScript file of sfu/, signaling/ and turn/ (tests apart) becomes a .js
// file in the package's build/ folder, at the same depth as src/ so that
// paths made from import.meta.url (config.ts's REPO_ROOT, the coturn
// template) still point where they did. The packages' "chantier-build" export
// condition (`node --conditions=chantier-build`; not "production", which Vite applies to the client's build) points at build/.
//
// esbuild rather than tsc: it only strips types (about a second for the
// whole server, tsc's emit would type-check everything again: minutes on a
// loaded 2-core machine); type-checking stays `npm run typecheck`. It is the
// compiler tsx already runs at start-up, now run once at build time.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const PACKAGES = ['sfu', 'signaling', 'turn'];

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

for (const pkg of PACKAGES) {
  const outdir = join(pkg, 'build');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: sources(join(pkg, 'src')),
    outbase: join(pkg, 'src'),
    outdir,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}
