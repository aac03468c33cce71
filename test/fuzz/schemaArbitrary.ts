/**
 * fast-check arbitraries made from the TypeBox schemas themselves, for the
 * store-level fuzz (test/fuzz/stores.int.test.ts): what a schema accepts,
 * with values at its bounds more often than chance would give them, and
 * what lies just past a bound (which the boundary must refuse).
 *
 * Kinds handled: Object (required and optional properties), String
 * (min/maxLength, pattern: character-class patterns directly, others with
 * fc.stringMatching, the stream-id pattern from bigints), Integer, Number,
 * Boolean, Literal, Union, Array (min/maxItems), Null, Unknown/Any. Another
 * kind throws: a schema the fuzz does not understand must not pass unseen.
 *
 * `hints` name properties whose realistic values (a real document id, a real
 * message id) are mixed in, so that requests reach past "not found".
 */
import { Kind, OptionalKind, type TSchema } from '@sinclair/typebox';
import fc from 'fast-check';
import { STREAM_ID_PART_MAX, STREAM_ID_PATTERN } from '../../signaling/src/protocol/index.js';

export type Hints = Readonly<Record<string, readonly unknown[]>>;

interface Bounds {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  const?: unknown;
  anyOf?: TSchema[];
  items?: TSchema;
  properties?: Record<string, TSchema>;
  required?: string[];
  additionalProperties?: boolean | TSchema;
}

const kindOf = (schema: TSchema): string => (schema as { [Kind]?: string })[Kind] ?? 'Unknown';
const bounds = (schema: TSchema): Bounds => schema as Bounds;

/** Longest array the fuzz builds when a schema sets no maxItems. */
const DEFAULT_MAX_ITEMS = 8;
/** Longest string the fuzz builds when a schema sets no maxLength (a 64 KiB frame holds it). */
const DEFAULT_MAX_LENGTH = 2000;

/** `^[...]+$`, `^[...]*$` or `^[...]{m,n}$`: the characters of the class, and the pattern's own length bounds. */
function characterClass(pattern: string): { chars: string[]; min: number; max: number } | undefined {
  const match = /^\^\[([^\]]+)\](\+|\*|\{(\d+),(\d+)\})\$$/.exec(pattern);
  if (!match) return undefined;
  const body = match[1]!;
  const chars: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      for (let code = c.charCodeAt(0); code <= body.charCodeAt(i + 2); code++) chars.push(String.fromCharCode(code));
      i += 2;
    } else {
      chars.push(c);
    }
  }
  const quantifier = match[2]!;
  if (quantifier === '+') return { chars, min: 1, max: Infinity };
  if (quantifier === '*') return { chars, min: 0, max: Infinity };
  return { chars, min: Number(match[3]), max: Number(match[4]) };
}

/**
 * The smallest and the largest strings of a pattern made of character
 * classes, literals and quantifiers (`^[0-9]{1,20}-[0-9]{1,20}$` gives "0-0"
 * and twenty 9s on both sides): values at the pattern's own bounds, which
 * random matching strings seldom reach. Empty for patterns with groups or
 * alternatives.
 */
export function patternExtremes(pattern: string, maxLength: number): string[] {
  const tokens = /\^|\$|\[([^\]]+)\]|\\(.)|([^[\]{}()|*+?\\^$])|\{(\d+)(?:,(\d*))?\}|([*+?])|(.)/g;
  const atoms: { low: string; high: string; min: number; max: number }[] = [];
  for (const m of pattern.matchAll(tokens)) {
    if (m[0] === '^' || m[0] === '$') continue;
    if (m[7] !== undefined) return [];
    if (m[1] !== undefined || m[2] !== undefined || m[3] !== undefined) {
      const chars = m[1] !== undefined ? characterClass(`^[${m[1]}]+$`)?.chars ?? [] : [m[2] ?? m[3]!];
      const sorted = [...chars].sort();
      atoms.push({ low: sorted[0]!, high: sorted[sorted.length - 1]!, min: 1, max: 1 });
      continue;
    }
    const last = atoms[atoms.length - 1];
    if (!last) return [];
    if (m[4] !== undefined) {
      last.min = Number(m[4]);
      last.max = m[5] === undefined ? last.min : m[5] === '' ? maxLength : Number(m[5]);
    } else if (m[6] === '+') last.max = maxLength;
    else if (m[6] === '*') [last.min, last.max] = [0, maxLength];
    else if (m[6] === '?') last.min = 0;
  }
  const smallest = atoms.map((a) => a.low.repeat(a.min)).join('');
  let largest = '';
  const fixed = atoms.reduce((n, a) => n + a.min, 0);
  let room = maxLength - fixed;
  for (const a of atoms) {
    const extra = Math.min(a.max - a.min, Math.max(0, room));
    room -= extra;
    largest += a.high.repeat(a.min + extra);
  }
  return [smallest, largest];
}

const streamIdPart = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: STREAM_ID_PART_MAX }) },
  { weight: 2, arbitrary: fc.constantFrom(0n, 1n, STREAM_ID_PART_MAX - 1n, STREAM_ID_PART_MAX, BigInt(Date.now())) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 99_999n }) },
);
const streamId = fc.tuple(streamIdPart, streamIdPart).map(([ms, seq]) => `${ms}-${seq}`);

function stringArbitrary(schema: Bounds): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? DEFAULT_MAX_LENGTH;
  if (schema.pattern === STREAM_ID_PATTERN) return streamId;
  if (schema.pattern !== undefined) {
    const cls = characterClass(schema.pattern);
    if (cls) {
      const lo = Math.max(min, cls.min);
      const hi = Math.min(max, cls.max === Infinity ? DEFAULT_MAX_LENGTH : cls.max);
      const unit = fc.constantFrom(...cls.chars);
      return fc.oneof(
        { weight: 4, arbitrary: fc.string({ unit, minLength: lo, maxLength: hi }) },
        { weight: 1, arbitrary: fc.string({ unit, minLength: hi, maxLength: hi }) },
        { weight: 1, arbitrary: fc.string({ unit, minLength: lo, maxLength: lo }) },
      );
    }
    // Other patterns: matching strings, cut to the bound (re-checked: a cut string may no longer match),
    // and the pattern's own smallest and largest strings.
    const re = new RegExp(schema.pattern);
    const matching = fc.stringMatching(re).map((s) => s.slice(0, max)).filter((s) => s.length >= min && re.test(s));
    const extremes = patternExtremes(schema.pattern, max).filter((s) => s.length >= min && s.length <= max && re.test(s));
    return extremes.length > 0 ? fc.oneof({ weight: 3, arbitrary: matching }, { weight: 1, arbitrary: fc.constantFrom(...extremes) }) : matching;
  }
  // Any text: every Unicode code point, spaces, quotes, control characters.
  // Lengths are in code points here and in UTF-16 units in the schemas: cut
  // to the bound (never filter: a 4,000-character string would almost never
  // pass), which may leave half a surrogate pair at the end, an edge value too.
  const text = (lo: number, hi: number) => fc.string({ unit: 'binary', minLength: lo, maxLength: hi }).map((s) => s.slice(0, max));
  return fc.oneof({ weight: 4, arbitrary: text(min, Math.min(max, 80)) }, { weight: 1, arbitrary: text(max, max) }, { weight: 1, arbitrary: text(min, min) });
}

function numberArbitrary(schema: Bounds, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (integer ? Number.MIN_SAFE_INTEGER : -1e15);
  const max = schema.maximum ?? (integer ? Number.MAX_SAFE_INTEGER : 1e15);
  const any = integer ? fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  // Beyond 32 bits, clamped to the bounds (never filtered: a narrow range would almost never be hit).
  const wide = integer ? fc.maxSafeInteger().map((n) => Math.min(max, Math.max(min, n))) : any;
  return fc.oneof({ weight: 4, arbitrary: any }, { weight: 1, arbitrary: wide }, { weight: 2, arbitrary: fc.constantFrom(min, max, Math.min(Math.max(0, min), max)) });
}

/** Every value the schema accepts (with bounds and hints favoured). */
export function valid(schema: TSchema, hints: Hints = {}): fc.Arbitrary<unknown> {
  const s = bounds(schema);
  switch (kindOf(schema)) {
    case 'Object': {
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [key, property] of Object.entries(s.properties ?? {})) {
        const own = valid(property, hints);
        const hinted = hints[key];
        model[key] = hinted && hinted.length > 0 ? fc.oneof(own, fc.constantFrom(...hinted)) : own;
        if (!(OptionalKind in property)) requiredKeys.push(key);
      }
      return fc.record(model, { requiredKeys });
    }
    case 'String':
      return stringArbitrary(s);
    case 'Integer':
      return numberArbitrary(s, true);
    case 'Number':
      return numberArbitrary(s, false);
    case 'Boolean':
      return fc.boolean();
    case 'Literal':
      return fc.constant(s.const);
    case 'Null':
      return fc.constant(null);
    case 'Union':
      return fc.oneof(...(s.anyOf ?? []).map((option) => valid(option, hints)));
    case 'Array': {
      const minLength = s.minItems ?? 0;
      const maxLength = s.maxItems ?? DEFAULT_MAX_ITEMS;
      const item = valid(s.items as TSchema, hints);
      return fc.oneof(
        { weight: 4, arbitrary: fc.array(item, { minLength, maxLength: Math.min(maxLength, minLength + 4) }) },
        { weight: 1, arbitrary: fc.array(item, { minLength: maxLength, maxLength }) },
      );
    }
    case 'Unknown':
    case 'Any':
      return fc.jsonValue({ maxDepth: 3 });
    default:
      throw new Error(`schemaArbitrary: no arbitrary for TypeBox kind ${kindOf(schema)}`);
  }
}

/** Values just past one of the schema's bounds (never accepted by it), for a leaf schema; undefined when it has none. */
function pastBound(schema: TSchema): fc.Arbitrary<unknown> | undefined {
  const s = bounds(schema);
  const options: fc.Arbitrary<unknown>[] = [];
  switch (kindOf(schema)) {
    case 'String':
      if (s.maxLength !== undefined) options.push(fc.constant('a'.repeat(s.maxLength + 1)), fc.constant('0'.repeat(s.maxLength + 1)));
      if ((s.minLength ?? 0) > 0) options.push(fc.constant(''));
      if (s.pattern === STREAM_ID_PATTERN) {
        const over = `${STREAM_ID_PART_MAX + 1n}`;
        options.push(fc.constantFrom(`${over}-0`, `0-${over}`, `${'9'.repeat(20)}-${'9'.repeat(20)}`, '01-0', '1', '1-2-3', '-1-0'));
      } else if (s.pattern !== undefined) {
        options.push(fc.constantFrom('../x', 'a/b', 'a\u0000b', '%2F', 'é', ' '));
      }
      options.push(fc.constant(12), fc.constant(null));
      break;
    case 'Integer':
      if (s.minimum !== undefined) options.push(fc.constant(s.minimum - 1));
      if (s.maximum !== undefined) options.push(fc.constant(s.maximum + 1));
      options.push(fc.constant(1.5), fc.constant('1'));
      break;
    case 'Number':
      if (s.minimum !== undefined) options.push(fc.constant(s.minimum - 1));
      if (s.maximum !== undefined) options.push(fc.constant(s.maximum + 1));
      options.push(fc.constant('1'));
      break;
    case 'Boolean':
      options.push(fc.constant('true'), fc.constant(1));
      break;
    case 'Literal':
    case 'Union':
      options.push(fc.constant('not-one-of-them'));
      break;
    case 'Array':
      if (s.maxItems !== undefined) options.push(fc.constant(new Array(s.maxItems + 1).fill(0)));
      options.push(fc.constant('not an array'));
      break;
    default:
      return undefined;
  }
  return options.length > 0 ? fc.oneof(...options) : undefined;
}

/**
 * An object the schema accepts except for ONE property: past a bound, a
 * wrong type, a required one missing, or an unknown one where none are
 * allowed. The boundary must answer BAD_REQUEST (HTTP 400).
 */
export function invalid(schema: TSchema, hints: Hints = {}): fc.Arbitrary<Record<string, unknown>> {
  if (kindOf(schema) !== 'Object') throw new Error('schemaArbitrary.invalid: an object schema');
  const s = bounds(schema);
  const base = valid(schema, hints) as fc.Arbitrary<Record<string, unknown>>;
  const breakers: fc.Arbitrary<(value: Record<string, unknown>) => Record<string, unknown>>[] = [];
  for (const [key, property] of Object.entries(s.properties ?? {})) {
    const past = pastBound(property);
    if (past) breakers.push(past.map((bad) => (value) => ({ ...value, [key]: bad })));
    if (!(OptionalKind in property)) {
      breakers.push(fc.constant((value) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key))));
    }
  }
  if (s.additionalProperties === false) breakers.push(fc.constant((value) => ({ ...value, unexpected: 1 })));
  if (breakers.length === 0) throw new Error('schemaArbitrary.invalid: nothing to break');
  return fc.tuple(base, fc.oneof(...breakers)).map(([value, breakIt]) => breakIt(value));
}
