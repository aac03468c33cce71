/**
 * One measurement point of the forwarding benchmark, in its own process so
 * that every point gets a fresh worker of the binary it names:
 *
 *   taskset -c 0 node --import tsx scripts/bench/lib/forwardingPoint.ts \
 *     --worker <mediasoup-worker> --clip <clip file> --sink <sink binary> \
 *     --mode rooms|fanout --size <R or N> --srtp none|AES_CM_128_HMAC_SHA1_80|AEAD_AES_128_GCM|AEAD_AES_256_GCM \
 *     [--cpu 1] [--spread-ms 1000] [--warm-ms 2000] [--window-ms 3000]
 *
 * Topology on one worker pinned to CPU `--cpu` (taskset): "rooms" = R
 * routers of 6 participants, each publishing VP8 + Opus on a comedia
 * PlainTransport and consuming the other 5 on its own PlainTransport; "fanout"
 * = 1 publisher consumed by N subscribers. Every subscriber transport sends to
 * its own socket of the C sink. SRTP (when asked) is on both sides, as WebRTC
 * does: publishers' packets are protected by the generator and unprotected by
 * the worker, consumers' packets are protected by the worker. This process,
 * the generator and the sink run on the other CPU (the caller pins this one;
 * its children inherit it). Prints one line "RESULT <json>" (PointResult).
 */
import { fork, spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type * as Mediasoup from 'mediasoup';
import { treeCpuSeconds } from '../cpu.js';
import { sleep, withTimeout } from '../stats.js';
import type { GeneratorCommand, GeneratorReply, PublisherSpec } from './rtpGenerator.js';
import { AUDIO_PAYLOAD_TYPE, VIDEO_PAYLOAD_TYPE } from './rtpClip.js';
import { randomKeyBase64, type SrtpSuite } from './srtpProtect.js';

export type Mode = 'rooms' | 'fanout';
export type Suite = 'none' | SrtpSuite;

export interface PointResult {
  mode: Mode;
  size: number;
  suite: Suite;
  publishers: number;
  subscribers: number;
  consumers: number;
  /** Packets per second sent by the generator, forwarded as received by the sink, and expected (sent × fan-out). */
  inPps: number;
  fwdPps: number;
  expectedPps: number;
  /**
   * 1 − received ÷ (sent × fan-out) over the whole run, counted after the
   * generator stopped and the pipes drained, in %. (Over the window alone, a
   * backlog queued before it and drained during it can make loss negative on
   * a loaded machine: windowLossPct.)
   */
  lossPct: number;
  windowLossPct: number;
  /** Share of one core the worker used over the window. */
  workerCores: number;
  /** Microseconds of worker CPU per forwarded packet. */
  usPerPacket: number;
  /** Forwarded packets per second per core of worker CPU (= 10^6 ÷ µs per packet). */
  ppsPerCore: number;
  sinkDrops: number;
  /** Share of a core used by the generator and by this process (CPU 0 must not be the bottleneck). */
  generatorCores: number;
  windowSeconds: number;
}

const { values: args } = parseArgs({
  options: {
    worker: { type: 'string' },
    clip: { type: 'string' },
    sink: { type: 'string' },
    mode: { type: 'string' },
    size: { type: 'string' },
    srtp: { type: 'string', default: 'none' },
    cpu: { type: 'string', default: '1' },
    'spread-ms': { type: 'string', default: '1000' },
    'warm-ms': { type: 'string', default: '2000' },
    'window-ms': { type: 'string', default: '3000' },
  },
});

const SUITES: readonly Suite[] = ['none', 'AES_CM_128_HMAC_SHA1_80', 'AEAD_AES_128_GCM', 'AEAD_AES_256_GCM'];
function required(name: string, value: string | undefined): string {
  if (!value) throw new Error(`--${name} is required`);
  return value;
}
const workerPath = required('worker', args.worker);
const clipFile = required('clip', args.clip);
const sinkPath = required('sink', args.sink);
const mode = required('mode', args.mode) as Mode;
if (mode !== 'rooms' && mode !== 'fanout') throw new Error('--mode is rooms or fanout');
const size = Number(required('size', args.size));
if (!Number.isInteger(size) || size < 1 || size > 2000) throw new Error('--size is an integer in 1..2000');
const suite = args.srtp as Suite;
if (!SUITES.includes(suite)) throw new Error(`--srtp is one of ${SUITES.join(', ')}`);
const spreadMs = Number(args['spread-ms']);
const warmMs = Number(args['warm-ms']);
const windowMs = Number(args['window-ms']);

// mediasoup reads the binary's path when it is first loaded.
process.env['MEDIASOUP_WORKER_BIN'] = workerPath;
const mediasoup: typeof Mediasoup = await import('mediasoup');

const srtpParameters = (): Mediasoup.types.SrtpParameters | undefined =>
  suite === 'none' ? undefined : { cryptoSuite: suite, keyBase64: randomKeyBase64(suite) };

const children: ChildProcess[] = [];
function cleanUp(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', cleanUp);

// ------------------------------------------------------------------- sink
const subscriberCount = mode === 'rooms' ? 6 * size : size;
const sink = spawn(sinkPath, [String(subscriberCount), String(1 << 20)], { stdio: ['pipe', 'pipe', 'inherit'] });
children.push(sink);
const sinkLines: ((line: string) => void)[] = [];
createInterface({ input: sink.stdout! }).on('line', (line) => sinkLines.shift()?.(line));
const sinkLine = (command?: string) =>
  withTimeout(
    new Promise<string>((resolve) => {
      sinkLines.push(resolve);
      if (command) sink.stdin!.write(`${command}\n`);
    }),
    10_000,
    'sink',
  );
const sinkPorts = (await sinkLine()).split(' ').slice(1).map(Number);
async function sinkCount(): Promise<{ rtp: number; drops: number }> {
  const [, rtp, , , drops] = (await sinkLine('c')).split(' ').map(Number);
  return { rtp: rtp ?? Number.NaN, drops: drops ?? Number.NaN };
}

// ----------------------------------------------------------------- worker
const worker = await mediasoup.createWorker({ logLevel: 'error', rtcMinPort: 20_000, rtcMaxPort: 59_999 });
execFileSync('taskset', ['-a', '-p', '-c', args.cpu!, String(worker.pid)], { stdio: 'ignore' });
worker.on('died', (error) => {
  process.stderr.write(`worker died: ${String(error)}\n`);
  process.exit(2);
});

const mediaCodecs: Mediasoup.types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48_000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90_000 },
];
const listenInfo: Mediasoup.types.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1' };
const publishers: PublisherSpec[] = [];
const consumers: Mediasoup.types.Consumer[] = [];
let nextSink = 0;
const roomCount = mode === 'rooms' ? size : 1;
const publishersPerRoom = mode === 'rooms' ? 6 : 1;
const fanOut = mode === 'rooms' ? 5 : size;

await Promise.all(
  Array.from({ length: roomCount }, async () => {
    const router = await worker.createRouter({ mediaCodecs });
    const roomProducers: Mediasoup.types.Producer[][] = [];
    for (let p = 0; p < publishersPerRoom; p++) {
      const transport = await router.createPlainTransport({
        listenInfo, rtcpMux: true, comedia: true, enableSrtp: suite !== 'none', ...(suite !== 'none' && { srtpCryptoSuite: suite }),
      });
      const srtp = srtpParameters();
      if (srtp) await transport.connect({ srtpParameters: srtp });
      const videoSsrc = 0x1000_0000 + 2 * publishers.length;
      const audioSsrc = videoSsrc + 1;
      publishers.push({
        port: transport.tuple.localPort,
        videoSsrc,
        audioSsrc,
        delayMs: Math.random() * spreadMs,
        srtp: srtp ? { cryptoSuite: srtp.cryptoSuite as SrtpSuite, keyBase64: srtp.keyBase64 } : null,
      });
      roomProducers.push([
        await transport.produce({
          kind: 'video',
          rtpParameters: { codecs: [{ mimeType: 'video/VP8', clockRate: 90_000, payloadType: VIDEO_PAYLOAD_TYPE }], encodings: [{ ssrc: videoSsrc }] },
        }),
        await transport.produce({
          kind: 'audio',
          rtpParameters: { codecs: [{ mimeType: 'audio/opus', clockRate: 48_000, channels: 2, payloadType: AUDIO_PAYLOAD_TYPE }], encodings: [{ ssrc: audioSsrc }] },
        }),
      ]);
    }
    const subscribersHere = mode === 'rooms' ? publishersPerRoom : size;
    for (let s = 0; s < subscribersHere; s++) {
      const transport = await router.createPlainTransport({
        listenInfo, rtcpMux: true, comedia: false, enableSrtp: suite !== 'none', ...(suite !== 'none' && { srtpCryptoSuite: suite }),
      });
      const srtp = srtpParameters();
      await transport.connect({ ip: '127.0.0.1', port: sinkPorts[nextSink++]!, ...(srtp && { srtpParameters: srtp }) });
      const wanted = roomProducers.filter((_, p) => mode !== 'rooms' || p !== s).flat();
      consumers.push(...(await Promise.all(wanted.map((producer) => transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities })))));
    }
  }),
);

// -------------------------------------------------------------- generator
const generator = fork(fileURLToPath(new URL('./rtpGenerator.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
children.push(generator);
const replies: ((reply: GeneratorReply) => void)[] = [];
generator.on('message', (reply: GeneratorReply) => replies.shift()?.(reply));
const ask = (command: GeneratorCommand) =>
  withTimeout(
    new Promise<GeneratorReply>((resolve) => {
      replies.push(resolve);
      generator.send(command);
    }),
    20_000,
    `generator ${command.cmd}`,
  );
const sentSoFar = async () => {
  const reply = await ask({ cmd: 'count' });
  return 'sent' in reply ? reply.sent : Number.NaN;
};

const started = await ask({ cmd: 'start', clip: clipFile, publishers, maxMs: spreadMs + warmMs + windowMs + 2_000 });
if ('clipMs' in started && started.clipMs < spreadMs + warmMs + windowMs + 1_000) throw new Error('the clip is shorter than a measurement');
await sleep(spreadMs + warmMs);

const snapshot = async () => ({
  at: performance.now(),
  worker: treeCpuSeconds(worker.pid),
  generator: treeCpuSeconds(generator.pid!) + process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  sent: await sentSoFar(),
  received: await sinkCount(),
});
const before = await snapshot();
await sleep(windowMs);
const after = await snapshot();
const stopped = await ask({ cmd: 'stop' });
const sentTotal = 'sent' in stopped ? stopped.sent : Number.NaN;
await sleep(500); // let the last packets through the worker and into the sink
const receivedTotal = (await sinkCount()).rtp;

const seconds = (after.at - before.at) / 1000;
const forwarded = after.received.rtp - before.received.rtp;
const sent = after.sent - before.sent;
const workerCores = (after.worker - before.worker) / seconds;
const fwdPps = forwarded / seconds;
const round = (value: number, digits = 0) => Number(value.toFixed(digits));
const result: PointResult = {
  mode,
  size,
  suite,
  publishers: publishers.length,
  subscribers: subscriberCount,
  consumers: consumers.length,
  inPps: round(sent / seconds),
  fwdPps: round(fwdPps),
  expectedPps: round((sent * fanOut) / seconds),
  lossPct: round(100 * (1 - receivedTotal / (sentTotal * fanOut)), 3),
  windowLossPct: round(100 * (1 - forwarded / (sent * fanOut)), 3),
  workerCores: round(workerCores, 3),
  usPerPacket: round((workerCores * 1e6) / fwdPps, 2),
  ppsPerCore: round(fwdPps / workerCores),
  sinkDrops: after.received.drops,
  generatorCores: round((after.generator - before.generator) / seconds, 3),
  windowSeconds: round(seconds, 2),
};
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
worker.close();
sink.stdin!.write('q\n');
await sleep(200);
process.exit(0);
