import { describe, expect, it } from 'vitest';
import { JsonFragment, jsonFragmentOf, stringifyAnswer } from './jsonFragment.js';

describe('jsonFragment', () => {
  it('splices a fragment in as serialised, and the answer parses to the same data', () => {
    const caps = { codecs: [{ mimeType: 'audio/opus', clockRate: 48000 }], headerExtensions: [] };
    const data = { peerId: 'p1', routerRtpCapabilities: jsonFragmentOf(caps), presence: { version: 3, connections: [] }, note: '"}' };
    const json = stringifyAnswer(data);
    expect(JSON.parse(json)).toEqual({ peerId: 'p1', routerRtpCapabilities: caps, presence: { version: 3, connections: [] }, note: '"}' });
    // The object given is left as it was.
    expect(data.routerRtpCapabilities).toBeInstanceOf(JsonFragment);
  });

  it('serialises a value once while it lives (the same fragment each time)', () => {
    const caps = { codecs: [] };
    expect(jsonFragmentOf(caps)).toBe(jsonFragmentOf(caps));
    expect(jsonFragmentOf({ codecs: [] })).not.toBe(jsonFragmentOf(caps));
  });

  it('leaves data without fragments, arrays and scalars to JSON.stringify, and a data of fragments only whole', () => {
    for (const data of [{ a: 1, b: [1, 2] }, [1, { c: 2 }], 'text', 3, null, {}]) expect(stringifyAnswer(data)).toBe(JSON.stringify(data));
    expect(JSON.parse(stringifyAnswer({ only: jsonFragmentOf({ x: [1] }) }))).toEqual({ only: { x: [1] } });
  });
});
