/**
 * How deep a frame's JSON may nest. The protocol's deepest request, a join
 * (its capabilities' codecs and their RTCP feedback), nests 7 levels with its
 * envelope (the schemas' own depth is 5); mediasoup's ORTC structures are open objects in the
 * schemas (media.ts), so without this bound a client could send capabilities
 * nested deeper than JSON.stringify's stack, which JSON.parse takes (the fuzz
 * test found one, 2026-12-06). Refused at the edge, before parsing.
 */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether a JSON text nests objects and arrays deeper than `max`: one pass
 * over the text, brackets inside strings ignored. Malformed text is not this
 * function's business (JSON.parse refuses it next); it only never says a
 * text of depth ≤ max is deeper.
 */
export function nestsDeeperThan(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}
