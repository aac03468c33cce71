import type {
  Consumer,
  DtlsParameters,
  MediaKind,
  Producer,
  RtpCapabilities,
  RtpParameters,
  WebRtcTransport,
} from 'mediasoup/types';
import { Emitter } from './Emitter.js';
import { MediaError, withClientParams } from './errors.js';
import type { Logger } from './logger.js';
import type { MediaRoom } from './MediaRoom.js';

export type Direction = 'send' | 'recv';
/** What a producer carries; chosen by the client, used by the UI. */
export type Source = 'mic' | 'camera' | 'screen' | 'screen-audio';

export interface ProducerAppData extends Record<string, unknown> {
  peerId: string;
  source: Source;
}
export interface ConsumerAppData extends Record<string, unknown> {
  peerId: string;
  producerPeerId: string;
  source: Source;
}
interface TransportAppData extends Record<string, unknown> {
  peerId: string;
  direction: Direction;
}

export interface TransportParams {
  transportId: string;
  iceParameters: WebRtcTransport['iceParameters'];
  iceCandidates: WebRtcTransport['iceCandidates'];
  dtlsParameters: WebRtcTransport['dtlsParameters'];
}

export interface ProduceOptions {
  transportId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  source: Source;
  paused?: boolean;
}

export type MediaPeerEvents = {
  /** A consumer was closed by the server side (its producer or transport went away). */
  consumerclosed: [consumerId: string];
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
  readonly #log: Logger;
  readonly #transports = new Map<string, WebRtcTransport<TransportAppData>>();
  readonly #producers = new Map<string, Producer<ProducerAppData>>();
  readonly #consumers = new Map<string, Consumer<ConsumerAppData>>();
  #rtpCapabilities: RtpCapabilities | undefined;
  #closed = false;

  constructor(id: string, room: MediaRoom, log: Logger) {
    super();
    this.id = id;
    this.room = room;
    this.#log = log;
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

  /** The receiving device's capabilities; consume() needs them. */
  setRtpCapabilities(caps: RtpCapabilities): void {
    this.#rtpCapabilities = caps;
  }

  async createTransport(direction: Direction): Promise<TransportParams> {
    this.#assertOpen();
    const transport = await this.room.createWebRtcTransport<TransportAppData>({ peerId: this.id, direction });
    if (this.#closed) {
      transport.close();
      throw new MediaError('CLOSED', 'peer closed');
    }
    this.#transports.set(transport.id, transport);
    transport.observer.once('close', () => this.#transports.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') {
        this.#log.warn({ transportId: transport.id, state }, 'transport DTLS state');
      }
    });
    if (direction === 'send') {
      await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    }
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const transport = this.#transport(transportId);
    await withClientParams('connect', () => transport.connect({ dtlsParameters }));
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

  /** Creates a paused consumer of another peer's producer on this peer's receive transport. */
  async consume(producer: Producer<ProducerAppData>): Promise<Consumer<ConsumerAppData>> {
    this.#assertOpen();
    if (!this.#rtpCapabilities) throw new MediaError('CANNOT_CONSUME', 'join first with RTP capabilities');
    if (producer.appData.peerId === this.id) throw new MediaError('CANNOT_CONSUME', 'cannot consume own producer');
    if (!this.room.router.canConsume({ producerId: producer.id, rtpCapabilities: this.#rtpCapabilities })) {
      throw new MediaError('CANNOT_CONSUME', 'device cannot receive this producer');
    }
    const transport = [...this.#transports.values()].find((t) => t.appData.direction === 'recv');
    if (!transport) throw new MediaError('NOT_FOUND', 'no receive transport');
    let consumer: Consumer<ConsumerAppData>;
    try {
      consumer = await transport.consume<ConsumerAppData>({
        producerId: producer.id,
        rtpCapabilities: this.#rtpCapabilities,
        // Start paused: the client resumes once its side is ready, so that the
        // first packets (and the key frame asked on resume) are not lost.
        paused: true,
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
    this.#consumers.set(consumer.id, consumer);
    const onServerClose = (): void => {
      if (this.#consumers.delete(consumer.id)) this.safeEmit('consumerclosed', consumer.id);
    };
    consumer.on('producerclose', onServerClose);
    consumer.on('transportclose', onServerClose);
    consumer.observer.once('close', () => this.#consumers.delete(consumer.id));
    return consumer;
  }

  consumer(consumerId: string): Consumer<ConsumerAppData> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new MediaError('NOT_FOUND', 'no such consumer');
    return consumer;
  }

  /** Idempotent; closes transports, which closes their producers and consumers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
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
