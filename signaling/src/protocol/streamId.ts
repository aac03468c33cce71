/**
 * Chat message ids: Redis Stream ids, "<ms>-<seq>", each part a decimal
 * unsigned 64-bit integer (0 to 18446744073709551615). The ONE definition of
 * what a valid id is, shared by the WebSocket schemas (messages.ts), the HTTP
 * routes' schemas (routes/projects.ts) and the chat store (store/chat.ts), so
 * that nothing the schemas accept can be refused by Redis (issue 16).
 *
 * Canonical form only: no sign, no spaces, no leading zeros (except "0"
 * itself), both parts present. That is how Redis writes ids; Redis would also
 * read "007-1" or "+7-1" (strtoull), but one spelling per id keeps string
 * equality and id equality the same thing.
 *
 * `0-0` is valid, and no message ever has it (Redis refuses it in XADD):
 *   - `before: "0-0"` asks for the messages before the first possible one:
 *     an empty page (no Redis call: `(0-0` is refused by XREVRANGE);
 *   - a read mark of `0-0` means nothing read (the same as no mark).
 * The largest id, `18446744073709551615-18446744073709551615`, is valid too:
 * nothing can come after it, so `before` it is every message.
 *
 * Part of the protocol module so that the client orders ids the same way.
 */
import { Type } from '@sinclair/typebox';

/** Largest value of each part: 2^64 - 1. */
export const STREAM_ID_PART_MAX = 18446744073709551615n;

/** Longest id: two 20-digit parts and the dash. */
export const STREAM_ID_MAX_LENGTH = 41;

export interface StreamIdParts {
  readonly ms: bigint;
  readonly seq: bigint;
}

/**
 * A regular expression source matching the canonical decimals from 0 to
 * `max` (no leading zeros), built digit by digit: a JSON-Schema `pattern`
 * cannot compare numbers, and Ajv (Fastify's validator) and TypeBox both
 * check patterns.
 */
export function decimalAtMostSource(max: bigint): string {
  const digits = max.toString();
  const n = digits.length;
  const alternatives = ['0'];
  if (n >= 2) alternatives.push(`[1-9][0-9]{0,${n - 2}}`);
  for (let i = 0; i < n; i++) {
    // Same first i digits as max, a smaller digit at i, then anything.
    const limit = Number(digits[i]) - 1;
    const lowest = i === 0 ? 1 : 0;
    if (limit < lowest) continue;
    const rest = n - i - 1;
    const digit = lowest === limit ? String(limit) : `[${lowest}-${limit}]`;
    alternatives.push(`${digits.slice(0, i)}${digit}${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  if (max > 0n) alternatives.push(digits);
  return `(?:${alternatives.join('|')})`;
}

const PART = decimalAtMostSource(STREAM_ID_PART_MAX);

/** The JSON-Schema pattern of a stream id (anchored). */
export const STREAM_ID_PATTERN = `^${PART}-${PART}$`;

const STREAM_ID = new RegExp(STREAM_ID_PATTERN);

/** The schema of every message id a client may send (and every id the server sends). */
export const StreamId = Type.String({ maxLength: STREAM_ID_MAX_LENGTH, pattern: STREAM_ID_PATTERN });

/** Whether Redis would take `value` as a full stream id, in canonical form. */
export function isStreamId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= STREAM_ID_MAX_LENGTH && STREAM_ID.test(value);
}

/** The id's two parts, or undefined when it is not a valid id (never throws). */
export function parseStreamId(value: unknown): StreamIdParts | undefined {
  if (!isStreamId(value)) return undefined;
  const dash = value.indexOf('-');
  return { ms: BigInt(value.slice(0, dash)), seq: BigInt(value.slice(dash + 1)) };
}

export function formatStreamId(id: StreamIdParts): string {
  return `${id.ms}-${id.seq}`;
}

/** Orders two valid ids numerically (their string order is wrong across digit counts). */
export function compareStreamIds(a: StreamIdParts, b: StreamIdParts): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** Orders two id strings numerically; anything that is not a valid id sorts as 0-0. */
export function compareStreamIdText(a: string, b: string): number {
  const none: StreamIdParts = { ms: 0n, seq: 0n };
  return compareStreamIds(parseStreamId(a) ?? none, parseStreamId(b) ?? none);
}

/** The id right after `id`, or undefined after the largest one. */
export function nextStreamId(id: StreamIdParts): StreamIdParts | undefined {
  if (id.seq < STREAM_ID_PART_MAX) return { ms: id.ms, seq: id.seq + 1n };
  if (id.ms < STREAM_ID_PART_MAX) return { ms: id.ms + 1n, seq: 0n };
  return undefined;
}

/** The id right before `id`, or undefined before 0-0. */
export function previousStreamId(id: StreamIdParts): StreamIdParts | undefined {
  if (id.seq > 0n) return { ms: id.ms, seq: id.seq - 1n };
  if (id.ms > 0n) return { ms: id.ms - 1n, seq: STREAM_ID_PART_MAX };
  return undefined;
}
