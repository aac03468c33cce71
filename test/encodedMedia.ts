/**
 * Real media without a browser, for the recording's integration tests: a
 * tone encoded to Opus and a test picture encoded to VP8 by FFmpeg once
 * (a second of CPU), then sent as RTP at real-time pace by a producer on a
 * DirectTransport of the participant's router (as test/voices.ts's
 * microphones do), so that what the recorder writes decodes and is measured
 * (Goertzel, ffprobe). A video clip has one key frame, its first: the
 * sender answers a key frame request (PLI or FIR, which mediasoup sends to
 * a DirectTransport as RTCP) by starting its clip again, as a browser
 * answers with a key frame; so a recorder that gets pictures got them by
 * asking. A video sender switches clips at a key frame: a screen share
 * whose size changes mid-stream, as a resized window's does.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DirectTransport, Producer, RtpParameters } from 'mediasoup/types';
import type { ProducerAppData, Source } from '../sfu/src/mediaTypes.js';
import type { MediaPeer } from '../sfu/src/MediaPeer.js';
import type { MediaRoom } from '../sfu/src/MediaRoom.js';

const run = promisify(execFile);

/** One unit sent at once: an audio packet, or a video frame's packets. */
export interface Clip {
  kind: 'audio' | 'video';
  /** Each unit's payloads (one per RTP packet). */
  units: Buffer[][];
  /** Duration of a unit, in ms and in RTP clock ticks. */
  unitMs: number;
  ticks: number;
}

async function encode(args: string[], name: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'chantier-media-'));
  try {
    await run('nice', ['-n', '5', 'ffmpeg', '-v', 'error', '-y', ...args, join(dir, name)]);
    return await readFile(join(dir, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `seconds` of a sine at `hz` (amplitude 1/8), as 20-ms Opus packets. */
export async function opusTone(hz: number, seconds: number): Promise<Clip> {
  const ogg = await encode(
    ['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=${seconds}`, '-c:a', 'libopus', '-b:a', '48k', '-frame_duration', '20', '-f', 'ogg'],
    'tone.ogg',
  );
  // Ogg pages: a packet spans lacing values up to one below 255.
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  for (let pos = 0; pos + 27 <= ogg.length && ogg.toString('latin1', pos, pos + 4) === 'OggS'; ) {
    const count = ogg[pos + 26]!;
    let data = pos + 27 + count;
    for (const lace of ogg.subarray(pos + 27, pos + 27 + count)) {
      pending.push(ogg.subarray(data, data + lace));
      data += lace;
      if (lace < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    pos = data;
  }
  // OpusHead and OpusTags first.
  return { kind: 'audio', units: packets.slice(2).map((p) => [p]), unitMs: 20, ticks: 960 };
}

/** `seconds` of FFmpeg's test picture at `width`x`height`, 15 fps, VP8 with one key frame, the first. */
export async function vp8Picture(width: number, height: number, seconds: number): Promise<Clip> {
  const ivf = await encode(
    ['-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=15:duration=${seconds}`, '-pix_fmt', 'yuv420p', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '100000', '-f', 'ivf'],
    'picture.ivf',
  );
  const units: Buffer[][] = [];
  for (let pos = ivf.readUInt16LE(6); pos + 12 <= ivf.length; ) {
    const size = ivf.readUInt32LE(pos);
    const frame = ivf.subarray(pos + 12, pos + 12 + size);
    pos += 12 + size;
    // RFC 7741: a one-byte descriptor, S set on the frame's first packet (partition 0).
    const packets: Buffer[] = [];
    for (let at = 0; at < frame.length; at += 1000) packets.push(Buffer.concat([Buffer.from([at === 0 ? 0x10 : 0x00]), frame.subarray(at, at + 1000)]));
    units.push(packets);
  }
  return { kind: 'video', units, unitMs: 1000 / 15, ticks: 6000 };
}

function rtpParameters(kind: 'audio' | 'video', ssrc: number): RtpParameters {
  return kind === 'audio'
    ? { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] }
    : {
        codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] }],
        encodings: [{ ssrc }],
      };
}

let nextSsrc = 50_000;

/** Does this RTCP (compound) packet ask for a key frame (payload-specific feedback: PLI or FIR)? */
export function asksKeyFrame(rtcp: Buffer): boolean {
  for (let at = 0; at + 4 <= rtcp.length; at += 4 * (rtcp.readUInt16BE(at + 2) + 1)) {
    const format = rtcp[at]! & 0x1f;
    if (rtcp[at + 1] === 206 && (format === 1 || format === 4)) return true;
  }
  return false;
}

/** A participant's track sending a clip in a loop, at real-time pace, from its router. */
export class ClipSender {
  readonly producer: Producer<ProducerAppData>;
  readonly #transport: DirectTransport;
  readonly #ssrc: number;
  readonly #payloadType: number;
  #clip: Clip;
  #next = 0;
  #seq = 0;
  #timestamp = 0;
  #sentUnits = 0;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Key frame requests received (each answered by the clip's first frame). */
  keyFrameRequests = 0;

  private constructor(transport: DirectTransport, producer: Producer<ProducerAppData>, clip: Clip, ssrc: number) {
    this.#transport = transport;
    transport.on('rtcp', (rtcp) => {
      if (clip.kind !== 'video' || !asksKeyFrame(rtcp)) return;
      this.keyFrameRequests++;
      this.#next = 0;
    });
    this.producer = producer;
    this.#clip = clip;
    this.#ssrc = ssrc;
    this.#payloadType = producer.rtpParameters.codecs[0]!.payloadType;
  }

  /** A producer of `peer` (on its router), announced to the room as MediaPeer.produce does for a microphone. */
  static async create(room: MediaRoom, peer: MediaPeer, source: Source, clip: Clip): Promise<ClipSender> {
    const router = room.routers.get(peer.slot.index)?.router;
    if (!router) throw new Error(`no router of ${peer.id}`);
    const transport = await router.createDirectTransport();
    const ssrc = nextSsrc++;
    const producer = await transport.produce<ProducerAppData>({ kind: clip.kind, rtpParameters: rtpParameters(clip.kind, ssrc), appData: { peerId: peer.id, source } });
    if (source === 'mic') room.observeSpeaker(producer);
    return new ClipSender(transport, producer, clip, ssrc);
  }

  start(): this {
    this.#startedAt = performance.now();
    this.#timer = setInterval(() => this.#tick(), 10);
    return this;
  }

  /** From the next unit on, `clip` (from its start: a video clip's first frame is a key frame). */
  switchTo(clip: Clip): void {
    this.#clip = clip;
    this.#next = 0;
  }

  #tick(): void {
    const due = Math.floor((performance.now() - this.#startedAt) / this.#clip.unitMs);
    while (this.#sentUnits < due && !this.producer.closed) {
      const unit = this.#clip.units[this.#next]!;
      this.#next = (this.#next + 1) % this.#clip.units.length;
      unit.forEach((payload, i) => {
        const header = Buffer.alloc(12);
        header[0] = 0x80;
        header[1] = this.#payloadType | (i === unit.length - 1 && this.#clip.kind === 'video' ? 0x80 : 0);
        header.writeUInt16BE(this.#seq++ & 0xffff, 2);
        header.writeUInt32BE(this.#timestamp >>> 0, 4);
        header.writeUInt32BE(this.#ssrc, 8);
        this.producer.send(Buffer.concat([header, payload]));
      });
      this.#timestamp += this.#clip.ticks;
      this.#sentUnits++;
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#transport.close();
  }
}
