/**
 * npm run access-table
 * Writes the access policy (signaling/src/auth/access.ts) as tables into
 * docs/SECURITY.md, between its markers. A unit test (auth/access.test.ts)
 * fails when the document and the policy differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withAccessTable } from '../auth/access.js';

const path = fileURLToPath(new URL('../../../docs/SECURITY.md', import.meta.url));
const before = readFileSync(path, 'utf8');
const after = withAccessTable(before);
if (after === before) {
  console.log('docs/SECURITY.md: the access table is up to date');
} else {
  writeFileSync(path, after);
  console.log('docs/SECURITY.md: access table written');
}
