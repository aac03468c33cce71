/**
 * The unit files share one worker process (vitest.config.ts: isolate false), so
 * a module one file imports stays imported for the next. A file that replaces a
 * module with vi.mock must run in a process of its own: it must be listed in
 * UNIT_ISOLATED, and every file listed there must still need it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNIT_ISOLATED } from '../vitest.config.js';

const ROOTS = ['sfu', 'signaling', 'client', 'turn', 'test/fuzz', 'scripts'];
const MOCKS = /\bvi\.(do)?[mM]ock\(/;

function unitFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist' && entry.name !== 'build') files.push(...unitFiles(path));
    } else if (entry.name.endsWith('.test.ts') && !/\.(int|e2e)\.test\.ts$/.test(entry.name)) {
      files.push(path);
    }
  }
  return files;
}

describe('unit files that replace a module', () => {
  it('run in a process of their own, and only they', () => {
    const mocking = ROOTS.flatMap(unitFiles).filter((file) => MOCKS.test(readFileSync(file, 'utf8')));
    expect(mocking.sort()).toEqual([...UNIT_ISOLATED].sort());
  });
});
