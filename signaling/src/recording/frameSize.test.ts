import { describe, expect, it } from 'vitest';
import { frameSize, rtpPayload, sizeStep, spsSize } from './frameSize.js';

const hex = (s: string): number[] => s.split(/\s+/).filter(Boolean).map((b) => Number.parseInt(b, 16));

/** An RTP packet around `payload`; `extension` adds a one-byte header extension block, `padding` trailing padding. */
function rtp(payload: number[], options: { extension?: boolean; padding?: number } = {}): Uint8Array {
  const header = [0x80 | (options.extension ? 0x10 : 0) | (options.padding ? 0x20 : 0), 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 42];
  const extension = options.extension ? [0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0] : [];
  const padding = options.padding ? [...Array(options.padding - 1).fill(0), options.padding] : [];
  return Uint8Array.from([...header, ...extension, ...payload, ...padding]);
}

// The first bytes of real key frames, as FFmpeg's encoders (libvpx, libvpx-vp9, libx264) wrote them.
const VP8_320x180 = hex('30 51 00 9d 01 2a 40 01 b4 00 00 47 08 85');
const VP8_1280x720 = hex('90 77 01 9d 01 2a 00 05 d0 02 00 07 08 85');
/** Profile 0 (4:2:0, as browsers send). */
const VP9_1280x720 = hex('82 49 83 42 00 4f f0 2c f6 06 38 24');
/** Profile 1, RGB colour space (another color_config path). */
const VP9_320x180_RGB = hex('a2 49 83 42 e0 13 f0 0b 36 06 38 24');
/** High profile, 1366x768 (cropped from 86x48 macroblocks), with emulation prevention bytes. */
const SPS_1366x768 = hex('67 64 00 20 ac d9 40 56 06 1e 6f 01 10 00 00 03 00 10 00 00 03 01 e0 f1 83 19 60');
/** Constrained baseline, 640x360 (cropped from 40x23 macroblocks). */
const SPS_640x360 = hex('67 42 c0 16 d9 00 a0 2f f9 70 11 00 00 03 00 01 00 00 03 00 1e 0f 16 2e 48');

describe('rtpPayload', () => {
  it('skips the header, CSRCs and the extension block, and drops padding', () => {
    expect(rtpPayload(rtp([1, 2, 3]))).toEqual({ start: 12, end: 15 });
    expect(rtpPayload(rtp([1, 2, 3], { extension: true, padding: 4 }))).toEqual({ start: 20, end: 23 });
    expect(rtpPayload(Uint8Array.from([0x80, 96, 0]))).toBeUndefined();
    expect(rtpPayload(Uint8Array.from([0x00, ...Array(20).fill(0)]))).toBeUndefined(); // not version 2
  });
});

describe('frameSize, VP8', () => {
  it('reads a key frame’s size after a minimal or an extended payload descriptor', () => {
    expect(frameSize('video/VP8', rtp([0x10, ...VP8_320x180]))).toEqual({ width: 320, height: 180 });
    // X, I (15-bit picture id), L, T/K: as Chrome sends.
    expect(frameSize('video/vp8', rtp([0x90, 0xe0, 0x81, 0x23, 0x05, 0x20, ...VP8_1280x720], { extension: true }))).toEqual({ width: 1280, height: 720 });
  });

  it('answers nothing for a delta frame, a continuation packet or another partition', () => {
    const delta = [...VP8_320x180];
    delta[0]! |= 0x01;
    expect(frameSize('video/VP8', rtp([0x10, ...delta]))).toBeUndefined();
    expect(frameSize('video/VP8', rtp([0x00, ...VP8_320x180]))).toBeUndefined();
    expect(frameSize('video/VP8', rtp([0x11, ...VP8_320x180]))).toBeUndefined();
    expect(frameSize('video/VP8', rtp([0x10, 0x30, 0x51]))).toBeUndefined(); // truncated
  });
});

describe('frameSize, VP9', () => {
  it('reads the uncompressed header of a key frame (profiles 0 and 1)', () => {
    // B (begins a frame), I with a 15-bit picture id, not P.
    expect(frameSize('video/VP9', rtp([0x88, 0x81, 0x02, ...VP9_1280x720]))).toEqual({ width: 1280, height: 720 });
    expect(frameSize('video/VP9', rtp([0x08, ...VP9_320x180_RGB]))).toEqual({ width: 320, height: 180 });
  });

  it('prefers the scalability structure’s highest spatial layer when it gives sizes', () => {
    // B, V; SS: two spatial layers (N_S = 1), Y, no G; 640x360 then 1280x720; then the header (not read).
    const ss = [0x30, 0x02, 0x80, 0x01, 0x68, 0x05, 0x00, 0x02, 0xd0];
    expect(frameSize('video/VP9', rtp([0x0a, ...ss, ...VP9_320x180_RGB]))).toEqual({ width: 1280, height: 720 });
  });

  it('answers nothing for an inter frame, a frame’s later packet or an upper spatial layer', () => {
    expect(frameSize('video/VP9', rtp([0x48, ...VP9_1280x720]))).toBeUndefined(); // P
    expect(frameSize('video/VP9', rtp([0x00, ...VP9_1280x720]))).toBeUndefined(); // not B
    // L, non-flexible: layer index with SID 1, then TL0PICIDX.
    expect(frameSize('video/VP9', rtp([0x28, 0x02, 0x00, ...VP9_1280x720]))).toBeUndefined();
    const inter = [...VP9_1280x720];
    inter[0] = 0x86; // frame_type 1
    expect(frameSize('video/VP9', rtp([0x08, ...inter]))).toBeUndefined();
  });
});

describe('frameSize, H264', () => {
  it('reads the sequence parameter set, alone or in a STAP-A, cropping included', () => {
    expect(spsSize(Uint8Array.from([0x67, 0x42]))).toBeUndefined(); // truncated
    expect(frameSize('video/H264', rtp(SPS_640x360))).toEqual({ width: 640, height: 360 });
    const pps = hex('68 ce 3c 80');
    const stap = [0x18, 0, pps.length, ...pps, 0, SPS_1366x768.length, ...SPS_1366x768];
    expect(frameSize('video/h264', rtp(stap))).toEqual({ width: 1366, height: 768 });
  });

  it('answers nothing for other NAL units', () => {
    expect(frameSize('video/H264', rtp(hex('65 88 84 00 33')))).toBeUndefined(); // IDR slice
    expect(frameSize('video/H264', rtp(hex('7c 85 88 84')))).toBeUndefined(); // FU-A
    expect(frameSize('audio/opus', rtp(SPS_640x360))).toBeUndefined();
  });
});

describe('sizeStep', () => {
  it('cuts when a key frame’s size differs from the previous one, not at the first or at the same size', () => {
    const a = { width: 1280, height: 720 };
    const b = { width: 1920, height: 1080 };
    expect(sizeStep(undefined, a)).toEqual({ size: a, newSegment: false });
    expect(sizeStep(a, { ...a })).toEqual({ size: a, newSegment: false });
    expect(sizeStep(a, b)).toEqual({ size: b, newSegment: true });
    expect(sizeStep(b, { width: 1920, height: 1056 })).toMatchObject({ newSegment: true });
  });
});
