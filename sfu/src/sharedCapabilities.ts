/**
 * Receiving devices' RTP capabilities, one object per distinct content.
 * Every browser of one version sends the same capabilities (~60 codecs and
 * header extensions as parsed objects: ~5 KB live per joined peer in the heap
 * snapshots, most of a joined client's memory); a peer keeps them for its
 * life to consume. Identical ones are now the same object, found by a hash
 * of their JSON. mediasoup clones them before use (Router.canConsume,
 * Transport.consume), so sharing them is safe; nobody may change them.
 *
 * Bounded: a client may send capabilities of its own making (up to a whole
 * message, 128 KB), so the table keeps the MAX_KINDS most recently seen, the
 * least recently seen going first, and none larger than a browser's
 * (MAX_JSON_CHARS): what it can hold stays well under a megabyte.
 */
import { createHash } from 'node:crypto';
import type { RtpCapabilities } from 'mediasoup/types';

/** Browsers, versions and their settings in use at once on one node: a few at a time. */
export const MAX_KINDS = 32;
/** A browser's capabilities are 3–6 KB of JSON; larger ones are kept by their peer alone. */
export const MAX_JSON_CHARS = 16 * 1024;

const table = new Map<string, RtpCapabilities>();

/** The one object with this content: `caps` itself the first time it is seen. */
export function sharedRtpCapabilities(caps: RtpCapabilities): RtpCapabilities {
  let json: string;
  try {
    json = JSON.stringify(caps);
  } catch {
    // Nested deeper than JSON.stringify's stack (JSON.parse took it: it does
    // not recurse), found by test/fuzz.int.test.ts: not a browser's, kept by
    // its peer alone; the join's own checks answer it as before.
    return caps;
  }
  if (json.length > MAX_JSON_CHARS) return caps;
  const key = createHash('sha256').update(json).digest('base64url');
  const known = table.get(key);
  table.delete(key);
  if (!known && table.size >= MAX_KINDS) table.delete(table.keys().next().value!);
  table.set(key, known ?? caps);
  return known ?? caps;
}
