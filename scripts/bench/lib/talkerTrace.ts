/**
 * Where a new talker's time goes on the server (lib/voicePhases.ts times the
 * whole, page to page). For one held voice, armed just before its sender
 * starts and read once it is heard:
 * - atWorker: the first speech packet (payload over DTX's few bytes) read by
 *   the worker from the sender (the producer's 'rtp' trace, worker clock);
 * - tap: the first audible packet of that voice read in Node by the loudest
 *   voices' tap (LoudestVoices' 'level' observer), and the levels (dBov) of
 *   the first packets it read;
 * - resumeAsked / resumed: the listener's consumer.resume() called, and the
 *   worker's answer back in Node;
 * - forwarded: the first packet the worker sent to the listener (the
 *   consumer's 'rtp' trace, worker clock), and when Node got that trace.
 * The worker's trace timestamps are uv_hrtime in ms, the clock of Node's
 * process.hrtime: they are turned into Date.now()'s scale, like the pages'.
 * Traces cost a message per packet: only these two streams, only while armed.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Consumer, ConsumerTraceEventData, Producer, ProducerTraceEventData } from 'mediasoup/types';

type TraceEventData = ConsumerTraceEventData | ProducerTraceEventData;
import type { LoudestVoices } from '../../../sfu/src/LoudestVoices.js';

/** Above this payload (bytes) a packet is speech, not DTX's comfort noise (a few bytes). */
const SPEECH_PAYLOAD_BYTES = 10;

/** Epoch ms, fractional, on Node's clock (the pages' Date.now() is the same machine's). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
/** A worker trace timestamp (uv_hrtime ms) as epoch ms. */
function workerMs(timestamp: number): number {
  return timestamp + nowMs() - Number(process.hrtime.bigint()) / 1e6;
}

export interface TalkerTimes {
  atWorker: number | null;
  /** The voice's first packets at the worker after the start: time (epoch ms) and payload bytes. */
  arrivals: Array<[number, number]>;
  /** The first packets sent to the listener (epoch ms). */
  sends: number[];
  tap: number | null;
  /** dBov of the first packets the tap read after the start (speech or not). */
  tapLevels: number[];
  resumeAsked: number | null;
  resumed: number | null;
  forwarded: number | null;
  forwardedInNode: number | null;
  /** Node's event-loop delay while armed (ms): the worst and the 99th percentile. */
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
}

export interface TalkerTrace {
  /** Call just before the sender starts (packets read before are ignored). */
  started(): void;
  /** Stops every probe; the times, epoch ms. */
  finish(): Promise<TalkerTimes>;
}

function payloadOf(trace: TraceEventData): number {
  // mediasoup's flatbuffers dump: { rtpPacket: { payloadSize: bigint, ... }, isRtx }.
  const info = trace.info as { rtpPacket?: { payloadSize?: bigint | number } } | undefined;
  return Number(info?.rtpPacket?.payloadSize ?? 0);
}
function isSpeech(trace: TraceEventData): boolean {
  return trace.type === 'rtp' && payloadOf(trace) > SPEECH_PAYLOAD_BYTES;
}

export async function traceTalker(voices: LoudestVoices, producer: Producer, consumer: Consumer, audibleDbov: number): Promise<TalkerTrace> {
  let since = Number.POSITIVE_INFINITY;
  const t: TalkerTimes = {
    atWorker: null, arrivals: [], sends: [], tap: null, tapLevels: [], resumeAsked: null, resumed: null, forwarded: null, forwardedInNode: null, loopDelayMaxMs: 0, loopDelayP99Ms: 0,
  };
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const onProducerTrace = (trace: TraceEventData): void => {
    const at = workerMs(trace.timestamp);
    if (at < since || trace.type !== 'rtp') return;
    if (t.arrivals.length < 6) t.arrivals.push([at, payloadOf(trace)]);
    if (t.atWorker === null && isSpeech(trace)) t.atWorker = at;
  };
  const onConsumerTrace = (trace: TraceEventData): void => {
    if (t.resumeAsked === null || trace.type !== 'rtp') return;
    if (t.sends.length < 4) t.sends.push(workerMs(trace.timestamp));
    if (t.forwarded === null) {
      t.forwarded = workerMs(trace.timestamp);
      t.forwardedInNode = nowMs();
    }
  };
  const onLevel = (producerId: string, dbov: number): void => {
    if (producerId !== producer.id) return;
    const at = nowMs();
    if (at < since) return;
    if (t.tapLevels.length < 4) t.tapLevels.push(dbov);
    if (t.tap === null && dbov >= audibleDbov) t.tap = at;
  };
  // The consumer's own resume(), timed around (MediaPeer calls it when the voice is chosen).
  const resume = consumer.resume;
  consumer.resume = async function (this: Consumer) {
    if (t.resumeAsked === null) t.resumeAsked = nowMs();
    await resume.call(this);
    if (t.resumed === null) t.resumed = nowMs();
  };
  producer.on('trace', onProducerTrace);
  consumer.on('trace', onConsumerTrace);
  voices.observer.on('level', onLevel);
  await producer.enableTraceEvent(['rtp']);
  await consumer.enableTraceEvent(['rtp']);
  return {
    started() {
      since = nowMs();
    },
    async finish() {
      loop.disable();
      consumer.resume = resume;
      voices.observer.off('level', onLevel);
      producer.off('trace', onProducerTrace);
      consumer.off('trace', onConsumerTrace);
      if (!producer.closed) await producer.enableTraceEvent([]);
      if (!consumer.closed) await consumer.enableTraceEvent([]);
      t.loopDelayMaxMs = loop.max / 1e6;
      t.loopDelayP99Ms = loop.percentile(99) / 1e6;
      return t;
    },
  };
}
