import type { AppData, Consumer, DtlsParameters, MediaKind, Producer, RtpCapabilities, WebRtcTransport } from 'mediasoup/types';
import { Emitter } from './Emitter.js';
import { MediaError, withClientParams } from './errors.js';
import { PeerConsumers } from './PeerConsumers.js';
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

/**
 * What a peer needs from its room (MediaRoom, which passes itself): declared
 * here so that this module does not import MediaRoom back (no cycle, even a
 * type-only one), as PeerConsumers.ts does with ConsumersHost.
 */
export interface PeerRoom {
  /** Whether a device can receive `producer` (checked where it is produced). */
  canConsume(producer: Producer<ProducerAppData>, rtpCapabilities: RtpCapabilities): boolean;
  /** Makes `producer` consumable on the router of `slot`. */
  pipeProducerTo(producer: Producer<ProducerAppData>, slot: WorkerSlot): Promise<void>;
  /** A transport of `peer`, on the room's router of the peer's worker. */
  createWebRtcTransport<T extends AppData>(peer: MediaPeer, appData: T, initialBitrate?: number): Promise<WebRtcTransport<T>>;
  /** Feeds a microphone to the room's speaker observer and loudest voices. */
  observeSpeaker(producer: Producer<ProducerAppData>): void;
  /** The room's active speaker (a peer id). */
  readonly activeSpeaker: string | null;
  /** The room's loudest-voices choice (LoudestVoices.held). */
  readonly voices: { held(peer: MediaPeer, consumer: Consumer<ConsumerAppData>): boolean };
}

/** Browsers' upload is capped per send transport: one camera, one share and audio fit. */
const MAX_INCOMING_BITRATE = 3_000_000;

/**
 * One participant's media in a room: its transports, producers and consumers
 * (the receiving side, consumers and what holds them, in PeerConsumers.ts).
 * Everything here is keyed by mediasoup ids that this peer owns, so a request
 * naming an object of another peer gets NOT_FOUND.
 */
export class MediaPeer extends Emitter<MediaPeerEvents> {
  readonly id: string;
  readonly room: PeerRoom;
  /** The worker of this peer's transports (the room's home one unless the room spread). */
  readonly slot: WorkerSlot;
  readonly #log: Logger;
  readonly #transports = new Map<string, WebRtcTransport<TransportAppData>>();
  /** Transports connect() was asked of (once only: the worker refuses a second, logging it as an error). */
  readonly #connected = new Set<string>();
  readonly #producers = new Map<string, Producer<ProducerAppData>>();
  /** The receiving side: consumers, what holds each, the downlink, stills, audio-only (PeerConsumers.ts). */
  readonly #receive: PeerConsumers;
  #closed = false;

  constructor(id: string, room: PeerRoom, slot: WorkerSlot, log: Logger) {
    super();
    this.id = id;
    this.room = room;
    this.slot = slot;
    this.#log = log;
    this.#receive = new PeerConsumers({
      peerId: id,
      log,
      closed: () => this.#closed,
      recvTransport: () => [...this.#transports.values()].find((t) => t.appData.direction === 'recv'),
      canConsume: (producer, caps) => room.canConsume(producer, caps),
      pipe: (producer) => room.pipeProducerTo(producer, slot),
      voiceHeld: (consumer) => room.voices.held(this, consumer),
      activeSpeaker: () => room.activeSpeaker,
      onConsumerClosed: (consumerId) => this.safeEmit('consumerclosed', consumerId),
      onLimited: (limited) => this.safeEmit('bandwidthlimited', limited),
      onScreenStill: (producerId, needed) => this.safeEmit('screenstill', producerId, needed),
    });
  }

  get closed(): boolean {
    return this.#closed;
  }
  get producers(): ReadonlyMap<string, Producer<ProducerAppData>> {
    return this.#producers;
  }
  get consumers(): ReadonlyMap<string, Consumer<ConsumerAppData>> {
    return this.#receive.consumers;
  }
  get transports(): ReadonlyMap<string, WebRtcTransport> {
    return this.#transports;
  }
  /** Receives no video: video consumes are refused (AUDIO_ONLY). */
  get audioOnly(): boolean {
    return this.#receive.audioOnly;
  }
  /** The latest downlink estimate (bps), undefined before the first one. */
  get availableBitrate(): number | undefined {
    return this.#receive.availableBitrate;
  }
  /** Video consumers stopped because the downlink cannot carry them. */
  get bandwidthSuspended(): ReadonlySet<string> {
    return this.#receive.bandwidthSuspended;
  }
  /** Producer ids of the shared screens this peer gets as still pictures now. */
  get screenStills(): string[] {
    return this.#receive.screenStills;
  }
  /** Why a consumer of this peer is paused (empty: it flows). */
  pauseReasons(consumerId: string): ReadonlySet<PauseReason> {
    return this.#receive.pauseReasons(consumerId);
  }

  /** The receiving device's capabilities; consume() needs them. */
  setRtpCapabilities(caps: RtpCapabilities): void {
    this.#receive.setRtpCapabilities(caps);
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
    else await this.#receive.watchDownlink(transport);
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
  consume(producer: Producer<ProducerAppData>, options: { flowing?: boolean } = {}): Promise<Consumer<ConsumerAppData>> {
    return this.#receive.consume(producer, options);
  }

  /** Another peer's screen share began: this downlink judged now (screenAtStart.ts); settles with the verdict. */
  expectScreen(producerId: string): Promise<boolean> {
    return this.#receive.expectScreen(producerId);
  }

  consumer(consumerId: string): Consumer<ConsumerAppData> {
    return this.#receive.consumer(consumerId);
  }

  /** The client's own pause; the consumer flows only when nothing else holds it either. */
  pauseConsumer(consumerId: string): Promise<void> {
    return this.#receive.pauseConsumer(consumerId);
  }

  /** LoudestVoices: holds (or lets through) a voice this listener must not get now. */
  holdVoice(consumerId: string, held: boolean): void {
    this.#receive.holdVoice(consumerId, held);
  }

  /** The client is ready for it; it flows unless hidden or held for bandwidth. */
  resumeConsumer(consumerId: string): Promise<void> {
    return this.#receive.resumeConsumer(consumerId);
  }

  /**
   * Audio-only on: every video consumer of this peer is closed (the client is told through
   * 'consumerclosed') and new ones are refused. Off: the client consumes video again.
   */
  setAudioOnly(audioOnly: boolean): void {
    this.#assertOpen();
    if (this.#receive.setAudioOnly(audioOnly)) this.safeEmit('audioonly', audioOnly);
  }

  /**
   * The video the client shows. Video consumers of producers not listed (or
   * listed with no size) are paused; listed simulcast ones get the layer
   * that fits their height. Consumers created after this call are left
   * flowing until the next report (the client reports a new tile at once).
   */
  setViewport(tiles: readonly ViewportTile[]): Promise<void> {
    return this.#receive.setViewport(tiles);
  }

  /** Bitrate priorities follow the active speaker (MediaRoom calls this when it changes). */
  refreshPriorities(): void {
    this.#receive.refreshPriorities();
  }

  /** Idempotent; closes transports, which closes their producers and consumers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#receive.close();
    for (const transport of this.#transports.values()) transport.close();
    this.#transports.clear();
    this.safeEmit('close');
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
