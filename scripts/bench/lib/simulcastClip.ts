/**
 * Pre-recorded media for bots that publish without encoding: ffmpeg encodes
 * a test pattern once into VP8 at three resolutions (the simulcast layers)
 * and Opus, sends the RTP to sockets here, and every packet is kept with its
 * arrival time in a file under the system's temp dir (reused by later runs).
 * A replay then sends those packets at real-time pace, per publisher, with
 * its own SSRCs, sequence numbers and timestamps (the clip loops seamlessly:
 * timestamps keep increasing, it starts on a key frame).
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The simulcast layers, lowest first (as browsers send them). */
export const VIDEO_LAYERS = [
  { width: 160, height: 90, kbps: 80 },
  { width: 320, height: 180, kbps: 200 },
  { width: 640, height: 360, kbps: 500 },
] as const;
const AUDIO_KBPS = 32;
const CLIP_SECONDS = 16;
const FPS = 30;
/** Bumped when the recording changes, so that a stale cached file is not reused. */
const CLIP_FILE = join(tmpdir(), `chantier-bench-clip-v1-${CLIP_SECONDS}s.bin`);

/** Stream 0 is audio, 1..3 the video layers. */
export interface ClipPacket {
  stream: number;
  /** Milliseconds from the clip's start (from the RTP timestamp). */
  tMs: number;
  /** RTP timestamp relative to the stream's first packet. */
  relTs: number;
  /** Sequence number relative to the stream's first packet. */
  relSeq: number;
  marker: boolean;
  payload: Buffer;
}

export interface Clip {
  packets: ClipPacket[];
  /** Length of one loop, milliseconds. */
  durationMs: number;
  /** Packets per stream in one loop. */
  perStream: number[];
}

function rtpHeaderLength(buf: Buffer): number {
  let length = 12 + 4 * (buf[0]! & 0x0f);
  if (buf[0]! & 0x10) length += 4 + 4 * buf.readUInt16BE(length + 2);
  return length;
}

async function record(): Promise<Buffer> {
  const captured: Array<{ stream: number; buf: Buffer }> = [];
  const sockets = await Promise.all(
    [0, 1, 2, 3].map(async (stream) => {
      const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
      socket.on('message', (msg) => {
        const pt = msg[1]! & 0x7f;
        if (pt >= 72 && pt <= 78) return; // RTCP
        captured.push({ stream, buf: Buffer.from(msg) });
      });
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      return socket;
    }),
  );
  const port = (i: number): number => sockets[i]!.address().port;
  const source = `testsrc2=size=640x360:rate=${FPS}:duration=${CLIP_SECONDS}`;
  const videoArgs = VIDEO_LAYERS.flatMap((layer, i) => [
    '-map', '0:v', `-s:v:0`, `${layer.width}x${layer.height}`,
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', `${layer.kbps}k`,
    '-maxrate', `${Math.round(layer.kbps * 1.1)}k`, '-bufsize', `${Math.round(layer.kbps / 2)}k`,
    '-g', String(FPS * 2), '-keyint_min', String(FPS * 2), '-pix_fmt', 'yuv420p', '-payload_type', '96', '-ssrc', String(1000 + i),
    '-f', 'rtp', `rtp://127.0.0.1:${port(i + 1)}?pkt_size=1200`,
  ]);
  const run = (args: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), (CLIP_SECONDS + 30) * 1000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`ffmpeg exited ${code}: ${err}`));
      });
    });
  await Promise.all([
    run(['-f', 'lavfi', '-i', source, ...videoArgs]),
    run([
      '-f', 'lavfi', '-i', `sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${CLIP_SECONDS}`,
      '-ac', '2', '-c:a', 'libopus', '-b:a', `${AUDIO_KBPS}k`, '-frame_duration', '20', '-payload_type', '111', '-ssrc', '999',
      '-f', 'rtp', `rtp://127.0.0.1:${port(0)}?pkt_size=1200`,
    ]),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const socket of sockets) socket.close();
  const parts: Buffer[] = [];
  for (const p of captured) {
    const head = Buffer.alloc(5);
    head.writeUInt8(p.stream, 0);
    head.writeUInt32LE(p.buf.length, 1);
    parts.push(head, p.buf);
  }
  return Buffer.concat(parts);
}

function parse(raw: Buffer): Clip {
  const byStream: Array<Array<{ buf: Buffer }>> = [[], [], [], []];
  for (let o = 0; o < raw.length; ) {
    const stream = raw.readUInt8(o);
    const length = raw.readUInt32LE(o + 1);
    byStream[stream]!.push({ buf: raw.subarray(o + 5, o + 5 + length) });
    o += 5 + length;
  }
  const packets: ClipPacket[] = [];
  let durationMs = 0;
  for (const [stream, list] of byStream.entries()) {
    if (list.length === 0) throw new Error(`the recorded clip has no packets for stream ${stream}`);
    const seq0 = list[0]!.buf.readUInt16BE(2);
    const ts0 = list[0]!.buf.readUInt32BE(4);
    const rate = stream === 0 ? 48 : 90;
    for (const { buf } of list) {
      const relTs = (buf.readUInt32BE(4) - ts0) >>> 0;
      packets.push({
        stream,
        tMs: relTs / rate,
        relTs,
        relSeq: (buf.readUInt16BE(2) - seq0 + 65536) % 65536,
        marker: (buf[1]! & 0x80) !== 0,
        payload: buf.subarray(rtpHeaderLength(buf)),
      });
    }
    // One frame (or audio packet) past the last one: the loop's length.
    durationMs = Math.max(durationMs, packets.at(-1)!.tMs + (stream === 0 ? 20 : 1000 / FPS));
  }
  packets.sort((a, b) => a.tMs - b.tMs || a.stream - b.stream || a.relSeq - b.relSeq);
  return { packets, durationMs, perStream: byStream.map((list) => list.length) };
}

/** The clip, recorded once (about CLIP_SECONDS s of ffmpeg) and then read from the temp dir. */
export async function loadClip(): Promise<Clip> {
  if (!existsSync(CLIP_FILE)) {
    const raw = await record();
    writeFileSync(`${CLIP_FILE}.part`, raw);
    renameSync(`${CLIP_FILE}.part`, CLIP_FILE);
  }
  return parse(readFileSync(CLIP_FILE));
}

/** Where a replayed stream goes: its SSRC and payload type, and how to send one packet. */
export interface StreamTarget {
  ssrc: number;
  payloadType: number;
}

export interface ReplaySink {
  /** The four streams (audio, then video layers lowest first); null: not sent. */
  streams: Array<StreamTarget | null>;
  send(stream: number, header: { payloadType: number; ssrc: number; sequenceNumber: number; timestamp: number; marker: boolean }, payload: Buffer): void;
}

interface Publisher {
  sink: ReplaySink;
  startedAt: number;
  /** Next packet index in the clip, and loops done. */
  index: number;
  loop: number;
  seq: number[];
  tsBase: number[];
  sent: number;
  sentByStream: number[];
}

/**
 * Replays the clip for many publishers from one timer (every few ms, each
 * publisher's due packets), so that the load generator stays cheap.
 */
export class Replayer {
  readonly #clip: Clip;
  readonly #publishers = new Set<Publisher>();
  #timer: NodeJS.Timeout | undefined;

  constructor(clip: Clip) {
    this.#clip = clip;
  }

  /** Starts a publisher; `offsetMs` spreads publishers over the clip (key frames not all at once). */
  add(sink: ReplaySink, offsetMs = 0): { sent: () => number; stop: () => void } {
    const publisher: Publisher = {
      sink,
      startedAt: performance.now() - (offsetMs % this.#clip.durationMs),
      index: 0,
      loop: 0,
      seq: [0, 1, 2, 3].map(() => Math.floor(Math.random() * 30_000)),
      tsBase: [0, 1, 2, 3].map(() => Math.floor(Math.random() * 2 ** 31)),
      sent: 0,
      sentByStream: [0, 0, 0, 0],
    };
    // Skip what the offset has already "played".
    const elapsed = performance.now() - publisher.startedAt;
    while (publisher.index < this.#clip.packets.length && this.#clip.packets[publisher.index]!.tMs < elapsed) publisher.index++;
    this.#publishers.add(publisher);
    this.#timer ??= setInterval(() => this.#tick(), 5);
    return { sent: () => publisher.sent, stop: () => this.#publishers.delete(publisher) };
  }

  /** Packets sent so far by the publishers running now, per stream (audio, then the video layers). */
  sentByStream(): number[] {
    const totals = [0, 0, 0, 0];
    for (const p of this.#publishers) p.sentByStream.forEach((n, i) => (totals[i]! += n));
    return totals;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#publishers.clear();
  }

  #tick(): void {
    const now = performance.now();
    const { packets, durationMs } = this.#clip;
    for (const p of this.#publishers) {
      for (;;) {
        if (p.index >= packets.length) {
          p.index = 0;
          p.loop++;
        }
        const packet = packets[p.index]!;
        if (p.startedAt + p.loop * durationMs + packet.tMs > now) break;
        p.index++;
        const target = p.sink.streams[packet.stream];
        if (!target) continue;
        const rate = packet.stream === 0 ? 48 : 90;
        p.seq[packet.stream] = (p.seq[packet.stream]! + 1) & 0xffff;
        p.sink.send(
          packet.stream,
          {
            payloadType: target.payloadType,
            ssrc: target.ssrc,
            sequenceNumber: p.seq[packet.stream]!,
            timestamp: (p.tsBase[packet.stream]! + packet.relTs + Math.round(p.loop * durationMs * rate)) >>> 0,
            marker: packet.marker,
          },
          packet.payload,
        );
        p.sent++;
        p.sentByStream[packet.stream]!++;
      }
    }
  }
}
