/**
 * One FFmpeg that writes one track as it comes, without transcoding: RTP from
 * a mediasoup PlainTransport on 127.0.0.1:port (RTCP on port + 1), described
 * by an SDP file, copied (-c copy) into WebM (Opus, VP8, VP9) or Matroska
 * (H264). Started and watched by the server: `exited` settles when FFmpeg
 * ends, whichever way; a death is logged and leaves the file as far as it
 * was written (clusters of CLUSTER_MS). stop() sends SIGINT, on which FFmpeg
 * writes the duration and the cues (exit code 255 then is normal); SIGKILL
 * if it does not end, as when no packet comes any more (STOP_GRACE_MS).
 *
 * Why one FFmpeg per track (not one per participant): with two streams,
 * FFmpeg switches each to RTCP time at its first SR and the later one's
 * timestamps jump back (shared/recipes/mediasoup-recording).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';

export interface TrackCodec {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number | undefined;
  parameters?: Record<string, unknown> | undefined;
}

/** The SDP FFmpeg reads: one m-line, receive only, RTCP on port + 1. */
export function trackSdp(kind: 'audio' | 'video', port: number, codec: TrackCodec, name: string): string {
  const encoding = codec.mimeType.split('/')[1]!;
  const rtpmap = kind === 'audio' ? `${encoding}/${codec.clockRate}/${codec.channels ?? 2}` : `${encoding}/${codec.clockRate}`;
  const fmtp = Object.entries(codec.parameters ?? {})
    .filter(([key]) => !key.startsWith('x-google'))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(';');
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    `s=${name.replace(/[^\w.-]/g, '_')}`,
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${rtpmap}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}

/** The container a codec is copied into, by file extension. */
export function containerFor(mimeType: string): 'webm' | 'mkv' {
  return /h264/i.test(mimeType) ? 'mkv' : 'webm';
}

/** The longest cluster written: what a killed writer may lose. */
export const CLUSTER_MS = 500;

/**
 * How long a stopped writer is given to finish its file before it is killed.
 * FFmpeg reads SIGINT between packets only: a writer whose packets stopped (its
 * sender left, its worker died) blocks in its read and never ends by itself; a
 * kill then loses its last cluster, not more.
 */
export const STOP_GRACE_MS = 1_500;

export function writerArgs(sdpPath: string, outPath: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel', 'warning',
    '-protocol_whitelist', 'file,udp,rtp',
    // FFmpeg learns a video's size from its first keyframe: probe long enough to see one.
    '-analyzeduration', '15000000',
    '-probesize', '15000000',
    '-buffer_size', String(2 * 1024 * 1024),
    '-i', sdpPath,
    '-map', '0',
    '-c', 'copy',
    '-f', outPath.endsWith('.mkv') ? 'matroska' : 'webm',
    // Written as it comes: the muxer holds a cluster in memory until it closes it, so
    // clusters of half a second at most; a killed writer loses no more than its last one.
    '-cluster_time_limit', String(CLUSTER_MS),
    '-flush_packets', '1',
    '-y', outPath,
  ];
}

/** Is something bound to this UDP port (FFmpeg listening)? Read from /proc, IPv4 and IPv6. */
async function udpBound(port: number): Promise<boolean> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    // Field 1 is local_address ("0100007F:55F0"); trimmed first: the slot number is padded only below 1000.
    if (text.split('\n').some((line) => `${line.trim().split(/\s+/)[1] ?? ''} `.includes(hex))) return true;
  }
  return false;
}

export interface WriterExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Ended by stop() (SIGINT), not by itself. */
  stopped: boolean;
}

export class TrackWriter {
  readonly outPath: string;
  readonly #process: ChildProcess;
  readonly #log: FastifyBaseLogger;
  readonly exited: Promise<WriterExit>;
  #stopping = false;
  #stderr = '';

  private constructor(process: ChildProcess, outPath: string, log: FastifyBaseLogger) {
    this.#process = process;
    this.outPath = outPath;
    this.#log = log;
    process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      // The last lines only, for the log when it dies.
      this.#stderr = (this.#stderr + chunk).slice(-2000);
    });
    this.exited = new Promise((resolve) => {
      process.once('error', (error) => {
        this.#log.error({ err: error }, 'recording writer could not run');
        resolve({ code: null, signal: null, stopped: this.#stopping });
      });
      process.once('exit', (code, signal) => {
        const stopped = this.#stopping;
        const stderr = this.#stderr.trim().split('\n').slice(-5);
        if (!stopped) this.#log.warn({ code, signal, stderr }, 'recording writer died: its file ends here');
        else if (signal === 'SIGKILL') this.#log.info({ stderr }, 'recording writer killed after its stop (no packets came): its file ends at its last cluster');
        else this.#log.debug({ code, signal }, 'recording writer ended');
        resolve({ code, signal, stopped });
      });
    });
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** Writes the SDP, starts FFmpeg and resolves once it listens on `port` (or rejects if it died first). */
  static async start(options: {
    ffmpeg: string;
    sdp: string;
    sdpPath: string;
    outPath: string;
    port: number;
    log: FastifyBaseLogger;
  }): Promise<TrackWriter> {
    await writeFile(options.sdpPath, options.sdp);
    const child = spawn(options.ffmpeg, writerArgs(options.sdpPath, options.outPath), { stdio: ['ignore', 'ignore', 'pipe'] });
    const writer = new TrackWriter(child, options.outPath, options.log);
    let done = false;
    void writer.exited.then(() => (done = true));
    const deadline = Date.now() + 10_000;
    while (!done && !(await udpBound(options.port))) {
      if (Date.now() > deadline) {
        writer.kill();
        throw new Error('recording writer did not listen in time');
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    if (done) throw new Error('recording writer exited at start');
    return writer;
  }

  /** SIGINT (FFmpeg finishes the file); SIGKILL after `graceMs`. Resolves when it has exited. */
  async stop(graceMs = STOP_GRACE_MS): Promise<WriterExit> {
    this.#stopping = true;
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill('SIGINT');
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    this.#stopping = true;
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill('SIGKILL');
  }
}
