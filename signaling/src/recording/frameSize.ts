/**
 * The picture size a video RTP packet announces, read from the bitstream
 * itself as Galène does, for a track whose resolution changes without a
 * simulcast layer change (a screen share whose window is resized, a camera
 * sent without simulcast): a new segment starts there (TrackRecorder).
 *
 * - VP8 (RFC 7741): a key frame's payload header carries its width and height.
 * - VP9 (RFC 9628): the scalability structure (V bit) of a key frame gives
 *   each spatial layer's size; failing that, the key frame's uncompressed
 *   header does (frame_size()).
 * - H264 (RFC 6184): the sequence parameter set (sent before each IDR
 *   picture, single or in a STAP-A) gives the macroblocks and the cropping.
 *
 * Only packets that start a key frame (or carry an SPS) answer; every other
 * packet gives undefined at the cost of a few byte reads.
 */

export interface FrameSize {
  width: number;
  height: number;
}

/** Where the RTP payload starts and ends (header, CSRCs, extension and padding skipped); undefined if malformed. */
export function rtpPayload(packet: Uint8Array): { start: number; end: number } | undefined {
  if (packet.length < 12 || packet[0]! >> 6 !== 2) return undefined;
  let start = 12 + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10) {
    if (packet.length < start + 4) return undefined;
    start += 4 + 4 * ((packet[start + 2]! << 8) | packet[start + 3]!);
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[end - 1]!;
  return start < end ? { start, end } : undefined;
}

/** Reads bits most significant first (VP9 headers, H264 exp-Golomb codes). */
class Bits {
  #bit = 0;
  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end = bytes.length,
  ) {
    this.#bit = start * 8;
  }

  u(count: number): number {
    let value = 0;
    for (let i = 0; i < count; i++) {
      const byte = this.#bit >> 3;
      if (byte >= this.end) throw new RangeError('truncated');
      value = value * 2 + ((this.bytes[byte]! >> (7 - (this.#bit & 7))) & 1);
      this.#bit++;
    }
    return value;
  }

  /** Unsigned exp-Golomb. */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new RangeError('bad exp-Golomb');
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed exp-Golomb. */
  se(): number {
    const k = this.ue();
    return k % 2 ? (k + 1) / 2 : -k / 2;
  }
}

function vp8Size(p: Uint8Array, start: number, end: number): FrameSize | undefined {
  let i = start;
  const first = p[i++]!;
  // S (start of partition) and partition index 0: the frame's first packet.
  if (!(first & 0x10) || (first & 0x07) !== 0) return undefined;
  if (first & 0x80) {
    const x = p[i++]!;
    if (x & 0x80) i += p[i]! & 0x80 ? 2 : 1; // picture id, 7 or 15 bits
    if (x & 0x40) i++; // TL0PICIDX
    if (x & 0x30) i++; // TID / KEYIDX
  }
  // Frame tag (P bit 0: key frame), start code 9d 01 2a, then 14-bit width and height, little-endian.
  if (i + 10 > end || p[i]! & 0x01 || p[i + 3] !== 0x9d || p[i + 4] !== 0x01 || p[i + 5] !== 0x2a) return undefined;
  const width = (p[i + 6]! | (p[i + 7]! << 8)) & 0x3fff;
  const height = (p[i + 8]! | (p[i + 9]! << 8)) & 0x3fff;
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** A VP9 key frame's uncompressed header, up to frame_size(). */
function vp9HeaderSize(p: Uint8Array, start: number, end: number): FrameSize | undefined {
  const b = new Bits(p, start, end);
  if (b.u(2) !== 2) return undefined; // frame_marker
  const profile = b.u(1) + 2 * b.u(1);
  if (profile === 3) b.u(1);
  if (b.u(1)) return undefined; // show_existing_frame
  if (b.u(1) !== 0) return undefined; // frame_type: not a key frame
  b.u(2); // show_frame, error_resilient_mode
  if (b.u(24) !== 0x498342) return undefined; // frame_sync_code
  if (profile >= 2) b.u(1); // ten_or_twelve_bit
  const colorSpace = b.u(3);
  if (colorSpace !== 7) {
    b.u(1); // color_range
    if (profile === 1 || profile === 3) b.u(3); // subsampling_x, subsampling_y, reserved_zero
  } else if (profile === 1 || profile === 3) {
    b.u(1); // reserved_zero
  }
  return { width: b.u(16) + 1, height: b.u(16) + 1 };
}

function vp9Size(p: Uint8Array, start: number, end: number): FrameSize | undefined {
  let i = start;
  const d = p[i++]!;
  const [I, P, L, F, B, , V] = [0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02].map((m) => (d & m) !== 0);
  // A key frame's first packet: begins a frame (B) that is not predicted from another picture (P).
  if (!B || P) return undefined;
  if (I) i += p[i]! & 0x80 ? 2 : 1;
  let spatial = 0;
  if (L) {
    spatial = (p[i]! >> 1) & 0x07;
    i += F ? 1 : 2; // layer index, and TL0PICIDX in non-flexible mode
  }
  if (spatial !== 0) return undefined; // the base layer's first packet carries the structure
  if (V) {
    const ss = p[i++]!;
    const layers = (ss >> 5) + 1;
    // Y: each spatial layer's size; the highest one is the picture's.
    if (ss & 0x10 && i + 4 * layers <= end) {
      const last = i + 4 * (layers - 1);
      return { width: (p[last]! << 8) | p[last + 1]!, height: (p[last + 2]! << 8) | p[last + 3]! };
    }
    if (ss & 0x10) return undefined;
    if (ss & 0x08) {
      const groups = p[i++]!;
      for (let g = 0; g < groups && i < end; g++) i += 1 + (p[i]! >> 2 & 0x03);
    }
  }
  try {
    return vp9HeaderSize(p, i, end);
  } catch {
    return undefined;
  }
}

/** An SPS's NAL unit (header byte included) with its emulation prevention bytes removed. */
function unescape(p: Uint8Array, start: number, end: number): Uint8Array {
  const out: number[] = [];
  for (let i = start; i < end; i++) {
    if (i >= start + 2 && p[i] === 0x03 && p[i - 1] === 0 && p[i - 2] === 0) continue;
    out.push(p[i]!);
  }
  return Uint8Array.from(out);
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** The picture size of an H264 sequence parameter set (its NAL header byte first). */
export function spsSize(nal: Uint8Array): FrameSize | undefined {
  try {
    const b = new Bits(nal, 1);
    const profile = b.u(8);
    b.u(16); // constraint flags, level_idc
    b.ue(); // seq_parameter_set_id
    let chroma = 1;
    if (HIGH_PROFILES.has(profile)) {
      chroma = b.ue();
      if (chroma === 3) b.u(1);
      b.ue();
      b.ue();
      b.u(1);
      if (b.u(1)) {
        for (let list = 0; list < (chroma === 3 ? 12 : 8); list++) {
          if (!b.u(1)) continue;
          let last = 8;
          let next = 8;
          for (let j = 0; j < (list < 6 ? 16 : 64); j++) {
            if (next !== 0) next = (last + b.se() + 256) % 256;
            last = next === 0 ? last : next;
          }
        }
      }
    }
    b.ue(); // log2_max_frame_num_minus4
    const pocType = b.ue();
    if (pocType === 0) b.ue();
    else if (pocType === 1) {
      b.u(1);
      b.se();
      b.se();
      const cycle = b.ue();
      for (let k = 0; k < cycle; k++) b.se();
    }
    b.ue(); // max_num_ref_frames
    b.u(1);
    const widthMbs = b.ue() + 1;
    const heightUnits = b.ue() + 1;
    const frameMbsOnly = b.u(1);
    if (!frameMbsOnly) b.u(1);
    b.u(1); // direct_8x8_inference_flag
    let crop = [0, 0, 0, 0];
    if (b.u(1)) crop = [b.ue(), b.ue(), b.ue(), b.ue()];
    const unitX = chroma === 0 || chroma === 3 ? 1 : 2;
    const unitY = (chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
    const width = widthMbs * 16 - unitX * (crop[0]! + crop[1]!);
    const height = (2 - frameMbsOnly) * heightUnits * 16 - unitY * (crop[2]! + crop[3]!);
    return width > 0 && height > 0 ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}

function h264Size(p: Uint8Array, start: number, end: number): FrameSize | undefined {
  const type = p[start]! & 0x1f;
  if (type === 7) return spsSize(unescape(p, start, end));
  if (type === 24) {
    // STAP-A: 16-bit sizes, each followed by its NAL unit.
    for (let i = start + 1; i + 2 < end; ) {
      const size = (p[i]! << 8) | p[i + 1]!;
      const nal = i + 2;
      if (size === 0 || nal + size > end) return undefined;
      if ((p[nal]! & 0x1f) === 7) return spsSize(unescape(p, nal, nal + size));
      i = nal + size;
    }
  }
  return undefined;
}

/** The size announced by this RTP packet of `mimeType` (video/VP8, video/VP9, video/H264), if it starts a key frame. */
export function frameSize(mimeType: string, packet: Uint8Array): FrameSize | undefined {
  const payload = rtpPayload(packet);
  if (!payload) return undefined;
  const { start, end } = payload;
  const codec = mimeType.toLowerCase();
  if (codec === 'video/vp8') return vp8Size(packet, start, end);
  if (codec === 'video/vp9') return vp9Size(packet, start, end);
  if (codec === 'video/h264') return h264Size(packet, start, end);
  return undefined;
}

/**
 * What a key frame of `seen` size means for the segment being written at
 * `current` (undefined: no key frame seen yet): a different size is a new
 * segment. Compared with the previous key frame, not the segment's first
 * picture: the key frames that come while the next segment starts keep
 * the new size and cut nothing more.
 */
export function sizeStep(current: FrameSize | undefined, seen: FrameSize): { size: FrameSize; newSegment: boolean } {
  const newSegment = current !== undefined && (current.width !== seen.width || current.height !== seen.height);
  return { size: seen, newSegment };
}
