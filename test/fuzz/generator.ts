/**
 * Fuzz messages for the signaling WebSocket, derived from the protocol's own
 * schemas (signaling/src/protocol/messages.ts): for a request type picked at
 * random, a valid `data` is built by walking its TypeBox schema, then one
 * category of damage is applied: a wrong value, a wrong type, a missing or
 * extra field, a huge string, deep nesting, odd unicode, odd numbers, a
 * broken envelope, a reused id, a binary frame, truncated JSON, non-JSON, a
 * notification or a response sent by a client, a text-level mutation of a
 * captured real message, invalid UTF-8 in a text frame, or nothing at all
 * (a valid request). Everything comes from one seeded PRNG: the same seed
 * and context give the same frames.
 */
import type { TSchema } from '@sinclair/typebox';
import {
  MAX_MESSAGE_BYTES,
  STREAM_ID_PATTERN,
  STREAM_ID_PART_MAX,
  Notifications,
  Requests,
  errorCodes,
  requestTypes,
  type RequestType,
} from '../../signaling/src/protocol/index.js';
import { Prng } from './prng.js';

export const CATEGORY_WEIGHTS = {
  wrongValue: 14,
  wrongType: 12,
  missingField: 7,
  extraField: 7,
  unicode: 7,
  numbers: 6,
  badEnvelope: 9,
  duplicateId: 3,
  binary: 5,
  truncated: 5,
  nonJson: 5,
  notification: 4,
  response: 4,
  mutation: 8,
  valid: 3,
  /** Strings up to and beyond MAX_MESSAGE_BYTES; half of them close the socket (1009). */
  hugeString: 0.6,
  /** 100 to 10,000 levels of arrays or objects. */
  deepNesting: 0.3,
  /** A text frame that is not UTF-8 (the socket is closed, 1007). */
  invalidUtf8: 0.2,
} as const;

export type Category = keyof typeof CATEGORY_WEIGHTS;
export const categories = Object.keys(CATEGORY_WEIGHTS) as Category[];

/** What the generator knows of the live server: ids and frames it may reuse. */
export interface FuzzContext {
  projectId: string;
  roomId: string;
  /** Real access tokens (members and guests only: a fuzz client must not moderate). */
  tokens: string[];
  /** Known ids (peers, users, calls...), used in place of random ones now and then. */
  ids: string[];
  /** Known mediasoup ids (transports, producers, consumers). */
  mediaIds: string[];
  /** Real frames sent by real clients, the seeds of `mutation`. */
  captured: string[];
  /** Real values for some fields by name (rtpCapabilities, rtpParameters, dtlsParameters). */
  fixtures: Record<string, unknown>;
}

export interface FuzzMessage {
  category: Category;
  frame: string | Buffer;
  binary: boolean;
  /** The request type the message was derived from, if any. */
  type?: string;
  /** The envelope id, when the generator gave it one. */
  id?: number;
  /** Bytes on the wire. */
  size: number;
}

type Path = (string | number)[];
interface Slot {
  path: Path;
  schema: TSchema;
  /** The property name that holds it (for objects' fields). */
  name: string | undefined;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MARK = '@@fuzz-raw@@';

const UNICODE_POOL = [
  '\u0000',
  '\u0000\u0001\u0002\u001f\u007f',
  '\u202eevil\u202c',
  '\u200b\u200c\u200d\ufeff',
  '\ud800',
  '\udfff\ud800',
  '\uffff\ufffe',
  '😀👍🏽👨‍👩‍👧‍👦',
  '𝕏'.repeat(40),
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301',
  'Ünïcödé çhàntîer ÉÈ',
  '\r\n\t\v\f',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '"}],"kind":"res"',
  '${jndi:ldap://x}',
  '%00%ff',
  '\\u0000',
  'a'.repeat(64),
  ' ',
  '',
];

const NUMBER_TEXTS = [
  '1e400',
  '-1e400',
  '-0',
  '0.0',
  '1E2',
  '1e-400',
  '123456789012345678901234567890',
  '9007199254740993',
  '-9007199254740993',
  '4294967296',
  '1.0000000000000002',
  '0.5',
  '-1',
  '"NaN"',
  '"Infinity"',
  '"-Infinity"',
  '"1e3"',
  '"0x10"',
  // Not JSON at all: the whole frame becomes unparsable.
  'NaN',
  'Infinity',
  '0x10',
  '01',
  '.5',
  '+1',
];

const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, '', 'x', '1', 'true', [], [1], ['a'], {}, { a: null }];

const NON_JSON = [
  '',
  ' ',
  'undefined',
  'NaN',
  '{kind:"req"}',
  "{'kind':'req','id':1,'type':'ping'}",
  '\ufeff{"kind":"req","id":1,"type":"ping","data":{}}',
  '<?xml version="1.0"?><req/>',
  'GET /ws HTTP/1.1',
  '{"kind":"req","id":1,"type":"ping","data":{}}{"kind":"req"}',
  '{"kind":"req","id":1,"type":"ping","data":{},}',
  '[1,2,',
  '\u0000',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
];
/** JSON, but no envelope. */
const JSON_NOT_ENVELOPE = ['null', 'true', '0', '[]', '{}', '"req"', '[{"kind":"req","id":1,"type":"ping"}]'];

function typeClass(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function setAt(root: Record<string, unknown>, path: Path, value: unknown): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  (node as Record<string | number, unknown>)[path[path.length - 1]!] = value;
}

function deleteAt(root: Record<string, unknown>, path: Path): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  const last = path[path.length - 1]!;
  if (Array.isArray(node)) node.splice(Number(last), 1);
  else delete (node as Record<string | number, unknown>)[last];
}

function getAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

export class FuzzGenerator {
  readonly rng: Prng;
  #nextId = 1;
  readonly #recentIds: number[] = [];
  readonly #weights: Record<Category, number>;
  readonly #notificationTypes = Object.keys(Notifications);

  constructor(
    seed: number,
    readonly ctx: FuzzContext,
    weights: Partial<Record<Category, number>> = {},
  ) {
    this.rng = new Prng(seed);
    this.#weights = { ...CATEGORY_WEIGHTS, ...weights };
  }

  next(): FuzzMessage {
    const category = this.rng.weighted(this.#weights);
    const message = this.#make(category);
    return { ...message, category, size: typeof message.frame === 'string' ? Buffer.byteLength(message.frame) : message.frame.length };
  }

  /** A valid `data` for `type`, and the schema slots it is made of (root first). */
  validData(type: RequestType): { data: Record<string, unknown>; slots: Slot[] } {
    const slots: Slot[] = [];
    const data = this.#valid(Requests[type].request as TSchema, [], undefined, slots, 0) as Record<string, unknown>;
    return { data, slots };
  }

  #id(): number {
    const id = this.#nextId++;
    this.#recentIds.push(id);
    if (this.#recentIds.length > 32) this.#recentIds.shift();
    return id;
  }

  #make(category: Category): Omit<FuzzMessage, 'category' | 'size'> {
    const rng = this.rng;
    switch (category) {
      case 'valid': {
        const type = rng.pick(requestTypes);
        const id = this.#id();
        return this.#text({ kind: 'req', id, type, data: this.validData(type).data }, type, id);
      }
      case 'duplicateId': {
        const type = rng.pick(requestTypes);
        const id = this.#recentIds.length > 0 ? rng.pick(this.#recentIds) : this.#id();
        const { data, slots } = this.validData(type);
        if (rng.bool()) this.#damageSlot(data, slots, 'wrongValue');
        return this.#text({ kind: 'req', id, type, data }, type, id);
      }
      case 'wrongValue':
      case 'wrongType':
      case 'unicode': {
        const type = rng.pick(requestTypes);
        const id = this.#id();
        const { data, slots } = this.validData(type);
        this.#damageSlot(data, slots, category);
        return this.#text({ kind: 'req', id, type, data }, type, id);
      }
      case 'missingField': {
        const withRequired = requestTypes.filter((t) => ((Requests[t].request as TSchema).required ?? []).length > 0);
        const type = rng.pick(withRequired);
        const id = this.#id();
        const { data, slots } = this.validData(type);
        const removable = slots.filter((s) => s.path.length > 0 && this.#isRequired(slots, s));
        const slot = rng.pick(removable);
        deleteAt(data, slot.path);
        return this.#text({ kind: 'req', id, type, data }, type, id);
      }
      case 'extraField': {
        const type = rng.pick(requestTypes);
        const id = this.#id();
        const { data, slots } = this.validData(type);
        const closed = slots.filter((s) => s.schema.type === 'object' && s.schema.additionalProperties === false);
        const target = rng.pick(closed);
        const key = rng.pick(['extra', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'é', 'id']);
        const value = rng.pick([...WRONG_TYPES, 'x'.repeat(rng.int(1, 200))]);
        const holder = target.path.length === 0 ? data : (getAt(data, target.path) as Record<string, unknown>);
        // A "__proto__" key must be an own property, as JSON.parse makes it on the server.
        Object.defineProperty(holder, key, { value, enumerable: true, configurable: true, writable: true });
        return this.#text({ kind: 'req', id, type, data }, type, id);
      }
      case 'numbers': {
        const type = rng.pick(requestTypes);
        const id = this.#id();
        const { data, slots } = this.validData(type);
        const numeric = slots.filter((s) => s.schema.type === 'integer' || s.schema.type === 'number');
        const raw = rng.pick(NUMBER_TEXTS);
        if (numeric.length > 0 && rng.bool(0.7)) {
          setAt(data, rng.pick(numeric).path, MARK);
          return this.#text({ kind: 'req', id, type, data }, type, id, raw);
        }
        // The envelope's own id.
        return this.#text({ kind: 'req', id: MARK, type, data }, type, undefined, raw);
      }
      case 'badEnvelope':
        return this.#badEnvelope();
      case 'binary': {
        const mode = rng.int(0, 3);
        if (mode === 0) return { frame: Buffer.alloc(0), binary: true };
        if (mode === 1) {
          const type = rng.pick(requestTypes);
          const text = JSON.stringify({ kind: 'req', id: this.#id(), type, data: this.validData(type).data });
          return { frame: Buffer.from(text), binary: true, type };
        }
        return { frame: rng.bytes(rng.int(1, mode === 2 ? 64 : 4096)), binary: true };
      }
      case 'invalidUtf8': {
        const type = rng.pick(requestTypes);
        const text = JSON.stringify({ kind: 'req', id: this.#id(), type, data: this.validData(type).data });
        const cut = rng.int(0, text.length);
        const bad = rng.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf]]);
        return { frame: Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from(bad), Buffer.from(text.slice(cut))]), binary: false, type };
      }
      case 'truncated': {
        const type = rng.pick(requestTypes);
        const id = this.#id();
        const text = JSON.stringify({ kind: 'req', id, type, data: this.validData(type).data });
        return { frame: text.slice(0, rng.int(0, text.length - 1)), binary: false, type };
      }
      case 'nonJson': {
        if (rng.bool(0.3)) return { frame: rng.pick(JSON_NOT_ENVELOPE), binary: false };
        if (rng.bool(0.6)) return { frame: rng.pick(NON_JSON), binary: false };
        let text = '';
        const n = rng.int(1, 200);
        for (let i = 0; i < n; i++) text += String.fromCharCode(rng.int(0x20, 0x7e));
        return { frame: text, binary: false };
      }
      case 'notification': {
        const type = rng.pick(this.#notificationTypes);
        const data = this.#valid(Notifications[type as keyof typeof Notifications] as TSchema, [], undefined, [], 0);
        const body: Record<string, unknown> = { kind: 'ntf', type, data };
        if (rng.bool(0.3)) body.seq = rng.int(0, 1000);
        return this.#text(body, undefined, undefined);
      }
      case 'response': {
        const id = this.#recentIds.length > 0 && rng.bool(0.7) ? rng.pick(this.#recentIds) : rng.int(0, 1_000_000);
        const body = rng.bool()
          ? { kind: 'res', id, ok: true, data: rng.pick([{}, { time: 1 }, null, { peerId: 'x' }]) }
          : { kind: 'res', id, ok: false, error: { code: rng.pick(errorCodes), message: 'from a client' } };
        return this.#text(body, undefined, undefined);
      }
      case 'mutation':
        return this.#mutation();
      case 'hugeString':
        return this.#huge();
      case 'deepNesting':
        return this.#deep();
    }
  }

  /** JSON text of `body`, the marker (if any) replaced by `raw`. */
  #text(body: Record<string, unknown>, type: string | undefined, id: number | undefined, raw?: string): Omit<FuzzMessage, 'category' | 'size'> {
    let frame = JSON.stringify(body);
    if (raw !== undefined) frame = frame.replace(JSON.stringify(MARK), () => raw);
    return { frame, binary: false, ...(type !== undefined ? { type } : {}), ...(id !== undefined ? { id } : {}) };
  }

  #isRequired(slots: Slot[], slot: Slot): boolean {
    const parentPath = slot.path.slice(0, -1);
    const parent = slots.find((s) => s.path.length === parentPath.length && s.path.every((k, i) => k === parentPath[i]));
    if (!parent) return false;
    if (parent.schema.type === 'array') return false;
    return ((parent.schema.required as string[] | undefined) ?? []).includes(String(slot.path[slot.path.length - 1]));
  }

  /** Damages one slot of `data` (the root when there is no other). */
  #damageSlot(data: Record<string, unknown>, slots: Slot[], how: 'wrongValue' | 'wrongType' | 'unicode'): void {
    const rng = this.rng;
    const inner = slots.filter((s) => s.path.length > 0);
    if (how === 'unicode') {
      const strings = inner.filter((s) => s.schema.type === 'string');
      const value = rng.bool(0.7) ? rng.pick(UNICODE_POOL) : this.#randomUnicode(rng.int(1, 80));
      if (strings.length > 0) setAt(data, rng.pick(strings).path, value);
      else data[rng.pick(['displayName', 'text', 'x'])] = value;
      return;
    }
    if (inner.length === 0) {
      // ping, leave, endMeeting: only the root to damage.
      data[rng.pick(['x', 'data', '0'])] = rng.pick(WRONG_TYPES);
      return;
    }
    const slot = rng.pick(inner);
    const current = getAt(data, slot.path);
    if (how === 'wrongValue') {
      const wrong = this.#wrongValue(slot.schema, current);
      if (wrong !== undefined) {
        setAt(data, slot.path, wrong.value);
        return;
      }
    }
    const others = WRONG_TYPES.filter((v) => typeClass(v) !== typeClass(current));
    setAt(data, slot.path, clone(rng.pick(others)));
  }

  /** A value of the same JSON type that the schema refuses, when there is one. */
  #wrongValue(schema: TSchema, current: unknown): { value: unknown } | undefined {
    const rng = this.rng;
    if (schema.anyOf) return { value: rng.pick(['nope', 'AUDIO', 'Send', ' mic', 'owner ', '']) };
    if (schema.const !== undefined) return { value: typeof schema.const === 'string' ? `${schema.const}x` : 'x' };
    switch (schema.type) {
      case 'string': {
        const options: unknown[] = [];
        if (schema.pattern) options.push(`${String(current)}${rng.pick(['/', ' ', '.', 'é', '\n', '<', '+', '%'])}`);
        if (typeof schema.maxLength === 'number') options.push('a'.repeat(schema.maxLength + rng.int(1, 20)));
        if (typeof schema.minLength === 'number' && schema.minLength > 0) options.push('');
        return options.length > 0 ? { value: rng.pick(options) } : undefined;
      }
      case 'integer':
      case 'number': {
        const options: unknown[] = [-1e308, 1e308];
        if (typeof schema.minimum === 'number') options.push(schema.minimum - 1, schema.minimum - 1e9);
        if (typeof schema.maximum === 'number') options.push(schema.maximum + 1, schema.maximum * 10 + 1);
        if (schema.type === 'integer') options.push(0.5, 1.25, Number.MAX_SAFE_INTEGER + 2);
        return { value: rng.pick(options) };
      }
      case 'array': {
        const max = typeof schema.maxItems === 'number' ? schema.maxItems : 3;
        const item = Array.isArray(current) && current.length > 0 ? current[0] : 'x';
        return rng.bool() || !schema.minItems
          ? { value: Array.from({ length: max + rng.int(1, 5) }, () => clone(item)) }
          : { value: [] };
      }
      case 'object':
        return { value: rng.pick([{}, { x: 1 }, { '': null }]) };
      default:
        return undefined;
    }
  }

  #randomUnicode(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) {
      const range = this.rng.int(0, 5);
      const cp =
        range === 0 ? this.rng.int(0, 0x1f)
        : range === 1 ? this.rng.int(0x20, 0x7e)
        : range === 2 ? this.rng.int(0x80, 0x7ff)
        : range === 3 ? this.rng.int(0xd800, 0xdfff) // lone surrogates
        : range === 4 ? this.rng.int(0xe000, 0xffff)
        : this.rng.int(0x10000, 0x10ffff);
      s += cp <= 0xffff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    }
    return s;
  }

  #badEnvelope(): Omit<FuzzMessage, 'category' | 'size'> {
    const rng = this.rng;
    const type = rng.pick(requestTypes);
    const id = this.#id();
    const body: Record<string, unknown> = { kind: 'req', id, type, data: this.validData(type).data };
    const what = rng.int(0, 7);
    if (what === 0) body.kind = rng.pick(['request', 'REQ', 'res', 'ntf', '', 1, null, true]);
    else if (what === 1) delete body.kind;
    else if (what === 2) body.id = rng.pick([-1, 1.5, '1', null, 2 ** 53, -0.5, [], {}, true]);
    else if (what === 3) delete body.id;
    else if (what === 4) {
      body.type = rng.pick([
        '',
        'x'.repeat(65),
        'HELLO',
        'hello ',
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'valueOf',
        'notARequest',
        'peerJoined',
        1,
        null,
        ['hello'],
      ]);
    } else if (what === 5) body.data = rng.pick([null, [], 'data', 1, true, [{}]]);
    else if (what === 6) body[rng.pick(['extra', 'seq', 'ok', 'error', '__proto__'])] = rng.pick(WRONG_TYPES);
    else return { frame: JSON.stringify(rng.bool() ? [body] : JSON.stringify(body)), binary: false, type };
    return { frame: JSON.stringify(body), binary: false, type };
  }

  #mutation(): Omit<FuzzMessage, 'category' | 'size'> {
    const rng = this.rng;
    let text: string;
    const useCaptured = rng.bool(0.8);
    const index = rng.int(0, 1_000_000);
    if (useCaptured && this.ctx.captured.length > 0) text = this.ctx.captured[index % this.ctx.captured.length]!;
    else {
      const type = rng.pick(requestTypes);
      text = JSON.stringify({ kind: 'req', id: this.#id(), type, data: this.validData(type).data });
    }
    const rounds = rng.int(1, 3);
    for (let r = 0; r < rounds; r++) {
      const at = rng.int(0, Math.max(0, text.length - 1));
      switch (rng.int(0, 7)) {
        case 0:
          text = text.slice(0, at) + String.fromCharCode(rng.int(0x20, 0x7e)) + text.slice(at + 1);
          break;
        case 1:
          text = text.slice(0, at) + text.slice(at + rng.int(1, 20));
          break;
        case 2: {
          const len = rng.int(1, 40);
          text = text.slice(0, at) + text.slice(at, at + len) + text.slice(at);
          break;
        }
        case 3:
          text = text.slice(0, at) + rng.pick(['"', '{', '}', '[', ']', ',', ':', '\\', '\\u', 'null']) + text.slice(at);
          break;
        case 4: {
          const number = rng.pick(NUMBER_TEXTS);
          text = text.replace(/-?\d+(\.\d+)?/, () => number);
          break;
        }
        case 5: {
          // A duplicate key: JSON.parse keeps the last one.
          const key = rng.pick(['"id":', '"type":', '"kind":', '"data":']);
          const value = rng.pick(['1', '"ping"', '"req"', '{}', 'null', `"${rng.pick(requestTypes)}"`]);
          text = text.replace('{', `{${key}${value},`);
          break;
        }
        case 6: {
          const odd = JSON.stringify(rng.pick(UNICODE_POOL));
          text = text.replace(/"[^"\\]*"/, () => odd);
          break;
        }
        default: {
          const notBoolean = rng.pick(['"true"', '0', 'null', 'tru']);
          text = text.replace(/"(true|false)"|true|false/, () => notBoolean);
        }
      }
    }
    return { frame: text, binary: false };
  }

  #huge(): Omit<FuzzMessage, 'category' | 'size'> {
    const rng = this.rng;
    const type = rng.pick(requestTypes);
    const id = this.#id();
    const { data, slots } = this.validData(type);
    const strings = slots.filter((s) => s.schema.type === 'string');
    const slot = strings.length > 0 && rng.bool(0.8) ? rng.pick(strings).path : ['huge'];
    setAt(data, slot, MARK);
    const base = Buffer.byteLength(JSON.stringify({ kind: 'req', id, type, data })) - Buffer.byteLength(JSON.stringify(MARK)) + 2;
    // Just under, exactly at, just over, or far over the server's limit.
    const target = rng.pick([
      MAX_MESSAGE_BYTES - rng.int(1, 2000),
      MAX_MESSAGE_BYTES,
      MAX_MESSAGE_BYTES + 1,
      MAX_MESSAGE_BYTES + rng.int(2, MAX_MESSAGE_BYTES),
      rng.int(4096, MAX_MESSAGE_BYTES - 1),
    ]);
    const unit = rng.pick(['a', 'é', '€', '😀']);
    const unitBytes = Buffer.byteLength(unit);
    const count = Math.max(0, Math.floor((target - base) / unitBytes));
    const pad = 'a'.repeat(Math.max(0, target - base - count * unitBytes));
    return this.#text({ kind: 'req', id, type, data }, type, id, `"${unit.repeat(count)}${pad}"`);
  }

  #deep(): Omit<FuzzMessage, 'category' | 'size'> {
    const rng = this.rng;
    const depth = rng.bool(0.5) ? 10_000 : rng.pick([100, 1000, 5000]);
    const nested = rng.bool() ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const type = rng.pick(requestTypes);
    const id = this.#id();
    const { data, slots } = this.validData(type);
    const where = rng.int(0, 3);
    if (where === 0) return { frame: nested, binary: false };
    if (where === 1) return this.#text({ kind: 'req', id, type, data: MARK }, type, id, nested);
    // Inside an object that lets any field through (ORTC parameters), so that it passes the schema.
    const open = slots.filter((s) => s.schema.type === 'object' && s.schema.additionalProperties !== false);
    if (where === 2 && open.length > 0) {
      const target = rng.pick(open);
      const holder = target.path.length === 0 ? data : (getAt(data, target.path) as Record<string, unknown>);
      holder.deep = MARK;
    } else if (slots.length > 1) setAt(data, rng.pick(slots.slice(1)).path, MARK);
    else data.deep = MARK;
    return this.#text({ kind: 'req', id, type, data }, type, id, nested);
  }

  /** A value the schema accepts, recording every slot (path and schema) in `slots`. */
  #valid(schema: TSchema, path: Path, name: string | undefined, slots: Slot[], depth: number): unknown {
    const rng = this.rng;
    slots.push({ path, schema, name });
    if (name !== undefined && Object.hasOwn(this.ctx.fixtures, name) && rng.bool(0.8)) return clone(this.ctx.fixtures[name]);
    if (schema.anyOf) {
      const options = schema.anyOf as TSchema[];
      const picked = rng.pick(options);
      // The chosen branch's own slot replaces the union's.
      slots.pop();
      return this.#valid(picked, path, name, slots, depth);
    }
    if (schema.const !== undefined) return schema.const;
    switch (schema.type) {
      case 'object': {
        const out: Record<string, unknown> = {};
        const required = new Set((schema.required as string[] | undefined) ?? []);
        for (const [key, prop] of Object.entries((schema.properties ?? {}) as Record<string, TSchema>)) {
          if (!required.has(key) && rng.bool(0.5)) continue;
          out[key] = this.#valid(prop, [...path, key], key, slots, depth + 1);
        }
        return out;
      }
      case 'array': {
        const min = (schema.minItems as number | undefined) ?? 0;
        const max = Math.min((schema.maxItems as number | undefined) ?? 3, 3, Math.max(min, 3));
        const n = depth > 6 ? min : rng.int(min, Math.max(min, max));
        return Array.from({ length: n }, (_, i) => this.#valid(schema.items as TSchema, [...path, i], undefined, slots, depth + 1));
      }
      case 'string':
        return this.#validString(schema, name);
      case 'integer': {
        if (name === 'protocol' && rng.bool(0.9)) return 1;
        const min = (schema.minimum as number | undefined) ?? 0;
        const max = (schema.maximum as number | undefined) ?? min + 1000;
        return rng.int(min, Math.min(max, min + 1_000_000));
      }
      case 'number': {
        const min = (schema.minimum as number | undefined) ?? 0;
        const max = (schema.maximum as number | undefined) ?? min + 1000;
        return min + rng.float() * (max - min);
      }
      case 'boolean':
        return rng.bool();
      case 'null':
        return null;
      default:
        return rng.pick([1, 'x', null, {}]);
    }
  }

  #validString(schema: TSchema, name: string | undefined): string {
    const rng = this.rng;
    const pattern = schema.pattern as string | undefined;
    const min = (schema.minLength as number | undefined) ?? 0;
    const max = Math.min((schema.maxLength as number | undefined) ?? 32, 48);
    // The PRNG is drawn from the same way whatever the context holds, so that
    // a seed gives the same sequence of choices on every run (FUZZ_SEED).
    const known = rng.bool(0.6);
    if (name === 'token' && known && this.ctx.tokens.length > 0) return this.ctx.tokens[rng.int(0, 1_000_000) % this.ctx.tokens.length]!;
    if (name === 'projectId' && known) return this.ctx.projectId;
    if (name === 'roomId' && known) return this.ctx.roomId;
    const length = rng.int(Math.max(1, min), Math.max(Math.max(1, min), max));
    // A markup request's presentation: now and then one the live server has (ctx.ids), so that it gets past NOT_FOUND.
    if (name === 'presentationId') {
      const random = this.#fromClass(`${ALNUM}_-`, length);
      const index = rng.int(0, 1_000_000);
      return known && this.ctx.ids.length > 0 ? this.ctx.ids[index % this.ctx.ids.length]! : random;
    }
    if (pattern === undefined) {
      let s = '';
      for (let i = 0; i < length; i++) s += rng.pick([...`${ALNUM} -_.éà`]);
      return s;
    }
    // A local date (minutes' due dates, plans' occurrences): a real one mostly, else one no calendar has.
    if (pattern === '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') {
      const [y, m, d] = [rng.int(1970, 2100), rng.int(1, 12), rng.bool(0.8) ? rng.int(1, 28) : rng.int(29, 99)];
      return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    }
    // Chat message ids (protocol/streamId.ts): mostly ordinary, now and then at the bounds Redis takes.
    if (pattern === STREAM_ID_PATTERN) {
      const edge = ['0-0', '0-1', `${STREAM_ID_PART_MAX}-${STREAM_ID_PART_MAX}`, `${STREAM_ID_PART_MAX}-0`];
      return rng.bool(0.2) ? rng.pick(edge) : `${rng.int(0, 2 ** 40)}-${rng.int(0, 99)}`;
    }
    // Markup colours (notifications' marks).
    if (pattern === '^#[0-9a-f]{6}$') return `#${this.#fromClass('0123456789abcdef', 6)}`;
    // Planned meetings' local dates and times (protocol/planning.ts).
    if (pattern === '^[0-9]{4}-[0-9]{2}-[0-9]{2}$') return `20${rng.int(26, 40)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
    if (pattern === '^([01][0-9]|2[0-3]):[0-5][0-9]$') return `${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`;
    if (pattern === '^[0-9a-fA-F-]+$') {
      const random = this.#fromClass('0123456789abcdef-', length);
      const index = rng.int(0, 1_000_000);
      return known && this.ctx.mediaIds.length > 0 ? this.ctx.mediaIds[index % this.ctx.mediaIds.length]! : random;
    }
    if (pattern === '^[A-Za-z0-9_-]+$') {
      const random = this.#fromClass(`${ALNUM}_-`, length);
      const index = rng.int(0, 1_000_000);
      const id = this.ctx.ids.length > 0 ? this.ctx.ids[index % this.ctx.ids.length]! : undefined;
      const fits = id !== undefined && id.length >= min && id.length <= ((schema.maxLength as number | undefined) ?? 64);
      return known && fits ? id : random;
    }
    throw new Error(`fuzz generator: no generator for the pattern ${pattern} (add one)`);
  }

  #fromClass(chars: string, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += this.rng.pick([...chars]);
    return s;
  }
}
