/**
 * One producer of a meeting recorded: its media brought to the room's home
 * router (a pipe when it is on another worker), consumed there by the
 * server's own consumer on a PlainTransport (comedia off: the server sends
 * to FFmpeg's port; rtcpMux off: FFmpeg reads RTCP on port + 1), written
 * by a TrackWriter, one file per segment.
 *
 * Order matters (recipe mediasoup-recording): the consumer is made paused,
 * FFmpeg is started and listening, then the consumer is resumed and a
 * keyframe asked, so that neither the first packets nor the first keyframe
 * go to a closed port. A keyframe is asked again when none came for 4 s
 * (the file is then decodable from there). A change of simulcast layer is
 * a change of resolution: the segment ends and a new one starts (layers.ts:
 * only a change of spatial layer, not of temporal layer or a pause).
 *
 * The consumer carries codecs only (no RTX, no header extensions, feedback
 * PLI/FIR): with the router's full capabilities FFmpeg dropped probation
 * and late packets.
 */
import type { Consumer, PlainTransport, Producer, RtpCapabilities, RtpCodecCapability } from 'mediasoup/types';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { MediaRoom, ProducerAppData } from '@chantier/sfu';
import { layerStep } from './layers.js';
import type { PortPool } from './ports.js';
import { containerFor, trackSdp, TrackWriter } from './TrackWriter.js';

/** A keyframe is asked when none came for this long. */
export const KEYFRAME_WAIT_MS = 4_000;

/** One file of a track, as the manifest keeps it. */
export interface SegmentInfo {
  file: string;
  kind: 'audio' | 'video';
  mimeType: string;
  peerId: string;
  displayName: string;
  source: string;
  /** When its first packet came, in ms from the recording's start; null: none came. */
  startMs: number | null;
  /** When it ended, in ms from the recording's start; null while it is written. */
  endMs: number | null;
  /** The writer's process id (a restarted node stops writers its dead predecessor left). */
  pid?: number | undefined;
}

export interface TrackContext {
  room: MediaRoom;
  dir: string;
  ffmpeg: string;
  ports: PortPool;
  log: FastifyBaseLogger;
  /** ms on the monotonic clock (the workers' trace clock) of the recording's start (set once its first tracks flow). */
  readonly t0: number;
  /** A segment was added or changed: the manifest is written again. */
  changed: () => void;
  /** A name for the file and the mix (the participant's display name). */
  displayName: string;
}

/** Monotonic ms: the clock of mediasoup's trace timestamps (uv_hrtime). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

function recorderCaps(room: MediaRoom, producer: Producer): RtpCapabilities {
  const codecs: RtpCodecCapability[] = (room.rtpCapabilities.codecs ?? [])
    .filter((c) => c.kind === producer.kind && !/\/rtx$/i.test(c.mimeType))
    .map((c) => ({
      ...c,
      rtcpFeedback: producer.kind === 'video' ? [{ type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }] : [],
    }));
  return { codecs, headerExtensions: [] };
}

export class TrackRecorder {
  readonly producerId: string;
  readonly segments: SegmentInfo[] = [];
  readonly #ctx: TrackContext;
  readonly #producer: Producer<ProducerAppData>;
  #transport: PlainTransport | undefined;
  #consumer: Consumer | undefined;
  #port: number | undefined;
  #writer: TrackWriter | undefined;
  #current: SegmentInfo | undefined;
  #lastKeyframe = 0;
  /** The simulcast layer (the resolution) the current video segment is written at. */
  #spatial: number | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #segmenting: Promise<void> = Promise.resolve();
  #finished: Promise<void> | undefined;
  /** Started held: its writer listens, its consumer waits for release(). */
  #held: boolean;

  private constructor(ctx: TrackContext, producer: Producer<ProducerAppData>, held: boolean) {
    this.#ctx = ctx;
    this.#held = held;
    this.#producer = producer;
    this.producerId = producer.id;
  }

  get kind(): 'audio' | 'video' {
    return this.#producer.kind;
  }

  /**
   * Starts recording `producer`; resolves once its writer listens and its
   * consumer flows, or, `held`, once its writer listens (release() lets it
   * flow: a recording's first tracks start together).
   */
  static async start(ctx: TrackContext, producer: Producer<ProducerAppData>, held = false): Promise<TrackRecorder> {
    const track = new TrackRecorder(ctx, producer, held);
    try {
      await track.#open();
    } catch (error) {
      await track.finish();
      throw error;
    }
    return track;
  }

  async #open(): Promise<void> {
    const { room } = this.#ctx;
    await room.pipeProducerTo(this.#producer, room.slot);
    const transport = await room.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: false,
      appData: { recording: true },
    });
    this.#transport = transport;
    this.#port = await this.#ctx.ports.take();
    await transport.connect({ ip: '127.0.0.1', port: this.#port, rtcpPort: this.#port + 1 });
    const consumer = await transport.consume({
      producerId: this.#producer.id,
      rtpCapabilities: recorderCaps(room, this.#producer),
      paused: true,
      appData: { recording: true },
    });
    this.#consumer = consumer;
    consumer.on('trace', (trace) => this.#onTrace(trace.type, trace.timestamp));
    consumer.on('producerclose', () => void this.finish());
    consumer.on('transportclose', () => void this.finish());
    consumer.on('layerschange', (layers) => {
      const step = layerStep(this.#spatial, layers);
      this.#spatial = step.spatial;
      if (step.newSegment && !this.#finished) this.#segmenting = this.#segmenting.then(() => this.#newSegment('resolution change'));
    });
    await consumer.enableTraceEvent(this.kind === 'audio' ? ['rtp'] : ['keyframe']);
    await this.#startSegment();
    if (this.kind === 'video') {
      this.#watchdog = setInterval(() => {
        const c = this.#consumer;
        if (!c || c.closed || c.paused || c.producerPaused) return;
        if (monotonicMs() - this.#lastKeyframe >= KEYFRAME_WAIT_MS) {
          this.#lastKeyframe = monotonicMs(); // asked: wait another period before asking again
          c.requestKeyFrame().catch(() => {});
        }
      }, 1_000);
    }
  }

  #onTrace(type: string, timestamp: number): void {
    const segment = this.#current;
    if (type === 'keyframe') this.#lastKeyframe = monotonicMs();
    if (segment && segment.startMs === null) {
      segment.startMs = Math.max(0, timestamp - this.#ctx.t0);
      this.#ctx.changed();
      // Audio: only its first packet was wanted (a trace per packet costs).
      if (this.kind === 'audio') this.#consumer?.enableTraceEvent([]).catch(() => {});
    }
  }

  async #startSegment(): Promise<void> {
    const consumer = this.#consumer!;
    const codec = consumer.rtpParameters.codecs[0]!;
    const appData = this.#producer.appData;
    const n = this.segments.filter((s) => s.peerId === appData.peerId).length;
    const base = `${appData.peerId}-${appData.source}-${this.#producer.id.slice(0, 8)}-${n}`;
    const outPath = join(this.#ctx.dir, `${base}.${containerFor(codec.mimeType)}`);
    const writer = await TrackWriter.start({
      ffmpeg: this.#ctx.ffmpeg,
      sdp: trackSdp(this.kind, this.#port!, codec, base),
      sdpPath: join(this.#ctx.dir, `${base}.sdp`),
      outPath,
      port: this.#port!,
      log: this.#ctx.log.child({ track: base }),
    });
    this.#writer = writer;
    const segment: SegmentInfo = {
      file: outPath.slice(this.#ctx.dir.length + 1),
      kind: this.kind,
      mimeType: codec.mimeType,
      peerId: appData.peerId,
      displayName: this.#ctx.displayName,
      source: appData.source,
      startMs: null,
      endMs: null,
      pid: writer.pid,
    };
    this.#current = segment;
    this.segments.push(segment);
    this.#ctx.changed();
    // A writer that dies ends its segment (the file is kept as written).
    void writer.exited.then((exit) => {
      if (!exit.stopped && segment.endMs === null) {
        segment.endMs = monotonicMs() - this.#ctx.t0;
        this.#ctx.changed();
      }
    });
    if (consumer.closed || this.#held) return;
    await this.#flow(consumer);
  }

  /** The consumer sends to the writer, from a keyframe. */
  async #flow(consumer: Consumer): Promise<void> {
    if (this.kind === 'video') await consumer.enableTraceEvent(['keyframe']).catch(() => {});
    await consumer.resume();
    if (this.kind === 'video') await consumer.requestKeyFrame().catch(() => {});
  }

  /** A held track's consumer flows from now. */
  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    const consumer = this.#consumer;
    if (consumer && !consumer.closed && !this.#finished) await this.#flow(consumer);
  }

  async #endSegment(): Promise<void> {
    const segment = this.#current;
    const writer = this.#writer;
    this.#current = undefined;
    this.#writer = undefined;
    if (segment && segment.endMs === null) segment.endMs = monotonicMs() - this.#ctx.t0;
    await writer?.stop();
    this.#ctx.changed();
  }

  async #newSegment(why: string): Promise<void> {
    const consumer = this.#consumer;
    if (!consumer || consumer.closed || this.#finished) return;
    this.#ctx.log.info({ producerId: this.producerId, why }, 'recording: new segment');
    await consumer.pause().catch(() => {});
    await this.#endSegment();
    if (!consumer.closed && !this.#finished) await this.#startSegment().catch((error: unknown) => this.#ctx.log.warn({ err: error }, 'recording: segment not restarted'));
  }

  /** Idempotent: the writer finishes its file, the consumer and transport close, the port is freed. */
  finish(): Promise<void> {
    this.#finished ??= (async () => {
      clearInterval(this.#watchdog);
      await this.#segmenting.catch(() => {});
      await this.#endSegment();
      this.#transport?.close();
      if (this.#port !== undefined) this.#ctx.ports.release(this.#port);
    })();
    return this.#finished;
  }
}
