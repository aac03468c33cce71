import { describe, expect, it } from 'vitest';
import { greyOfLuma, lumaDiffers, lumaOf, posterise, StillSchedule, uniformPicture } from './screenStill';

const flat = (value: number, n = 96 * 54): Uint8Array => new Uint8Array(n).fill(value);
function withBlock(base: Uint8Array, from: number, count: number, value: number): Uint8Array {
  const out = base.slice();
  out.fill(value, from, from + count);
  return out;
}

describe('lumaDiffers', () => {
  it('ignores a few pixels and small wobbles, sees a changed area', () => {
    const a = flat(200);
    expect(lumaDiffers(a, withBlock(a, 0, 5, 0))).toBe(false); // a cursor
    expect(lumaDiffers(a, flat(208))).toBe(false); // compression wobble
    expect(lumaDiffers(a, withBlock(a, 100, 200, 40))).toBe(true); // a new drawing
    expect(lumaDiffers(a, flat(200, 10))).toBe(true); // another size
  });
});

describe('lumaOf', () => {
  it('weighs green most', () => {
    expect([...lumaOf(new Uint8ClampedArray([255, 255, 255, 255, 0, 255, 0, 255, 0, 0, 255, 255]))]).toEqual([255, 149, 28]);
  });
});

describe('StillSchedule', () => {
  it('sends the first probe at once, then a change once it has settled, at most once a gap', () => {
    const s = new StillSchedule(1_000);
    const plan = flat(200);
    const next = withBlock(plan, 0, 1000, 30);
    expect(s.probe(plan, 0)).toBe(true);
    expect(s.probe(plan, 500)).toBe(false); // nothing changed
    expect(s.probe(next, 1_500)).toBe(false); // changed, not settled yet
    expect(s.probe(next, 2_000)).toBe(true); // settled
    expect(s.probe(plan, 2_200)).toBe(false);
    expect(s.probe(plan, 2_400)).toBe(false); // settled, but within the gap
    expect(s.probe(plan, 3_100)).toBe(true);
  });

  it('sends at once again after a reset', () => {
    const s = new StillSchedule();
    expect(s.probe(flat(1), 0)).toBe(true);
    s.reset();
    expect(s.probe(flat(1), 10)).toBe(true);
  });
});

describe('posterise', () => {
  it('keeps white and black, and puts every other pixel on one of the grey levels', () => {
    const px = new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255, 120, 130, 140, 100, 255, 0, 0, 255]);
    posterise(px, 16);
    expect([...px]).toEqual([255, 255, 255, 255, 0, 0, 0, 255, 136, 136, 136, 255, 68, 68, 68, 255]);
  });
});

describe('greyOfLuma', () => {
  it('gives a grey pixel the level posterise gives it, and stretches video-range luma', () => {
    const all = Uint8Array.from({ length: 256 }, (_, v) => v);
    const fromPlane = new Uint8ClampedArray(256 * 4);
    greyOfLuma(all, true, fromPlane);
    const fromRgb = new Uint8ClampedArray(256 * 4);
    for (let v = 0; v < 256; v++) fromRgb.set([v, v, v, 255], v * 4);
    posterise(fromRgb);
    expect([...fromPlane]).toEqual([...fromRgb]);

    const video = new Uint8ClampedArray(4 * 4);
    greyOfLuma(Uint8Array.from([0, 16, 235, 255]), false, video);
    expect([...video.filter((_, i) => i % 4 === 0)]).toEqual([0, 0, 255, 255]);
    expect(video[3]).toBe(255);
  });
});

describe('uniformPicture', () => {
  const width = 1920;
  const height = 1080;

  it('finds a flat luma plane flat, and a plane with one thin line anywhere not', () => {
    const plane = new Uint8Array(width * height).fill(235);
    expect(uniformPicture(plane, 1)).toBe(true);
    plane[0] = 236; // within the tolerance (2 levels)
    expect(uniformPicture(plane, 1)).toBe(true);
    // One 1-px column, one 1-px row: the samples fall on every column and every row.
    for (const column of [0, 1, 517, 1919]) {
      const lined = new Uint8Array(width * height).fill(235);
      for (let row = 0; row < height; row++) lined[row * width + column] = 16;
      expect(uniformPicture(lined, 1)).toBe(false);
    }
    const rowLined = new Uint8Array(width * height).fill(235);
    rowLined.fill(16, 700 * width, 701 * width);
    expect(uniformPicture(rowLined, 1)).toBe(false);
  });

  it('compares red, green and blue of RGBA pixels, not alpha', () => {
    const rgba = new Uint8ClampedArray(64 * 64 * 4);
    for (let p = 0; p < 64 * 64; p++) rgba.set([250, 250, 250, p % 256], p * 4);
    expect(uniformPicture(rgba, 4)).toBe(true);
    for (let p = 0; p < 64 * 64; p += 7) rgba[p * 4 + 2] = 0; // blue dots on white
    expect(uniformPicture(rgba, 4)).toBe(false);
  });
});
