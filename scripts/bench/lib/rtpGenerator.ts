/**
 * Load generator of the forwarding benchmark, run as a forked child of
 * forwardingPoint.ts: replays the recorded clip once per simulated publisher
 * at real-time pace (by RTP timestamp), each with its own SSRCs, sequence
 * numbers and timestamps, optionally SRTP-protected, to the publisher's
 * PlainTransport (comedia). No encoding: the generator costs little.
 * IPC: {cmd:'start', clip, publishers, maxMs} -> {started}; {cmd:'count'} ->
 * {sent}; {cmd:'stop'} -> {sent}, sockets closed. One generator serves many
 * points in turn (a start after a stop begins a new count); it exits when its
 * parent goes.
 */
import { createSocket, type Socket } from 'node:dgram';
import { parseClip, type ClipPacket } from './rtpClip.js';
import { makeProtect, type Protect, type SrtpSuite } from './srtpProtect.js';

export interface PublisherSpec {
  port: number;
  videoSsrc: number;
  audioSsrc: number;
  /** Spread of the publishers' starts, so that keyframes do not line up. */
  delayMs: number;
  srtp: { cryptoSuite: SrtpSuite; keyBase64: string } | null;
}

export type GeneratorCommand =
  | { cmd: 'start'; clip: string; publishers: PublisherSpec[]; maxMs: number }
  | { cmd: 'count' }
  | { cmd: 'stop' };

export type GeneratorReply = { started: true; clipMs: number } | { sent: number };

interface Publisher extends PublisherSpec {
  socket: Socket;
  next: number;
  startAt: number;
  videoSeq: number;
  audioSeq: number;
  videoTs: number;
  audioTs: number;
  protect: Protect | null;
}

let clip: ClipPacket[] = [];
let publishers: Publisher[] = [];
let sent = 0;
let running = false;
let stopAt = 0;
let timer: NodeJS.Timeout | undefined;

const reply = (message: GeneratorReply) => process.send?.(message);

function tick(): void {
  const now = performance.now();
  for (const p of publishers) {
    const elapsed = now - p.startAt;
    while (p.next < clip.length && clip[p.next]!.atMs <= elapsed) {
      const packet = clip[p.next++]!;
      const out = Buffer.from(packet.bytes);
      const seq = (packet.video ? p.videoSeq : p.audioSeq) + packet.relSeq;
      out.writeUInt16BE(seq & 0xffff, 2);
      out.writeUInt32BE(((packet.video ? p.videoTs : p.audioTs) + packet.relTs) >>> 0, 4);
      out.writeUInt32BE(packet.video ? p.videoSsrc : p.audioSsrc, 8);
      p.socket.send(p.protect ? p.protect(out, packet.headerLength, Math.floor(seq / 65536)) : out);
      sent++;
    }
  }
  if (now >= stopAt) running = false;
  if (running) timer = setTimeout(tick, 1);
}

let clipFile = '';

/** Stops sending and closes the publishers' sockets. */
function halt(): void {
  running = false;
  clearTimeout(timer);
  for (const p of publishers) p.socket.close();
  publishers = [];
}

async function start(command: Extract<GeneratorCommand, { cmd: 'start' }>): Promise<void> {
  // A point that failed before its stop leaves the last run going: it ends here, not alongside.
  halt();
  if (command.clip !== clipFile) {
    clip = parseClip(command.clip);
    clipFile = command.clip;
  }
  sent = 0;
  const clipMs = clip.at(-1)!.atMs;
  publishers = await Promise.all(
    command.publishers.map(async (spec): Promise<Publisher> => {
      const socket = createSocket({ type: 'udp4', sendBufferSize: 1 << 20 });
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      await new Promise<void>((resolve) => socket.connect(spec.port, '127.0.0.1', resolve));
      socket.on('message', () => {}); // the SFU's RTCP receiver reports: ignored
      socket.on('error', () => {}); // ICMP port unreachable after the worker closed
      return {
        ...spec,
        socket,
        next: 0,
        startAt: 0,
        videoSeq: Math.floor(Math.random() * 20_000),
        audioSeq: Math.floor(Math.random() * 20_000),
        videoTs: Math.floor(Math.random() * 2 ** 31),
        audioTs: Math.floor(Math.random() * 2 ** 31),
        protect: spec.srtp ? makeProtect(spec.srtp.cryptoSuite, spec.srtp.keyBase64) : null,
      };
    }),
  );
  const t0 = performance.now();
  for (const p of publishers) p.startAt = t0 + p.delayMs;
  stopAt = t0 + Math.min(command.maxMs, clipMs);
  running = true;
  reply({ started: true, clipMs });
  timer = setTimeout(tick, 1);
}

process.on('message', (command: GeneratorCommand) => {
  if (command.cmd === 'start') void start(command);
  else if (command.cmd === 'count') reply({ sent });
  else {
    halt();
    reply({ sent });
  }
});
process.on('disconnect', () => process.exit(0));
