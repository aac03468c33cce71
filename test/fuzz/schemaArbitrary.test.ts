import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Requests, requestTypes } from '../../signaling/src/protocol/index.js';
import { invalid, patternExtremes, valid } from './schemaArbitrary.js';

describe('schema arbitraries', () => {
  it.each(requestTypes)('%s: every generated value passes its schema, every broken one fails it', (type) => {
    const schema = Requests[type].request as TSchema;
    const check = TypeCompiler.Compile(schema);
    fc.assert(fc.property(valid(schema), (value) => check.Check(value)), { numRuns: 50 });
    // An object with no properties (ping, leave) has only an unknown property to break.
    fc.assert(fc.property(invalid(schema), (value) => !check.Check(value)), { numRuns: 50 });
  }, 30_000);

  it('reaches the bounds of patterns made of classes and quantifiers', () => {
    expect(patternExtremes('^[0-9]{1,20}-[0-9]{1,20}$', 41)).toEqual(['0-0', `${'9'.repeat(20)}-${'9'.repeat(20)}`]);
    expect(patternExtremes('^[A-Za-z0-9_-]+$', 5)).toEqual(['-', 'zzzzz']);
    expect(patternExtremes('^(?:0|[1-9])$', 5)).toEqual([]);
  });
});
