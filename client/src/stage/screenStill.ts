/**
 * A still picture of a shared screen, shown on the stage instead of its
 * video while this page's downlink cannot carry the video (issue 21; the
 * server decides: sfu/src/screenStill.ts). Pure parts: what the stage keeps
 * per sharer, and the sharer's cheap change detection.
 */

/** A still to show, by the sharer's peer id: the picture as an object URL; null while the share's first one is on its way. */
export interface ScreenStillView {
  producerId: string;
  version: number;
  url: string | null;
}

/** Side of the downscaled copy compared between frames (width; the height follows the picture). */
export const PROBE_WIDTH = 96;

/**
 * Whether two downscaled luma copies of the screen differ: more than
 * `share` of their pixels moved by more than `step` levels. A cursor blink
 * or a compression wobble does not count; a new sheet, a scroll or a zoom
 * does (a 96-px-wide copy: one pixel is ~20 screen pixels across).
 */
export function lumaDiffers(a: Uint8Array, b: Uint8Array, step = 12, share = 0.002): boolean {
  if (a.length !== b.length) return true;
  let moved = 0;
  const limit = Math.max(1, Math.floor(a.length * share));
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i]! - b[i]!) > step && ++moved >= limit) return true;
  }
  return false;
}

/** Luma (BT.601, integer) of RGBA pixels. */
export function lumaOf(rgba: Uint8ClampedArray): Uint8Array {
  const out = new Uint8Array(rgba.length / 4);
  for (let i = 0, p = 0; p < out.length; i += 4, p++) {
    out[p] = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
  }
  return out;
}

/**
 * Whether a picture is one flat tone: `samples` of its pixels spread over
 * the whole of it (`bytesPerPixel` 1 for a luma plane, 4 for RGBA, whose
 * red, green and blue are each compared) lie within `tolerance` levels of
 * each other. A tab capture's first frame was once blank (the plan's tab not
 * painted yet): 520 bytes of white sent as the share's first still, the plan
 * a second later (scripts/bench/README.md, the weak link). ~16 k reads,
 * well under a millisecond, against the 2 M pixels a still is made of.
 */
export function uniformPicture(pixels: Uint8Array | Uint8ClampedArray, bytesPerPixel: 1 | 4, samples = 16_384, tolerance = 2): boolean {
  const count = Math.floor(pixels.length / bytesPerPixel);
  if (count === 0) return true;
  // An odd step, not a divisor of usual widths: the samples fall on every column and row, not on a few columns.
  const step = Math.max(1, Math.floor(count / samples)) | 1;
  const channels = bytesPerPixel === 4 ? 3 : 1;
  for (let c = 0; c < channels; c++) {
    let low = 255;
    let high = 0;
    for (let p = 0; p < count; p += step) {
      const value = pixels[p * bytesPerPixel + c]!;
      if (value < low) low = value;
      if (value > high) high = value;
      if (high - low > tolerance) return false;
    }
  }
  return true;
}

/**
 * Grey levels of a still: its luma posterised to 16 levels, which WebP's
 * lossless mode packs as a palette. Measured on test/plan.ts's 1920x1080
 * plan (scripts/bench/probes/stillEncoding.ts): 20 KB at 42 dB luma PSNR, against
 * 70 KB at 30 dB for lossy WebP at quality 0.1 and 211 KB at 48 dB at 0.9;
 * the weak link carries ~35 KB/s. The colours are lost (the stage says it
 * shows a still on a weak network): the drawing's lines and text are kept.
 */
export const STILL_GREY_LEVELS = 16;

/** Posterises RGBA pixels in place to `levels` grey levels of their luma. */
export function posterise(rgba: Uint8ClampedArray, levels = STILL_GREY_LEVELS): void {
  const step = 255 / (levels - 1);
  for (let i = 0; i < rgba.length; i += 4) {
    const grey = Math.round(Math.round(((rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8) / step) * step);
    rgba[i] = grey;
    rgba[i + 1] = grey;
    rgba[i + 2] = grey;
    rgba[i + 3] = 255;
  }
}

/**
 * A still's RGBA pixels from a frame's luma plane (the Y of a YUV frame):
 * `posterise` without the RGB detour, each Y through a 256-entry table.
 * Limited-range Y (16-235, what capture and video frames carry) is
 * stretched to 0-255 first. `rgba` holds y.length pixels.
 */
export function greyOfLuma(y: Uint8Array, fullRange: boolean, rgba: Uint8ClampedArray, levels = STILL_GREY_LEVELS): void {
  const step = 255 / (levels - 1);
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const luma = fullRange ? v : Math.min(255, Math.max(0, ((v - 16) * 255) / 219));
    table[v] = Math.round(Math.round(luma / step) * step);
  }
  // One 32-bit write a pixel (opaque grey reads the same in either byte order but for alpha: set per endianness).
  const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  const pixel = new Uint32Array(256);
  for (let v = 0; v < 256; v++) {
    const g = table[v]!;
    pixel[v] = littleEndian ? ((255 << 24) | (g << 16) | (g << 8) | g) >>> 0 : ((g << 24) | (g << 16) | (g << 8) | 255) >>> 0;
  }
  const out = new Uint32Array(rgba.buffer, rgba.byteOffset, y.length);
  for (let p = 0; p < y.length; p++) out[p] = pixel[y[p]!]!;
}

/**
 * When the sharer sends a new still: the screen changed since the last one
 * sent, and has settled (two probes in a row agree), at most one per
 * `minGapMs`. Fed one probe at a time; pure.
 */
export class StillSchedule {
  #sent: Uint8Array | null = null;
  #previous: Uint8Array | null = null;
  #sentAt = Number.NEGATIVE_INFINITY;
  readonly #minGapMs: number;

  constructor(minGapMs = 1_000) {
    this.#minGapMs = minGapMs;
  }

  /** Nothing sent yet (or since reset): the next probe is sent, whatever it shows. */
  get fresh(): boolean {
    return this.#sent === null;
  }

  /** A new probe of the screen at `now`: whether to send a still of it. */
  probe(luma: Uint8Array, now: number): boolean {
    const settled = this.#previous !== null && !lumaDiffers(this.#previous, luma);
    this.#previous = luma;
    const first = this.#sent === null;
    if (!first && (!settled || now - this.#sentAt < this.#minGapMs || !lumaDiffers(this.#sent!, luma))) return false;
    this.#sent = luma;
    this.#sentAt = now;
    return true;
  }

  /** Start again (the still is wanted anew: the first probe is sent at once). */
  reset(): void {
    this.#sent = null;
    this.#previous = null;
    this.#sentAt = Number.NEGATIVE_INFINITY;
  }
}
