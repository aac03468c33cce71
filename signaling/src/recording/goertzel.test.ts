import { describe, expect, it } from 'vitest';
import { goertzelDb, pcm16ToFloat, toneLevels } from './goertzel.js';

const RATE = 48_000;

function sine(frequency: number, seconds: number, amplitude: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * RATE));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / RATE);
  return out;
}

describe('goertzel', () => {
  it('reads a sine of amplitude A at 20·log10(A) dB, and other frequencies far below', () => {
    const samples = sine(440, 0.5, 0.25);
    expect(goertzelDb(samples, RATE, 440)).toBeCloseTo(20 * Math.log10(0.25), 0);
    expect(goertzelDb(samples, RATE, 660)).toBeLessThan(-60);
    expect(goertzelDb(samples, RATE, 880)).toBeLessThan(-60);
  });

  it('separates tones mixed together, window by window', () => {
    const a = sine(440, 1, 0.2);
    const b = sine(660, 1, 0.2);
    const mixed = new Float32Array(a.length);
    // 660 Hz only in the second half.
    for (let i = 0; i < a.length; i++) mixed[i] = a[i]! + (i >= a.length / 2 ? b[i]! : 0);
    const levels = toneLevels(mixed, RATE, [440, 660], 0.25);
    expect(levels.map((l) => l.t)).toEqual([0, 0.25, 0.5, 0.75]);
    for (const { t, db } of levels) {
      expect(db[0]).toBeGreaterThan(-16);
      if (t >= 0.5) expect(db[1]).toBeGreaterThan(-16);
      else expect(db[1]).toBeLessThan(-60);
    }
  });

  it('reads silence as very low and an empty window as -Infinity', () => {
    expect(goertzelDb(new Float32Array(4800), RATE, 440)).toBeLessThan(-200);
    expect(goertzelDb(new Float32Array(0), RATE, 440)).toBe(-Infinity);
  });

  it('decodes 16-bit little-endian PCM', () => {
    const buffer = Buffer.alloc(6);
    buffer.writeInt16LE(16384, 0);
    buffer.writeInt16LE(-32768, 2);
    buffer.writeInt16LE(0, 4);
    expect([...pcm16ToFloat(buffer)]).toEqual([0.5, -1, 0]);
  });
});
