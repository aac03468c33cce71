/**
 * The power of one frequency in a window of PCM samples (Goertzel's
 * algorithm), in dBFS: a full-scale sine gives about -3 dB... 0 dB depending
 * on window alignment; silence far below -60. The recording tests and the
 * bench check with it that each participant's tone is in the mix while they
 * were there, and absent otherwise.
 */

/** dBFS of `frequency` in samples[from, to) (floats in -1..1, at `sampleRate`). */
export function goertzelDb(samples: Float32Array, sampleRate: number, frequency: number, from = 0, to = samples.length): number {
  const n = to - from;
  if (n <= 0) return -Infinity;
  const k = Math.round((n * frequency) / sampleRate);
  const w = (2 * Math.PI * k) / n;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = samples[i]! + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // A sine of amplitude A gives power (A n / 2)^2: normalised so that A = 1 reads 0 dB.
  const amplitude = (2 * Math.sqrt(Math.max(power, 0))) / n;
  return 20 * Math.log10(amplitude || 1e-12);
}

/** dBFS of each frequency over consecutive windows of `windowS` seconds. */
export function toneLevels(
  samples: Float32Array,
  sampleRate: number,
  frequencies: readonly number[],
  windowS: number,
): Array<{ t: number; db: number[] }> {
  const size = Math.round(windowS * sampleRate);
  const out: Array<{ t: number; db: number[] }> = [];
  for (let from = 0; from + size <= samples.length; from += size) {
    out.push({ t: from / sampleRate, db: frequencies.map((f) => goertzelDb(samples, sampleRate, f, from, from + size)) });
  }
  return out;
}

/** 16-bit little-endian PCM (ffmpeg -f s16le) as floats. */
export function pcm16ToFloat(buffer: Buffer): Float32Array {
  const out = new Float32Array(Math.floor(buffer.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = buffer.readInt16LE(i * 2) / 32768;
  return out;
}
