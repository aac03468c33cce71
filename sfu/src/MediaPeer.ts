import type {
  Consumer,
  DtlsParameters,
  MediaKind,
  Producer,
  RtpCapabilities,
  RtpParameters,
  WebRtcTransport,
} from 'mediasoup/types';
import { ConsumerControls } from './ConsumerControls.js';
import { Downlink } from './Downlink.js';
import { Emitter } from './Emitter.js';
import { MediaError, withClientParams } from './errors.js';
import { judgeScreenAtStart } from './screenAtStart.js';
import { ScreenStillNeeds } from './ScreenStillNeeds.js';
import type { Logger } from './logger.js';
import type {
  ConsumerAppData,
  Direction,
  PauseReason,
  ProduceOptions,
  ProducerAppData,
  TransportAppData,
  TransportParams,
  ViewportTile,
} from './mediaTypes.js';
import type { MediaRoom } from './MediaRoom.js';
import type { WorkerSlot } from './WorkerPool.js';

export type { ConsumerAppData, Direction, PauseReason, ProduceOptions, ProducerAppData, Source, TransportParams, ViewportTile } from './mediaTypes.js';

export type MediaPeerEvents = {
  /** A consumer was closed by the server side (its producer or transport went away). */
  consumerclosed: [consumerId: string];
  /** Video of this peer was stopped (true) or allowed again (false) for lack of downlink bandwidth. */
  bandwidthlimited: [limited: boolean];
  /**
   * This peer needs (true) or no longer needs (false) a still picture of a
   * shared screen (its producer id): its downlink cannot carry the video.
   */
  screenstill: [producerId: string, needed: boolean];
  /** setAudioOnly changed this peer's mode. */
  audioonly: [audioOnly: boolean];
  /** A producer of this peer closed (by request, transport close or room close). */
  producerclosed: [producerId: string];
  close: [];
};

/** Browsers' upload is capped per send transport: one camera, one share and audio fit. */
const MAX_INCOMING_BITRATE = 3_000_000;

/**
 * One participant's media in a room: its transports, producers and consumers.
 * Everything here is keyed by mediasoup ids that this peer owns, so a request
 * naming an object of another peer gets NOT_FOUND.
 */
export class MediaPeer extends Emitter<MediaPeerEvents> {
  readonly id: string;
  readonly room: MediaRoom;
  /** The worker of this peer's transports (the room's home one unless the room spread). */
  readonly slot: WorkerSlot;
  readonly #log: Logger;
  readonly #transports = new Map<string, WebRtcTransport<TransportAppData>>();
  /** Transports connect() was asked of (once only: the worker refuses a second, logging it as an error). */
  readonly #connected = new Set<string>();
  readonly #producers = new Map<string, Producer<ProducerAppData>>();
  readonly #consumers = new Map<string, Consumer<ConsumerAppData>>();
  /** Why each consumer is paused (ConsumerControls.ts). */
  readonly #controls: ConsumerControls;
  /** The receive transport's estimate and the video it cannot carry (Downlink.ts). */
  readonly #downlink: Downlink;
  /** Shared screens this peer gets as still pictures (ScreenStillNeeds.ts). */
  readonly #stills: ScreenStillNeeds;
  #rtpCapabilities: RtpCapabilities | undefined;
  #audioOnly = false;
  /** Shown video by producer id; null until the client first reports (then nothing is hidden). */
  #viewport: Map<string, ViewportTile> | null = null;
  #closed = false;

  constructor(id: string, room: MediaRoom, slot: WorkerSlot, log: Logger) {
    super();
    this.id = id;
    this.room = room;
    this.slot = slot;
    this.#log = log;
    this.#controls = new ConsumerControls(log);
    this.#stills = new ScreenStillNeeds({
      onChange: (producerId, needed) => this.safeEmit('screenstill', producerId, needed),
      lossOf: () => this.#downlink.loss(),
      onLossless: (consumerId, loss) => log.info({ consumerId, loss }, 'screen held for bandwidth: no still, the downlink loses nothing'),
    });
    this.#downlink = new Downlink({
      consumers: this.#consumers,
      controls: this.#controls,
      log,
      onLimited: (limited) => this.safeEmit('bandwidthlimited', limited),
      onHeld: (consumer, held, atStart) => {
        if (consumer.appData.source === 'screen') this.#stills.held(consumer.id, consumer.producerId, held, atStart);
      },
    });
  }

  get closed(): boolean {
    return this.#closed;
  }
  get producers(): ReadonlyMap<string, Producer<ProducerAppData>> {
    return this.#producers;
  }
  get consumers(): ReadonlyMap<string, Consumer<ConsumerAppData>> {
    return this.#consumers;
  }
  get transports(): ReadonlyMap<string, WebRtcTransport> {
    return this.#transports;
  }
  /** Receives no video: video consumes are refused (AUDIO_ONLY). */
  get audioOnly(): boolean {
    return this.#audioOnly;
  }
  /** The latest downlink estimate (bps), undefined before the first one. */
  get availableBitrate(): number | undefined {
    return this.#downlink.estimate;
  }
  /** Video consumers stopped because the downlink cannot carry them. */
  get bandwidthSuspended(): ReadonlySet<string> {
    return this.#downlink.suspended;
  }
  /** Producer ids of the shared screens this peer gets as still pictures now. */
  get screenStills(): string[] {
    return this.#stills.producers;
  }
  /** Why a consumer of this peer is paused (empty: it flows). */
  pauseReasons(consumerId: string): ReadonlySet<PauseReason> {
    return this.#controls.reasons(consumerId);
  }

  /** The receiving device's capabilities; consume() needs them. */
  setRtpCapabilities(caps: RtpCapabilities): void {
    this.#rtpCapabilities = caps;
  }

  /**
   * `initialAvailableOutgoingBitrate` overrides the configured start of the
   * bandwidth estimate (a phone: start low rather than flood a weak link).
   */
  async createTransport(
    direction: Direction,
    options: { initialAvailableOutgoingBitrate?: number } = {},
  ): Promise<TransportParams> {
    this.#assertOpen();
    const transport = await this.room.createWebRtcTransport<TransportAppData>(
      this,
      { peerId: this.id, direction },
      options.initialAvailableOutgoingBitrate,
    );
    if (this.#closed) {
      transport.close();
      throw new MediaError('CLOSED', 'peer closed');
    }
    this.#transports.set(transport.id, transport);
    transport.observer.once('close', () => {
      this.#transports.delete(transport.id);
      this.#connected.delete(transport.id);
    });
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') {
        this.#log.warn({ transportId: transport.id, state }, 'transport DTLS state');
      }
    });
    if (direction === 'send') await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    else await this.#downlink.watch(transport);
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
      sctpParameters: transport.sctpParameters,
    };
  }

  async connectTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const transport = this.#transport(transportId);
    // Found by the fuzz test: a second connect was an INTERNAL error and an error line in the log.
    if (this.#connected.has(transportId)) throw new MediaError('BAD_PARAMS', 'transport already connected');
    this.#connected.add(transportId);
    try {
      await withClientParams('connect', () => transport.connect({ dtlsParameters }));
    } catch (error) {
      this.#connected.delete(transportId);
      throw error;
    }
  }

  async restartIce(transportId: string): Promise<WebRtcTransport['iceParameters']> {
    return this.#transport(transportId).restartIce();
  }

  async produce(options: ProduceOptions): Promise<Producer<ProducerAppData>> {
    const transport = this.#transport(options.transportId);
    if (transport.appData.direction !== 'send') {
      throw new MediaError('BAD_PARAMS', 'produce needs a send transport');
    }
    const expectedKind: MediaKind = options.source === 'mic' || options.source === 'screen-audio' ? 'audio' : 'video';
    if (options.kind !== expectedKind) {
      throw new MediaError('BAD_PARAMS', `source ${options.source} must be ${expectedKind}`);
    }
    const producer = await withClientParams('produce', () =>
      transport.produce<ProducerAppData>({
        kind: options.kind,
        rtpParameters: options.rtpParameters,
        paused: options.paused ?? false,
        appData: { peerId: this.id, source: options.source },
      }),
    );
    if (this.#closed) {
      producer.close();
      throw new MediaError('CLOSED', 'peer closed');
    }
    this.#producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      this.#producers.delete(producer.id);
      this.safeEmit('producerclosed', producer.id);
    });
    if (options.source === 'mic') this.room.observeSpeaker(producer);
    return producer;
  }

  producer(producerId: string): Producer<ProducerAppData> {
    const producer = this.#producers.get(producerId);
    if (!producer) throw new MediaError('NOT_FOUND', 'no such producer');
    return producer;
  }

  /** A consumer of another peer's producer here: paused until the client resumes it, or `flowing` (a join's answer). */
  async consume(producer: Producer<ProducerAppData>, { flowing = false } = {}): Promise<Consumer<ConsumerAppData>> {
    this.#assertOpen();
    if (!this.#rtpCapabilities) throw new MediaError('CANNOT_CONSUME', 'join first with RTP capabilities');
    if (producer.appData.peerId === this.id) throw new MediaError('CANNOT_CONSUME', 'cannot consume own producer');
    if (this.#audioOnly && producer.kind === 'video') throw new MediaError('AUDIO_ONLY', 'this peer receives no video');
    if (!this.room.canConsume(producer, this.#rtpCapabilities)) {
      throw new MediaError('CANNOT_CONSUME', 'device cannot receive this producer');
    }
    const transport = [...this.#transports.values()].find((t) => t.appData.direction === 'recv');
    if (!transport) throw new MediaError('NOT_FOUND', 'no receive transport');
    // A producer on another worker of a spread room is consumed from its pipe producer here.
    await this.room.pipeProducerTo(producer, this.slot);
    this.#assertOpen();
    let consumer: Consumer<ConsumerAppData>;
    try {
      consumer = await transport.consume<ConsumerAppData>({
        producerId: producer.id,
        rtpCapabilities: this.#rtpCapabilities,
        // Paused: the client resumes once ready, so that the first packets (and the key frame asked on resume)
        // are not lost. Flowing: nothing flows before the transport connects; mediasoup asks a key frame then.
        paused: !flowing,
        enableRtx: true,
        ignoreDtx: true,
        appData: { peerId: this.id, producerPeerId: producer.appData.peerId, source: producer.appData.source },
      });
    } catch (error) {
      if (producer.closed) throw new MediaError('NOT_FOUND', 'producer closed');
      throw error;
    }
    if (this.#closed) {
      consumer.close();
      throw new MediaError('CLOSED', 'peer closed');
    }
    // Switched to audio-only while this consume was on its way.
    if (this.#audioOnly && consumer.kind === 'video') {
      consumer.close();
      throw new MediaError('AUDIO_ONLY', 'this peer receives no video');
    }
    this.#consumers.set(consumer.id, consumer);
    // Flowing (the join answer's consumers) unless this listener's loudest-voices choice holds it.
    const held = this.room.voices.held(this, consumer);
    if (flowing && held) await consumer.pause();
    this.#controls.add(consumer.id, {
      reasons: new Set<PauseReason>([...(flowing ? [] : ['client' as const]), ...(held ? ['voice' as const] : [])]),
      paused: !flowing || held,
      priority: 0,
      spatialLayers: consumer.type === 'simulcast' ? (producer.rtpParameters.encodings?.length ?? 1) : 1,
    });
    const forget = (): void => {
      this.#controls.delete(consumer.id);
      this.#downlink.forget(consumer.id);
      this.#stills.forget(consumer.id);
    };
    const onServerClose = (): void => {
      forget();
      if (this.#consumers.delete(consumer.id)) this.safeEmit('consumerclosed', consumer.id);
    };
    consumer.on('producerclose', onServerClose);
    consumer.on('transportclose', onServerClose);
    // The worker closes this consumer the moment its producer closes (the
    // producer's peer left, or stopped it), and tells this side only later
    // ('producerclose'). A pause, resume, priority or layer asked in between
    // reaches a consumer the worker no longer has, which it logs as an error
    // ("Channel request handler ... not found"). The producer's close is known
    // here at once, before anything else can be asked: from then on nothing
    // is (ConsumerControls.of finds no control), and the client is told now.
    producer.observer.once('close', onServerClose);
    consumer.observer.once('close', () => {
      forget();
      this.#consumers.delete(consumer.id);
      producer.observer.off('close', onServerClose);
    });
    if (flowing) this.#applyPriority(consumer);
    // A screen on a downlink already too weak for it: held from the start, the still instead (screenStill.ts).
    if (producer.appData.source === 'screen') {
      const downlink = await this.#downlink.holdScreenIfWeak(consumer, this.#stills.verdictOf(producer.id));
      this.#log.info({ consumerId: consumer.id, ...downlink }, 'screen consumed');
    }
    return consumer;
  }

  /** Another peer's screen share began: this downlink judged now (screenAtStart.ts); settles with the verdict. */
  async expectScreen(producerId: string): Promise<boolean> {
    if (this.#closed || this.#audioOnly) return false;
    return judgeScreenAtStart(producerId, { downlink: this.#downlink, stills: this.#stills, log: this.#log, closed: () => this.#closed });
  }

  consumer(consumerId: string): Consumer<ConsumerAppData> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new MediaError('NOT_FOUND', 'no such consumer');
    return consumer;
  }

  /** The client's own pause; the consumer flows only when nothing else holds it either. */
  async pauseConsumer(consumerId: string): Promise<void> {
    await this.#controls.setReason(this.consumer(consumerId), 'client', true);
  }

  /** LoudestVoices: holds (or lets through) a voice this listener must not get now. */
  holdVoice(consumerId: string, held: boolean): void {
    const consumer = this.#consumers.get(consumerId);
    if (consumer) void this.#controls.setReason(consumer, 'voice', held);
  }

  /** The client is ready for it; it flows unless hidden or held for bandwidth. */
  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.consumer(consumerId);
    this.#applyPriority(consumer);
    await this.#controls.setReason(consumer, 'client', false);
    if (consumer.kind === 'video') this.#reconcileBandwidth();
  }

  /**
   * Audio-only on: every video consumer of this peer is closed (the client is told through
   * 'consumerclosed') and new ones are refused. Off: the client consumes video again.
   */
  setAudioOnly(audioOnly: boolean): void {
    this.#assertOpen();
    const changed = audioOnly !== this.#audioOnly;
    this.#audioOnly = audioOnly;
    for (const consumer of audioOnly ? [...this.#consumers.values()] : []) {
      if (consumer.kind !== 'video') continue;
      this.#consumers.delete(consumer.id);
      consumer.close();
      this.safeEmit('consumerclosed', consumer.id);
    }
    if (changed) this.safeEmit('audioonly', audioOnly);
  }

  /**
   * The video the client shows. Video consumers of producers not listed (or
   * listed with no size) are paused; listed simulcast ones get the layer
   * that fits their height. Consumers created after this call are left
   * flowing until the next report (the client reports a new tile at once).
   */
  async setViewport(tiles: readonly ViewportTile[]): Promise<void> {
    this.#assertOpen();
    this.#viewport = new Map(tiles.filter((t) => t.width > 0 && t.height > 0).map((t) => [t.producerId, t]));
    const videos = [...this.#consumers.values()].filter((c) => c.kind === 'video');
    await Promise.all(videos.map((consumer) => this.#applyViewport(consumer)));
    this.#reconcileBandwidth();
  }

  /** Bitrate priorities follow the active speaker (MediaRoom calls this when it changes). */
  refreshPriorities(): void {
    for (const consumer of this.#consumers.values()) this.#applyPriority(consumer);
  }

  /** Idempotent; closes transports, which closes their producers and consumers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stills.close();
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.safeEmit('close');
  }

  async #applyViewport(consumer: Consumer<ConsumerAppData>): Promise<void> {
    if (this.#viewport) await this.#controls.applyTile(consumer, this.#viewport.get(consumer.producerId));
  }

  #applyPriority(consumer: Consumer<ConsumerAppData>): void {
    this.#controls.applyPriority(consumer, this.room.activeSpeaker);
  }

  /** Stops the least important video when the estimate cannot carry it with the voices (Downlink.ts). */
  #reconcileBandwidth(): void {
    if (!this.#closed) this.#downlink.reconcile();
  }

  #transport(transportId: string): WebRtcTransport<TransportAppData> {
    this.#assertOpen();
    const transport = this.#transports.get(transportId);
    if (!transport) throw new MediaError('NOT_FOUND', 'no such transport');
    return transport;
  }

  #assertOpen(): void {
    if (this.#closed) throw new MediaError('CLOSED', 'peer closed');
  }
}
