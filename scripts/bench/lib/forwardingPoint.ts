/**
 * Measurement points of the forwarding benchmark, served by one process per
 * worker binary (mediasoup reads MEDIASOUP_WORKER_BIN once, when it is first
 * loaded), each point on a fresh worker of that binary:
 *
 *   taskset -c 0 node --import tsx scripts/bench/lib/forwardingPoint.ts \
 *     --worker <mediasoup-worker> --clip <clip file> --sink <sink binary> [--cpu 1]
 *
 * then one JSON PointRequest per line on stdin; each is answered by one line
 * on stdout, "RESULT <json>" (PointResult) or "ERROR <message>". EOF ends it.
 * With --mode and --size on the command line it measures that one point and
 * exits (for trying a load by hand).
 *
 * Topology on one worker pinned to CPU `--cpu` (taskset): "rooms" = R
 * routers of 6 participants, each publishing VP8 + Opus on a comedia
 * PlainTransport and consuming the other 5 on its own PlainTransport; "fanout"
 * = 1 publisher consumed by N subscribers. Every subscriber transport sends to
 * its own socket of the C sink. SRTP (when asked) is on both sides, as WebRTC
 * does: publishers' packets are protected by the generator and unprotected by
 * the worker, consumers' packets are protected by the worker. This process,
 * the generator and the sink run on the other CPU (the caller pins this one;
 * its children inherit it). The generator is forked once and serves every
 * point; the sink is started per point.
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

export interface PointRequest {
  mode: Mode;
  /** R rooms of 6, or N subscribers. */
  size: number;
  suite: Suite;
  /** Publishers start at random moments over this, so that keyframes do not line up. */
  spreadMs: number;
  /** After the spread-in, before the window. */
  warmMs: number;
  windowMs: number;
}

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
    cpu: { type: 'string', default: '1' },
    mode: { type: 'string' },
    size: { type: 'string' },
    srtp: { type: 'string', default: 'none' },
    'spread-ms': { type: 'string', default: '500' },
    'warm-ms': { type: 'string', default: '1000' },
    'window-ms': { type: 'string', default: '2000' },
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
const cpu = args.cpu!;

/** Checks a request from the command line or from a line of stdin. */
function checked(request: PointRequest): PointRequest {
  const { mode, size, suite, spreadMs, warmMs, windowMs } = request;
  if (mode !== 'rooms' && mode !== 'fanout') throw new Error('mode is rooms or fanout');
  if (!Number.isInteger(size) || size < 1 || size > 2000) throw new Error('size is an integer in 1..2000');
  if (!SUITES.includes(suite)) throw new Error(`srtp is one of ${SUITES.join(', ')}`);
  for (const [name, ms] of [['spreadMs', spreadMs], ['warmMs', warmMs], ['windowMs', windowMs]] as const) {
    if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) throw new Error(`${name} is 0..60000 ms`);
  }
  if (windowMs < 500) throw new Error('windowMs is at least 500');
  return request;
}

// mediasoup reads the binary's path when it is first loaded.
process.env['MEDIASOUP_WORKER_BIN'] = workerPath;
const mediasoup: typeof Mediasoup = await import('mediasoup');

const mediaCodecs: Mediasoup.types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48_000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90_000 },
];
const listenInfo: Mediasoup.types.TransportListenInfo = { protocol: 'udp', ip: '127.0.0.1' };

// ------------------------------------------------- generator (all points)
const generator = fork(fileURLToPath(new URL('./rtpGenerator.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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

const live = new Set<ChildProcess>([generator]);
process.on('exit', () => {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

// ------------------------------------------------------------ one point
async function measure(request: PointRequest): Promise<PointResult> {
  const { mode, size, suite, spreadMs, warmMs, windowMs } = checked(request);
  const srtpParameters = (): Mediasoup.types.SrtpParameters | undefined =>
    suite === 'none' ? undefined : { cryptoSuite: suite, keyBase64: randomKeyBase64(suite) };

  // Sink: one socket per subscriber transport.
  const subscriberCount = mode === 'rooms' ? 6 * size : size;
  const sink = spawn(sinkPath, [String(subscriberCount), String(1 << 20)], { stdio: ['pipe', 'pipe', 'inherit'] });
  live.add(sink);
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
  const sinkCount = async (): Promise<{ rtp: number; drops: number }> => {
    const [, rtp, , , drops] = (await sinkLine('c')).split(' ').map(Number);
    return { rtp: rtp ?? Number.NaN, drops: drops ?? Number.NaN };
  };

  const ports = sinkLine(); // its first line
  ports.catch(() => undefined); // (awaited below; not unhandled if the worker fails to start)
  let workerToClose: Mediasoup.types.Worker | undefined;
  let died: Error | undefined;
  try {
    // In the try: a worker that fails to start must not leave this point's sink running.
    const worker = await mediasoup.createWorker({ logLevel: 'error', rtcMinPort: 20_000, rtcMaxPort: 59_999 });
    workerToClose = worker;
    worker.on('died', (error) => (died = error));
    const sinkPorts = (await ports).split(' ').slice(1).map(Number);
    execFileSync('taskset', ['-a', '-p', '-c', cpu, String(worker.pid)], { stdio: 'ignore' });

    const publishers: PublisherSpec[] = [];
    const consumers: Mediasoup.types.Consumer[] = [];
    let nextSink = 0;
    const roomCount = mode === 'rooms' ? size : 1;
    const publishersPerRoom = mode === 'rooms' ? 6 : 1;
    const fanOut = mode === 'rooms' ? 5 : size;
    const transportOptions = { listenInfo, rtcpMux: true, enableSrtp: suite !== 'none', ...(suite !== 'none' && { srtpCryptoSuite: suite }) };

    await Promise.all(
      Array.from({ length: roomCount }, async () => {
        const router = await worker.createRouter({ mediaCodecs });
        const roomProducers: Mediasoup.types.Producer[][] = [];
        for (let p = 0; p < publishersPerRoom; p++) {
          const transport = await router.createPlainTransport({ ...transportOptions, comedia: true });
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
          const transport = await router.createPlainTransport({ ...transportOptions, comedia: false });
          const srtp = srtpParameters();
          await transport.connect({ ip: '127.0.0.1', port: sinkPorts[nextSink++]!, ...(srtp && { srtpParameters: srtp }) });
          const wanted = roomProducers.filter((_, p) => mode !== 'rooms' || p !== s).flat();
          consumers.push(...(await Promise.all(wanted.map((producer) => transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities })))));
        }
      }),
    );

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
    if (died) throw new Error(`worker died: ${String(died)}`);

    const seconds = (after.at - before.at) / 1000;
    const forwarded = after.received.rtp - before.received.rtp;
    const sent = after.sent - before.sent;
    const workerCores = (after.worker - before.worker) / seconds;
    const fwdPps = forwarded / seconds;
    const round = (value: number, digits = 0) => Number(value.toFixed(digits));
    return {
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
  } finally {
    workerToClose?.close();
    sink.stdin!.end('q\n');
    await withTimeout(new Promise((resolve) => sink.once('exit', resolve)), 2_000, 'sink exit').catch(() => sink.kill('SIGKILL'));
    live.delete(sink);
  }
}

// ------------------------------------------------------------------ main
const print = (line: string) => new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
if (args.mode || args.size) {
  const result = await measure({
    mode: required('mode', args.mode) as Mode,
    size: Number(required('size', args.size)),
    suite: args.srtp as Suite,
    spreadMs: Number(args['spread-ms']),
    warmMs: Number(args['warm-ms']),
    windowMs: Number(args['window-ms']),
  });
  await print(`RESULT ${JSON.stringify(result)}`);
} else {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    try {
      await print(`RESULT ${JSON.stringify(await measure(JSON.parse(line) as PointRequest))}`);
    } catch (error) {
      await print(`ERROR ${error instanceof Error ? error.message : String(error)}`.replace(/\n/g, ' '));
    }
  }
}
process.exit(0);
