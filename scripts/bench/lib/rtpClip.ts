/**
 * A clip of real RTP for the forwarding benchmark: ffmpeg encodes a test
 * pattern as VP8 640x360 at 30 fps (~500 kbps) and a tone as Opus (20 ms
 * frames) and sends RTP to two sockets here; every packet is kept. The
 * generator replays the clip per publisher at real-time pace by RTP
 * timestamp, so no encoder runs during a measurement. ffmpeg runs faster
 * than real time (no -re): the pacing comes from the timestamps, not from
 * arrival times. A gap in the sequence numbers (a packet lost on loopback)
 * fails the recording.
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';

export const VIDEO_PAYLOAD_TYPE = 101;
export const AUDIO_PAYLOAD_TYPE = 100;

export interface ClipPacket {
  video: boolean;
  /** The original packet; sequence number, timestamp and SSRC are rewritten per publisher. */
  bytes: Buffer;
  /** Fixed header + CSRCs + header extension: what SRTP leaves in clear. */
  headerLength: number;
  /** Sequence number and timestamp relative to the first packet of the same kind. */
  relSeq: number;
  relTs: number;
  /** When to send it, in ms from the publisher's start. */
  atMs: number;
}

function headerLength(packet: Buffer): number {
  let length = 12 + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10) length += 4 + 4 * packet.readUInt16BE(length + 2);
  return length;
}

/** File format: per packet, 1 byte kind (1 video, 0 audio), 4 bytes length (LE), the bytes. */
export function parseClip(file: string): ClipPacket[] {
  const raw = readFileSync(file);
  const packets: { video: boolean; bytes: Buffer }[] = [];
  for (let offset = 0; offset < raw.length; ) {
    const video = raw.readUInt8(offset) === 1;
    const length = raw.readUInt32LE(offset + 1);
    packets.push({ video, bytes: raw.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  const clip: ClipPacket[] = [];
  for (const video of [false, true]) {
    const ofKind = packets.filter((p) => p.video === video);
    const first = ofKind[0];
    if (!first) throw new Error(`clip has no ${video ? 'video' : 'audio'} packet`);
    const seq0 = first.bytes.readUInt16BE(2);
    const ts0 = first.bytes.readUInt32BE(4);
    const clockKhz = video ? 90 : 48;
    for (const p of ofKind) {
      const relTs = (p.bytes.readUInt32BE(4) - ts0) >>> 0;
      clip.push({
        video,
        bytes: p.bytes,
        headerLength: headerLength(p.bytes),
        relSeq: (p.bytes.readUInt16BE(2) - seq0 + 65536) % 65536,
        relTs,
        atMs: relTs / clockKhz,
      });
    }
  }
  return clip.sort((a, b) => a.atMs - b.atMs || a.relSeq - b.relSeq);
}

async function listen(onPacket: (bytes: Buffer) => void): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  socket.on('message', (bytes) => {
    const payloadType = bytes[1]! & 0x7f;
    if (payloadType >= 72 && payloadType <= 79) return; // RTCP sender reports
    onPacket(Buffer.from(bytes));
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr.slice(0, 500)}`))));
  });
}

/** Records `seconds` of RTP into `file`; returns packets per second of each kind. */
export async function recordClip(file: string, seconds: number): Promise<{ videoPps: number; audioPps: number; videoKbps: number }> {
  const video: Buffer[] = [];
  const audio: Buffer[] = [];
  const videoSocket = await listen((b) => video.push(b));
  const audioSocket = await listen((b) => audio.push(b));
  try {
    const { port: videoPort } = videoSocket.address();
    const { port: audioPort } = audioSocket.address();
    await Promise.all([
      run(['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds}`, '-c:v', 'libvpx', '-deadline', 'realtime',
        '-cpu-used', '8', '-b:v', '500k', '-maxrate', '550k', '-bufsize', '250k', '-g', '60', '-pix_fmt', 'yuv420p',
        '-payload_type', String(VIDEO_PAYLOAD_TYPE), '-f', 'rtp', `rtp://127.0.0.1:${videoPort}?pkt_size=1200`]),
      run(['-f', 'lavfi', '-i', `sine=frequency=440:beep_factor=4:sample_rate=48000:duration=${seconds}`, '-ac', '2', '-c:a', 'libopus',
        '-b:a', '32k', '-frame_duration', '20', '-payload_type', String(AUDIO_PAYLOAD_TYPE), '-f', 'rtp', `rtp://127.0.0.1:${audioPort}?pkt_size=1200`]),
    ]);
    // Let the last datagrams arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    videoSocket.close();
    audioSocket.close();
  }
  for (const [kind, packets] of [['video', video], ['audio', audio]] as const) {
    if (packets.length === 0) throw new Error(`recorded no ${kind} packet`);
    for (let i = 1; i < packets.length; i++) {
      if (((packets[i]!.readUInt16BE(2) - packets[i - 1]!.readUInt16BE(2) + 65536) % 65536) !== 1) {
        throw new Error(`recorded ${kind} has a gap or reordering at packet ${i}`);
      }
    }
  }
  const parts: Buffer[] = [];
  for (const [isVideo, packets] of [[1, video], [0, audio]] as const) {
    for (const bytes of packets) {
      const head = Buffer.alloc(5);
      head.writeUInt8(isVideo, 0);
      head.writeUInt32LE(bytes.length, 1);
      parts.push(head, bytes);
    }
  }
  writeFileSync(file, Buffer.concat(parts));
  const spanMs = (packets: Buffer[], khz: number) => ((packets.at(-1)!.readUInt32BE(4) - packets[0]!.readUInt32BE(4)) >>> 0) / khz;
  const videoMs = spanMs(video, 90);
  return {
    videoPps: (video.length * 1000) / videoMs,
    audioPps: (audio.length * 1000) / spanMs(audio, 48),
    videoKbps: (video.reduce((sum, b) => sum + b.length, 0) * 8) / videoMs,
  };
}
