import { Type, type TSchema } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, Requests } from '../protocol/index.js';
import { unboundedParts } from './bounds.js';

describe('unboundedParts', () => {
  it('finds strings and arrays without a limit, however deep', () => {
    const schema = Type.Object({
      ok: Type.String({ maxLength: 4 }),
      kind: Type.Union([Type.Literal('a'), Type.Literal('b')]),
      name: Type.String(),
      list: Type.Array(Type.String({ maxLength: 3 })),
      nested: Type.Object({ tags: Type.Array(Type.String(), { maxItems: 2 }) }),
      map: Type.Record(Type.String(), Type.String()),
    });
    expect(unboundedParts(schema).sort()).toEqual(['/list', '/map/patternProperties/^(.*)$', '/name', '/nested/tags/items']);
  });
});

describe('the WebSocket protocol', () => {
  it('bounds every string and array of every request, inside frames of at most MAX_MESSAGE_BYTES', () => {
    const problems = Object.entries(Requests).flatMap(([type, def]) =>
      unboundedParts(def.request as TSchema).map((part) => `${type}${part}`),
    );
    expect(problems).toEqual([]);
    expect(Object.keys(Requests).length).toBeGreaterThan(10);
    expect(MAX_MESSAGE_BYTES).toBeLessThanOrEqual(1024 * 1024);
  });
});
