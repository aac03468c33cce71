/**
 * The compiled server (scripts/build-server.mjs), what `npm start` runs,
 * made again when a source is newer than it: the same rule as set-up's step 5,
 * for a test file run on its own after an edit. Tests that start Chantier as
 * its own process run this build, so that they test what production runs and
 * skip tsx's compile at every start (2.7 s against 4.9 s per start, seen at
 * load 7).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const SERVER_ENTRY = 'signaling/build/server.js';
const SOURCES = ['sfu/src', 'signaling/src', 'turn/src', 'scripts/build-server.mjs', 'package-lock.json'];

function newestMtime(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

let checked = false;

/** Builds the server unless its build is newer than every source (checked once per test process). */
export function ensureServerBuild(): void {
  if (checked) return;
  const built = statSync(SERVER_ENTRY, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built === 0 || SOURCES.some((source) => newestMtime(source) > built)) {
    execFileSync(process.execPath, ['scripts/build-server.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  checked = true;
}
