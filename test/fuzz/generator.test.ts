/**
 * The fuzz generator (test/fuzz/generator.ts) is itself tested: the same seed
 * gives the same frames, every request type and every category comes up in
 * the proportions asked, valid messages pass the server's schema checks and
 * the damaged ones fail them where they must.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, RequestEnvelope, Requests, requestTypes, type RequestType } from '../../signaling/src/protocol/index.js';
import { CATEGORY_WEIGHTS, FuzzGenerator, categories, type Category, type FuzzContext, type FuzzMessage } from './generator.js';
import { Prng } from './prng.js';

const checkEnvelope = TypeCompiler.Compile(RequestEnvelope);
const checkData = Object.fromEntries(
  Object.entries(Requests).map(([t, d]) => [t, TypeCompiler.Compile(d.request as TSchema)]),
) as Record<RequestType, TypeCheck<TSchema>>;

type Verdict = 'binary' | 'notJson' | 'badEnvelope' | 'unknownType' | 'badData' | 'passes';

/** What the server's dispatcher (signaling/src/ws/dispatch.ts) makes of a frame, before any handler. */
function verdict(message: FuzzMessage): Verdict {
  if (message.binary) return 'binary';
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof message.frame === 'string' ? message.frame : message.frame.toString('utf8'));
  } catch {
    return 'notJson';
  }
  if (!checkEnvelope.Check(parsed)) return 'badEnvelope';
  const { type, data } = parsed as { type: string; data?: unknown };
  if (!Object.hasOwn(Requests, type)) return 'unknownType';
  return checkData[type as RequestType].Check(data ?? {}) ? 'passes' : 'badData';
}

function context(): FuzzContext {
  return {
    projectId: 'proj-1',
    roomId: 'room-1',
    tokens: ['eyJhbGciOiJIUzI1NiJ9.e30.sig'],
    ids: ['peerAAAA', 'user-1'],
    mediaIds: ['0b5a7c1e-1111-2222-3333-444455556666'],
    captured: ['{"kind":"req","id":1,"type":"ping","data":{}}', '{"kind":"req","id":2,"type":"raiseHand","data":{"raised":true}}'],
    fixtures: { rtpCapabilities: { codecs: [{ mimeType: 'audio/opus', kind: 'audio', clockRate: 48000 }] } },
  };
}

function run(seed: number, n: number): FuzzMessage[] {
  const generator = new FuzzGenerator(seed, context());
  return Array.from({ length: n }, () => generator.next());
}

describe('the PRNG', () => {
  it('is deterministic per seed and spreads its values', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xs = Array.from({ length: 1000 }, () => a.u32());
    expect(Array.from({ length: 1000 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c.u32())).not.toEqual(xs);
    const buckets = new Array<number>(10).fill(0);
    const r = new Prng(7);
    for (let i = 0; i < 100_000; i++) buckets[r.int(0, 9)]!++;
    for (const count of buckets) expect(count).toBeGreaterThan(9_000);
  });
});

// Tens of thousands of frames per test: CPU-bound, over 5 s (up to 14 s seen) on the shared 2-core machine under load.
describe('the fuzz generator', { timeout: 60_000 }, () => {
  it('gives the same frames for the same seed, others for another seed', () => {
    const one = run(123456, 3000);
    const two = run(123456, 3000);
    expect(two.map((m) => [m.category, m.frame.toString()])).toEqual(one.map((m) => [m.category, m.frame.toString()]));
    const other = run(654321, 3000);
    expect(other.map((m) => m.frame.toString())).not.toEqual(one.map((m) => m.frame.toString()));
  });

  it('makes the same choices for a seed whatever ids the live server handed out (a replay meets other ids)', () => {
    const other = context();
    other.ids = ['someOtherPeerIdThatIsLonger', 'x', 'y', 'z'];
    other.mediaIds = ['ffff', 'eeee', 'dddd'];
    other.captured = [...other.captured, '{"kind":"req","id":9,"type":"ping","data":{}}'];
    const a = new FuzzGenerator(77, context());
    const b = new FuzzGenerator(77, other);
    for (let i = 0; i < 5000; i++) {
      const x = a.next();
      const y = b.next();
      expect([y.category, y.type], `message ${i}`).toEqual([x.category, x.type]);
    }
  });

  it('covers every request type and every category, in the proportions of CATEGORY_WEIGHTS', () => {
    const n = 50_000;
    const messages = run(99, n);
    const types = new Set(messages.map((m) => m.type).filter((t) => t !== undefined));
    for (const type of requestTypes) expect(types, type).toContain(type);
    const count = new Map<Category, number>();
    for (const m of messages) count.set(m.category, (count.get(m.category) ?? 0) + 1);
    const total = Object.values(CATEGORY_WEIGHTS).reduce((a, b) => a + b, 0);
    for (const category of categories) {
      const expected = (n * CATEGORY_WEIGHTS[category]) / total;
      const seen = count.get(category) ?? 0;
      expect(seen, category).toBeGreaterThan(0);
      // Binomial: 5 standard deviations either way, never flaky for a fixed seed anyway.
      expect(Math.abs(seen - expected), category).toBeLessThan(5 * Math.sqrt(expected) + 1);
    }
  });

  it('builds valid data for every request type (the server schema accepts it)', () => {
    for (let seed = 0; seed < 200; seed++) {
      const generator = new FuzzGenerator(seed, context());
      for (const type of requestTypes) {
        const { data } = generator.validData(type);
        expect(checkData[type].Check(data), `${type} ${JSON.stringify(data)}: ${checkData[type].Errors(data).First()?.message}`).toBe(true);
      }
    }
    const valid = run(5, 20_000).filter((m) => m.category === 'valid');
    expect(valid.length).toBeGreaterThan(100);
    for (const m of valid) expect(verdict(m), m.frame.toString()).toBe('passes');
  });

  it('damages messages the way each category says', () => {
    const messages = run(2024, 60_000);
    const by = (category: Category) => messages.filter((m) => m.category === category);
    const share = (category: Category, ok: (v: Verdict) => boolean) => {
      const ms = by(category);
      return ms.filter((m) => ok(verdict(m))).length / ms.length;
    };
    // Always refused by the schema stage.
    expect(share('missingField', (v) => v === 'badData')).toBe(1);
    expect(share('extraField', (v) => v === 'badData')).toBe(1);
    expect(share('truncated', (v) => v === 'notJson')).toBe(1);
    expect(share('binary', (v) => v === 'binary')).toBe(1);
    expect(share('notification', (v) => v === 'badEnvelope')).toBe(1);
    expect(share('response', (v) => v === 'badEnvelope')).toBe(1);
    expect(share('nonJson', (v) => v === 'notJson' || v === 'badEnvelope')).toBe(1);
    // A null `data` stands for {} (the dispatcher's `data ?? {}`): accepted where {} is.
    expect(share('badEnvelope', (v) => v !== 'passes')).toBeGreaterThan(0.95);
    // Nearly always (a wrong type may land on a union that also takes it, e.g. pointer: null).
    expect(share('wrongType', (v) => v !== 'passes')).toBeGreaterThan(0.9);
    expect(share('wrongValue', (v) => v !== 'passes')).toBeGreaterThan(0.8);
    // Odd numbers and unicode: some refused, some let through to the handlers (display names...).
    expect(share('numbers', (v) => v !== 'passes')).toBeGreaterThan(0.5);
    expect(share('unicode', (v) => v === 'passes')).toBeGreaterThan(0);
    // Text frames that are not UTF-8.
    for (const m of by('invalidUtf8')) {
      expect(m.binary).toBe(false);
      expect(Buffer.isBuffer(m.frame) && !isUtf8(m.frame as Buffer)).toBe(true);
    }
    // Huge: under, at and over the server's limit.
    const huge = by('hugeString').map((m) => m.size);
    expect(huge.some((s) => s > MAX_MESSAGE_BYTES)).toBe(true);
    expect(huge.some((s) => s === MAX_MESSAGE_BYTES)).toBe(true);
    expect(huge.some((s) => s < MAX_MESSAGE_BYTES && s > MAX_MESSAGE_BYTES / 2)).toBe(true);
    // Deep: 10,000 levels, some of them inside a field the schema lets through.
    const deep = by('deepNesting');
    expect(deep.some((m) => m.frame.toString().includes('['.repeat(10_000)) || m.frame.toString().includes('{"a":'.repeat(10_000)))).toBe(true);
    expect(deep.some((m) => verdict(m) === 'passes')).toBe(true);
    // Reused ids: each one was issued before (some of them to frames that do not carry it readably).
    const seen = new Set<number>();
    let reused = 0;
    let duplicates = 0;
    for (const m of messages) {
      if (m.category === 'duplicateId') {
        duplicates++;
        if (seen.has(m.id!)) reused++;
      } else if (m.id !== undefined) seen.add(m.id);
    }
    expect(reused / duplicates).toBeGreaterThan(0.5);
  });
});

function isUtf8(buffer: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buffer);
    return true;
  } catch {
    return false;
  }
}
