import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './jsonDepth.js';

const nested = (depth: number): string => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);

describe('nestsDeeperThan', () => {
  it('measures objects and arrays alike, scalars as nothing', () => {
    expect(nestsDeeperThan('1', 0)).toBe(false);
    expect(nestsDeeperThan('"x"', 0)).toBe(false);
    expect(nestsDeeperThan('{}', 0)).toBe(true);
    expect(nestsDeeperThan('{}', 1)).toBe(false);
    expect(nestsDeeperThan('[[1],[2,[3]]]', 3)).toBe(false);
    expect(nestsDeeperThan('[[1],[2,[3]]]', 2)).toBe(true);
    expect(nestsDeeperThan('{"a":[{"b":{}}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":{}}]}', 3)).toBe(true);
  });

  it('lets the deepest allowed text through and refuses one level more', () => {
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    // What the fuzz test sent: capabilities nested past JSON.stringify's stack.
    expect(nestsDeeperThan(nested(200_000))).toBe(true);
    expect(JSON.parse(nested(MAX_JSON_DEPTH))).toBeTypeOf('object');
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ text: '[[[[{{{{"\\"[[[[', list: ['}}]]'] });
    expect(nestsDeeperThan(text, 2)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: 'a\\' , t: [[]] }), 3)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ s: 'a\\', t: [[]] }), 2)).toBe(true);
  });

  it('never refuses a real message of the protocol', () => {
    const join = {
      id: 3,
      type: 'join',
      data: { rtpCapabilities: { codecs: [{ mimeType: 'video/VP9', parameters: { 'profile-id': 2 }, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }] } },
    };
    expect(nestsDeeperThan(JSON.stringify(join))).toBe(false);
  });
});
