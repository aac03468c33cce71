import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from './ReplayBuffer.js';

const speaker = (peerId: string) => ({ peerId });

describe('ReplayBuffer', () => {
  it('numbers from 1 and gives back what follows a seq, in order, with its data', () => {
    const buffer = new ReplayBuffer(4);
    expect(buffer.lastSeq).toBe(0);
    expect(buffer.covers(0)).toBe(true);
    expect([...buffer.after(0)]).toEqual([]);
    expect(buffer.push('activeSpeaker', speaker('a'))).toBe(1);
    expect(buffer.push('activeSpeaker', speaker('b'))).toBe(2);
    expect([...buffer.after(0)]).toEqual([
      { kind: 'ntf', type: 'activeSpeaker', data: { peerId: 'a' }, seq: 1 },
      { kind: 'ntf', type: 'activeSpeaker', data: { peerId: 'b' }, seq: 2 },
    ]);
    expect([...buffer.after(1)].map((m) => m.seq)).toEqual([2]);
    expect([...buffer.after(2)]).toEqual([]);
    expect(buffer.covers(3)).toBe(false);
  });

  it('keeps the last `capacity` once it wraps, however often', () => {
    const buffer = new ReplayBuffer(4);
    for (let i = 1; i <= 11; i++) buffer.push('activeSpeaker', speaker(`p${i}`));
    expect(buffer.lastSeq).toBe(11);
    expect(buffer.oldestSeq).toBe(8);
    // A client that saw 7 misses 8..11, all kept; one that saw 6 missed 7, gone.
    expect(buffer.covers(7)).toBe(true);
    expect(buffer.covers(6)).toBe(false);
    expect([...buffer.after(7)].map((m) => [m.seq, (m.data as { peerId: string }).peerId])).toEqual([
      [8, 'p8'],
      [9, 'p9'],
      [10, 'p10'],
      [11, 'p11'],
    ]);
    expect([...buffer.after(0)].map((m) => m.seq)).toEqual([8, 9, 10, 11]);
  });
});
