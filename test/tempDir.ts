/**
 * Temp dirs for tests, made under the run's own temp root (test/globalSetup.ts
 * makes it and removes it when the project's files are done), so that a run
 * leaves nothing in /tmp even when a test forgets to clean up or is killed
 * half-way. Outside a run with that set-up (unit files, the benchmarks) they go
 * to the system's temp dir as before, and their callers remove them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import './provided.js';

function root(): string {
  if (!process.env.VITEST) return tmpdir();
  return inject('tempRoot') ?? tmpdir();
}

/** A new empty dir named `<prefix>-XXXXXX` under the run's temp root. */
export function testTempDir(prefix: string): string {
  return mkdtempSync(join(root(), `${prefix}-`));
}
