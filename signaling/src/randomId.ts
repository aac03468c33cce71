/**
 * Random ids and secrets (base64url) drawn from a pool of the CSPRNG's bytes,
 * filled 4 KB at a time: `randomBytes(n)` goes to OpenSSL for every id, and a
 * hello took three of them (connection id, peer id, resume secret: 2 % of its
 * CPU in the profile). The bytes are the same CSPRNG's, each used once, as
 * Node's own crypto.randomUUID() batches them.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/** `bytes` random bytes as base64url (bytes ≤ 256). */
export function randomId(bytes: number): string {
  if (bytes > 256 || bytes < 1) throw new RangeError('randomId: 1 to 256 bytes');
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + bytes);
  // Used once: overwritten, so that no id can be read back from the pool.
  pool.fill(0, offset, offset + bytes);
  offset += bytes;
  return id;
}
