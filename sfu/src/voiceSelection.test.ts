import { describe, expect, it } from 'vitest';
import { audioLevelOf } from './audioLevel.js';
import { VOICE_SELECTION_DEFAULTS, VoiceLevels, VoiceSelection } from './voiceSelection.js';

const PACKET_MS = 40;

/** Five microphones (a to e, each its owner's) and the selection of listener `listener`. */
function selection(listener = 'z', size = 3): VoiceSelection & { levels: VoiceLevels } {
  const levels = new VoiceLevels({ size, ...VOICE_SELECTION_DEFAULTS });
  for (const id of ['a', 'b', 'c', 'd', 'e']) levels.add(id, id);
  return Object.assign(new VoiceSelection(levels, listener), { levels });
}

/** One packet of `id`, weighed as LoudestVoices does; returns whether the listener's choice changed. */
function packet(s: ReturnType<typeof selection>, id: string, dbov: number, now: number): boolean {
  const heard = s.levels.level(id, dbov, now);
  return heard === 'audible' ? s.audible(id, now) : heard === 'onset' && s.onset(id, now);
}

/** Feeds `levels` (id → dBov, or null: DTX, no packet) for `ms`, ticking every 100 ms; returns the time reached. */
function talk(s: ReturnType<typeof selection>, levels: Record<string, number | null>, from: number, ms: number): number {
  let now = from;
  for (; now < from + ms; now += PACKET_MS) {
    for (const [id, dbov] of Object.entries(levels)) if (dbov !== null) packet(s, id, dbov, now);
    if (now % 100 < PACKET_MS) {
      s.levels.tick(now);
      s.tick(now);
    }
  }
  return now;
}

describe('VoiceSelection: the N loudest voices, with hysteresis', () => {
  it('keeps the three loudest of five talking together, whatever the order they started in', () => {
    const s = selection();
    // The quiet ones start first and take the free places at once...
    let now = talk(s, { d: -40, e: -45, c: -30 }, 0, 400);
    expect([...s.chosen].sort()).toEqual(['c', 'd', 'e']);
    // ...then louder voices replace them once the hold is over, never more than three.
    let most = 0;
    for (let i = 0; i < 100; i++) {
      now = talk(s, { a: -10, b: -20, c: -30, d: -40, e: -45 }, now, PACKET_MS);
      most = Math.max(most, s.chosen.size);
    }
    expect([...s.chosen].sort()).toEqual(['a', 'b', 'c']);
    expect(most).toBe(3);
  });

  it('gives a new talker the place of a silent voice on its first audible packet', () => {
    const s = selection();
    let now = talk(s, { a: -20, b: -20, c: -20 }, 0, 2000);
    // a and b go on, c stops (DTX: no packets); then d starts.
    now = talk(s, { a: -20, b: -20, c: null }, now, 1000);
    expect(s.chosen.has('c')).toBe(true); // nobody needed its place
    expect(packet(s, 'd', -25, now)).toBe(true);
    expect([...s.chosen].sort()).toEqual(['a', 'b', 'd']);
  });

  it('does not switch between voices of nearly the same level (margin) nor before the hold', () => {
    const s = selection();
    let now = talk(s, { a: -20, b: -22, c: -24 }, 0, 3000);
    now = talk(s, { a: -20, b: -22, c: -24, d: -21 }, now, 5000);
    expect(s.chosen.has('d')).toBe(false);
    // Much louder: it replaces the quietest, after the quietest's hold (long over here).
    talk(s, { a: -20, b: -22, c: -24, d: -5 }, now, 1000);
    expect([...s.chosen].sort()).toEqual(['a', 'b', 'd']);
  });

  it('frees the place of a microphone that leaves', () => {
    const s = selection();
    const now = talk(s, { a: -20, b: -20, c: -20, d: -20 }, 0, 1000);
    const out = [...s.chosen][0]!;
    s.levels.remove(out);
    expect(s.remove(out)).toBe(true);
    talk(s, { a: -20, b: -20, c: -20, d: -20 }, now, 200);
    expect(s.chosen.size).toBe(3);
    expect(s.chosen.has(out)).toBe(false);
  });

  it('ignores levels below speech and unknown microphones', () => {
    const s = selection();
    talk(s, { a: -90, b: -127 }, 0, 1000);
    expect(s.chosen.size).toBe(0);
    expect(packet(s, 'zz', -10, 0)).toBe(false);
  });

  it('gives a place on a rise of level before speech is audible, but only a free or silent one', () => {
    const s = selection();
    // Background at -80 dBov (comfort noise every 400 ms): no rise, no place.
    let now = talk(s, { a: -80 }, 0, 400);
    now = talk(s, { a: -80 }, now, 400);
    expect(s.chosen.size).toBe(0);
    // The first packet of a word, still under speech (-55): a rise of 20 dB takes a free place.
    expect(packet(s, 'a', -60, now)).toBe(true);
    expect(s.levels.talking('a', now)).toBe(false);
    // Three talking: a rise does not take a talking voice's place.
    now = talk(s, { b: -20, c: -20, d: -20 }, now + PACKET_MS, 1000);
    expect([...s.chosen].sort()).toEqual(['b', 'c', 'd']);
    expect(packet(s, 'e', -60, now)).toBe(false);
    // One stops: a rise takes its place; a talker that then starts takes the riser's (it never talked).
    now = talk(s, { b: -20, c: -20, d: null }, now, 1000);
    expect(packet(s, 'e', -60, now)).toBe(true);
    expect([...s.chosen].sort()).toEqual(['b', 'c', 'e']);
    expect(packet(s, 'a', -30, now + 10)).toBe(true);
    expect([...s.chosen].sort()).toEqual(['a', 'b', 'c']);
  });

  it('takes no rise from a steady or very quiet level', () => {
    const s = selection();
    // A steady -65: only the very first packet rises (from silence); once chosen, nothing changes.
    const now = talk(s, { a: -65 }, 0, 2000);
    expect([...s.chosen]).toEqual(['a']);
    // Quieter than -70 dBov never counts as a rise, whatever it rises from.
    expect(s.levels.level('b', -75, now)).toBe(false);
  });

  it("never gives a listener its own voice: the three loudest of the others", () => {
    const s = selection('a');
    talk(s, { a: -5, b: -20, c: -30, d: -40, e: -50 }, 0, 4000);
    expect([...s.chosen].sort()).toEqual(['b', 'c', 'd']);
  });
});

describe('audioLevelOf: RFC 6464 level from an RTP header extension', () => {
  const rtp = (extension: number[], profile = 0xbede, csrcs = 0): Uint8Array => {
    const words = Math.ceil(extension.length / 4);
    const ext = [...extension, ...new Array<number>(words * 4 - extension.length).fill(0)];
    return Uint8Array.from([
      0x90 | csrcs, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 42,
      ...new Array<number>(4 * csrcs).fill(7),
      profile >> 8, profile & 0xff, 0, words, ...ext,
      0xfc, 0xff, 0xfe, // payload
    ]);
  };

  it('reads the one-byte form, after padding and another extension, with CSRCs', () => {
    // id 1 (mid, 2 bytes "ab"), padding, id 10 with level 30 and the voice bit.
    expect(audioLevelOf(rtp([0x11, 0x61, 0x62, 0, 0xa0, 0x80 | 30], 0xbede, 2), 10)).toBe(-30);
  });

  it('reads the two-byte form', () => {
    expect(audioLevelOf(rtp([1, 2, 0x61, 0x62, 10, 1, 127], 0x1000), 10)).toBe(-127);
  });

  it('answers undefined without the extension or for malformed packets', () => {
    expect(audioLevelOf(rtp([0x11, 0x61, 0x62]), 10)).toBeUndefined();
    const noExtension = rtp([0xa0, 5]);
    noExtension[0] = 0x80;
    expect(audioLevelOf(noExtension, 10)).toBeUndefined();
    expect(audioLevelOf(rtp([0xa0, 5]).subarray(0, 15), 10)).toBeUndefined();
    const tooLong = rtp([0xa0, 5]);
    tooLong[15] = 200; // extension length past the end
    expect(audioLevelOf(tooLong, 10)).toBeUndefined();
    expect(audioLevelOf(rtp([0xa0, 5], 0x1234), 10)).toBeUndefined();
    expect(audioLevelOf(new Uint8Array(4), 10)).toBeUndefined();
  });
});
