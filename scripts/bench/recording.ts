/**
 * The CPU cost of recording a 6-person meeting (issue 22): while it records,
 * per track (one FFmpeg copying RTP into WebM, recording/TrackWriter.ts), and
 * the final mix (recording/mix.ts: 6 voices mixed, the speaker's camera
 * as 1280x720 VP8). Six senders (FFmpeg, Opus tone + 640x360 VP8 at 15 fps,
 * 500 kb/s) feed PlainTransports of one router; the server's own consumers
 * feed the writers as in a meeting. The senders' encoding is not counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mediasoup from 'mediasoup';
import type { Consumer, PlainTransport, Producer, Router } from 'mediasoup/types';
import { mediaCodecs } from '../../sfu/src/codecs.js';
import { mixArgs } from '../../signaling/src/recording/mix.js';
import { PortPool } from '../../signaling/src/recording/ports.js';
import { monotonicMs, type SegmentInfo } from '../../signaling/src/recording/TrackRecorder.js';
import { trackSdp, TrackWriter } from '../../signaling/src/recording/TrackWriter.js';
import { machineBusySeconds, treeCpuSeconds } from './cpu.js';
import type { BenchResult } from './types.js';

export const name = 'recording';
export const description = 'recording a 6-person meeting: CPU per track while recording (FFmpeg -c copy), and of the final mix';

const PEOPLE = 6;
const RECORD_S = 30;
const silent = { info() {}, warn() {}, error() {}, debug() {}, child() { return silent; } } as never;

interface Sender {
  process: ChildProcess;
  audio: Producer;
  video: Producer;
  transports: PlainTransport[];
}

async function sender(router: Router, index: number): Promise<Sender> {
  const make = () => router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
  const [a, v] = await Promise.all([make(), make()]);
  const audioSsrc = 1111 + index;
  const videoSsrc = 2222 + index;
  const audio = await a.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: audioSsrc }] },
  });
  const video = await v.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] }],
      encodings: [{ ssrc: videoSsrc }],
    },
  });
  const url = (t: PlainTransport) => `rtp://127.0.0.1:${t.tuple.localPort}?rtcpport=${t.rtcpTuple!.localPort}`;
  const args = [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', `sine=frequency=${300 + 110 * index}:sample_rate=48000`,
    '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=15',
    '-map', '0:a', '-c:a', 'libopus', '-b:a', '32k', '-ssrc', String(audioSsrc), '-payload_type', '100', '-f', 'rtp', url(a),
    '-map', '1:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-g', '30',
    '-ssrc', String(videoSsrc), '-payload_type', '101', '-f', 'rtp', url(v),
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'ignore'] });
  return { process: child, audio, video, transports: [a, v] };
}

interface Track {
  kind: 'audio' | 'video';
  writer: TrackWriter;
  consumer: Consumer;
  segment: SegmentInfo;
  cpuStart: number;
}

async function record(router: Router, producer: Producer, dir: string, ports: PortPool, t0: number, peer: string): Promise<Track> {
  const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: false });
  const port = await ports.take();
  await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
  const codecs = (router.rtpCapabilities.codecs ?? [])
    .filter((c) => c.kind === producer.kind && !/rtx/i.test(c.mimeType))
    .map((c) => ({ ...c, rtcpFeedback: producer.kind === 'video' ? [{ type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] : [] }));
  const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: { codecs, headerExtensions: [] }, paused: true });
  const base = `${peer}-${producer.kind}`;
  const writer = await TrackWriter.start({
    ffmpeg: 'ffmpeg',
    sdp: trackSdp(producer.kind, port, consumer.rtpParameters.codecs[0]!, base),
    sdpPath: join(dir, `${base}.sdp`),
    outPath: join(dir, `${base}.webm`),
    port,
    log: silent,
  });
  const segment: SegmentInfo = { file: `${base}.webm`, kind: producer.kind, mimeType: consumer.rtpParameters.codecs[0]!.mimeType, peerId: peer, displayName: peer, source: producer.kind === 'audio' ? 'mic' : 'camera', startMs: null, endMs: null };
  consumer.on('trace', (trace) => {
    if (segment.startMs === null) segment.startMs = Math.max(0, trace.timestamp - t0);
  });
  await consumer.enableTraceEvent(producer.kind === 'audio' ? ['rtp'] : ['keyframe']);
  await consumer.resume();
  if (producer.kind === 'video') await consumer.requestKeyFrame();
  return { kind: producer.kind, writer, consumer, segment, cpuStart: treeCpuSeconds(writer.pid!) };
}

/** Runs the mix under /usr/bin/time; its user + system CPU seconds and wall seconds. */
function timedMix(args: readonly string[]): Promise<{ cpuS: number; wallS: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %U %S %e', 'nice', '-n', '10', 'ffmpeg', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.once('exit', (code) => {
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(err);
      if (code !== 0 || !m) reject(new Error(`mix failed: ${err.slice(-500)}`));
      else resolve({ cpuS: Number(m[1]) + Number(m[2]), wallS: Number(m[3]) });
    });
  });
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-bench-recording-'));
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const senders: Sender[] = [];
  try {
    const router = await worker.createRouter({ mediaCodecs });
    for (let i = 0; i < PEOPLE; i++) senders.push(await sender(router, i));
    const ports = new PortPool(23_000, 23_999);
    const t0 = monotonicMs();
    const tracks: Track[] = [];
    for (const [i, s] of senders.entries()) {
      tracks.push(await record(router, s.audio, dir, ports, t0, `p${i}`), await record(router, s.video, dir, ports, t0, `p${i}`));
    }
    const machineStart = machineBusySeconds();
    const began = monotonicMs();
    await new Promise((r) => setTimeout(r, RECORD_S * 1000));
    const windowS = (monotonicMs() - began) / 1000;
    const used = tracks.map((t) => ({ kind: t.kind, cpuS: treeCpuSeconds(t.writer.pid!) - t.cpuStart }));
    const machineS = machineBusySeconds() - machineStart;
    const durationMs = monotonicMs() - t0;
    await Promise.all(tracks.map(async (t) => {
      t.segment.endMs = durationMs;
      await t.writer.stop();
    }));
    const per = (kind: 'audio' | 'video') => {
      const list = used.filter((u) => u.kind === kind).map((u) => (100 * u.cpuS) / windowS);
      return { mean: list.reduce((a, b) => a + b, 0) / list.length, max: Math.max(...list) };
    };
    const audio = per('audio');
    const video = per('video');
    const segments = tracks.map((t) => t.segment);
    const speakers = senders.map((_, i) => ({ atMs: (i * durationMs) / PEOPLE, peerId: `p${i}` }));
    const { args } = mixArgs({ segments, speakers, durationMs, width: 1280, height: 720 }, segments.map((s) => join(dir, s.file)), join(dir, 'mix.webm'));
    const mix = await timedMix(args);
    const outS = durationMs / 1000;
    return {
      tables: [
        {
          title: `Recording a ${PEOPLE}-person meeting (${PEOPLE * 2} tracks, ${windowS.toFixed(0)} s window)`,
          columns: ['what', '% of one core (mean)', 'max', 'CPU-s per recorded minute'],
          rows: [
            ['writer per audio track (FFmpeg -c copy)', audio.mean.toFixed(2), audio.max.toFixed(2), ((audio.mean / 100) * 60).toFixed(2)],
            ['writer per video track (FFmpeg -c copy)', video.mean.toFixed(2), video.max.toFixed(2), ((video.mean / 100) * 60).toFixed(2)],
            ['all 12 writers', (6 * audio.mean + 6 * video.mean).toFixed(2), '', (((6 * audio.mean + 6 * video.mean) / 100) * 60).toFixed(2)],
          ],
          headline: true,
        },
        {
          title: 'Final mix (6 voices, speaker\'s camera at 1280x720 VP8, under nice)',
          columns: ['recorded s', 'mix CPU s', 'mix wall s', 'CPU-s per recorded minute'],
          rows: [[outS.toFixed(1), mix.cpuS.toFixed(2), mix.wallS.toFixed(2), ((mix.cpuS / outS) * 60).toFixed(1)]],
          headline: true,
        },
      ],
      notes: [
        `the machine used ${(machineS / windowS).toFixed(2)} cores during the window (senders' encoders included): figures on a shared machine are noisy`,
        'writers: CPU of each FFmpeg process from /proc over the window; start-up and probing excluded',
      ],
      data: { audio, video, mix, windowS, outS, machineS },
    };
  } finally {
    for (const s of senders) s.process.kill('SIGKILL');
    worker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
