/**
 * The receiving side of a MediaSession: the consumers, made one consume at a
 * time (each is a receive-side SDP renegotiation), the join's and the join
 * screen's batches, and the cancellation of a consume on its way when its
 * consumer, producer or peer goes meanwhile. Owned by the MediaSession, which
 * lends it what changes (the receive transport) and closes it first.
 */
import type { Consumer, Transport } from 'mediasoup-client/types';
import type { ConsumerParams, MediaSource, RequestData } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';
import { SignalingError } from '../signaling/SignalingError';
import { markJoin } from './joinTimeline';
import { SerialQueue } from './SerialQueue';
import { receiveStatsOf, type ReceiveStats } from './stats';

const log = createLogger('media-session');

export interface ConsumedTrack {
  consumerId: string;
  producerId: string;
  peerId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  producerPaused: boolean;
}

/** What is known about a consumer once it is closed, for the state to forget its track. */
export interface ClosedConsumer {
  consumerId: string;
  peerId: string;
  source: MediaSource;
}

/** What the MediaSession lends its receiving side: read at each use. */
export interface ReceiveLink {
  readonly signaling: SignalingChannel;
  /** The receive transport: null until made. */
  recvTransport(): Transport | null;
  /** What this browser can receive (the Device's), sent with prepareConsumers. */
  rtpCapabilities(): RequestData<'join'>['rtpCapabilities'];
}

/** A consume on its way: cancelled when its consumer, producer or peer goes meanwhile. */
interface Flight {
  producerId: string;
  consumerId: string | null;
  peerId: string | null;
  cancelled: boolean;
}

interface ConsumerEntry {
  consumer: Consumer;
  peerId: string;
  source: MediaSource;
}

export class ReceiveSide {
  private readonly consumers = new Map<string, ConsumerEntry>();
  /** Producers being consumed or queued for it: a consume lost with a dead socket is asked again. */
  private readonly wanted = new Set<string>();
  /** Consumes one at a time: each is a receive-side SDP renegotiation. */
  private readonly consumeQueue = new SerialQueue();
  /** Resolves with the receive transport once both transports are made (createTransports); rejects on close. */
  private readonly transportsReady: Promise<Transport>;
  private resolveTransports!: (recv: Transport) => void;
  private rejectTransports!: (error: Error) => void;
  /**
   * Consumers made on the join screen (prepareConsumers), paused on the
   * server until join resumes them; by consumer id. The join's answer takes
   * them (receiveJoined).
   */
  private readonly prepared = new Map<string, ConsumedTrack>();
  /** Consumes in progress (one, or a join's batch), to cancel one closed meanwhile. */
  private readonly inFlight = new Set<Flight>();
  private closed = false;

  constructor(private readonly link: ReceiveLink) {
    this.transportsReady = new Promise<Transport>((resolve, reject) => {
      this.resolveTransports = resolve;
      this.rejectTransports = reject;
    });
    // Consumes waiting on a session that failed to set up reject on their own.
    this.transportsReady.catch(() => undefined);
  }

  private get signaling(): SignalingChannel {
    return this.link.signaling;
  }

  /** Both transports are made: the consumes waiting for them go on, on this receive transport. */
  transportsMade(recv: Transport): void {
    this.resolveTransports(recv);
  }

  /**
   * Receives a producer: `consume` request, local consumer, `resumeConsumer`
   * (the server creates consumers paused). Queued; resolves null when the
   * consume failed or was cancelled, so one bad stream never breaks the others.
   */
  consume(producerId: string): Promise<ConsumedTrack | null> {
    this.wanted.add(producerId);
    return this.consumeQueue
      .push(() => this.consumeNow(producerId))
      .catch((error: unknown) => {
        log.warn(`consume of producer ${producerId} failed`, error);
        return null;
      })
      .then((consumed) => {
        if (!consumed) this.wanted.delete(producerId);
        return consumed;
      });
  }

  /**
   * The consumers of the join's answer, already flowing on the server: made
   * here together (mediasoup-client makes the consumes of one tick in one SDP
   * negotiation, which also connects the receive transport), without consume
   * or resumeConsumer requests. Resolves with the tracks made; one that
   * failed is logged and not received (the caller consumes it the slow way).
   */
  receiveJoined(consumers: readonly ConsumerParams[]): Promise<ConsumedTrack[]> {
    for (const info of consumers) this.wanted.add(info.producerId);
    const flights = consumers.map((info): Flight => ({ ...info, cancelled: false }));
    for (const flight of flights) this.inFlight.add(flight);
    const batch = async (): Promise<ConsumedTrack[]> => {
      const transport = this.link.recvTransport();
      if (!transport || this.closed) return [];
      // Made on the join screen: the join resumed them (the answer's producerPaused is the newer).
      const taken = consumers.flatMap((info) => {
        const consumed = this.prepared.get(info.consumerId);
        return consumed ? [{ ...consumed, producerPaused: info.producerPaused }] : [];
      });
      this.dropPrepared(new Set(taken.map((c) => c.consumerId)));
      const made = await Promise.all(
        consumers
          .map((info, i) => ({ info, flight: flights[i]! }))
          .filter(({ info }) => !taken.some((c) => c.consumerId === info.consumerId))
          .map(({ info, flight }) =>
            this.consumeLocally(transport, info, flight).catch((error: unknown) => {
              log.warn(`consumer ${info.consumerId} of the join not made`, error);
              return null;
            }),
          ),
      );
      const ready = made.filter((consumed): consumed is ConsumedTrack => consumed !== null);
      // Their videos start now, from a key frame (the server holds them until the page can decode).
      if (ready.length > 0) {
        this.signaling
          .request('consumersReady', { consumerIds: ready.map((c) => c.consumerId) }, { retryOnLost: true })
          .catch((error: unknown) => log.warn('the join\'s key frames not asked for', error));
      }
      // A taken one closed meanwhile (consumerClosed) is closed here already.
      return [...taken.filter((c) => this.consumers.has(c.consumerId)), ...ready];
    };
    return this.consumeQueue
      .push(batch)
      .catch(() => [])
      .then((made) => {
        for (const flight of flights) this.inFlight.delete(flight);
        const received = new Set(made.map((c) => c.producerId));
        for (const info of consumers) if (!received.has(info.producerId)) this.wanted.delete(info.producerId);
        return made;
      });
  }

  /**
   * On the join screen, the receive transport made: the meeting's consumers
   * made now, paused on the server (`prepareConsumers`), so that their SDP is
   * applied before the press and the join only resumes them. Queued before
   * any join's consumers; a refusal (the meeting locked meanwhile, a guest
   * who must wait) leaves nothing prepared: the join decides.
   */
  prepareConsumers(audioOnly: boolean): Promise<void> {
    return this.consumeQueue.push(async () => {
      const transport = this.link.recvTransport();
      if (!transport || this.closed) return;
      const { consumers } = await this.signaling.request('prepareConsumers', { rtpCapabilities: this.link.rtpCapabilities(), audioOnly });
      await Promise.all(
        consumers.map(async (info) => {
          const flight: Flight = { ...info, cancelled: false };
          const consumed = await this.consumeLocally(transport, info, flight).catch((error: unknown) => {
            log.info(`consumer ${info.consumerId} not made on the join screen`, error);
            return null;
          });
          if (consumed) this.prepared.set(consumed.consumerId, consumed);
        }),
      );
      markJoin('consumers-prepared');
    });
  }

  /** Whether this producer is received, or on its way. */
  isReceiving(producerId: string): boolean {
    return this.wanted.has(producerId);
  }

  /** Forgets the join screen's consumers, closing those the join did not keep (the answer no longer lists them). */
  private dropPrepared(kept: ReadonlySet<string>): void {
    for (const consumerId of this.prepared.keys()) {
      if (kept.has(consumerId)) continue;
      const entry = this.consumers.get(consumerId);
      this.consumers.delete(consumerId);
      entry?.consumer.close();
    }
    this.prepared.clear();
  }

  /** Closes a consumer the server closed, or the one still being created. */
  closeConsumer(consumerId: string): ClosedConsumer | null {
    this.cancelFlights((f) => f.consumerId === consumerId);
    const entry = this.consumers.get(consumerId);
    if (!entry) return null;
    this.consumers.delete(consumerId);
    this.wanted.delete(entry.consumer.producerId);
    entry.consumer.close();
    return { consumerId, peerId: entry.peerId, source: entry.source };
  }

  closeConsumersOfProducer(producerId: string): ClosedConsumer[] {
    this.cancelFlights((f) => f.producerId === producerId);
    this.wanted.delete(producerId);
    return [...this.consumers]
      .filter(([, entry]) => entry.consumer.producerId === producerId)
      .map(([id]) => this.closeConsumer(id))
      .filter((closed): closed is ClosedConsumer => closed !== null);
  }

  closeConsumersOfPeer(peerId: string): void {
    this.cancelFlights((f) => f.peerId === peerId);
    for (const [id, entry] of [...this.consumers]) {
      if (entry.peerId === peerId) this.closeConsumer(id);
    }
  }

  getStats(): Promise<ReceiveStats[]> {
    return receiveStatsOf([...this.consumers.values()]);
  }

  /**
   * Cancels the consumes on their way and those waiting for the transports,
   * and forgets the consumers (the session closes the transport, which closes
   * them). Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelFlights(() => true);
    this.rejectTransports(new SignalingError('CONNECTION_LOST', 'session closed'));
    this.consumers.clear();
    this.prepared.clear();
  }

  private async consumeNow(producerId: string): Promise<ConsumedTrack | null> {
    const transport = await this.transportsReady;
    if (this.closed) return null;
    const flight: Flight = { producerId, consumerId: null, peerId: null, cancelled: false };
    this.inFlight.add(flight);
    try {
      const info = await this.signaling.request('consume', { producerId });
      flight.consumerId = info.consumerId;
      if (flight.cancelled || this.closed) return null;
      const consumed = await this.consumeLocally(transport, info, flight);
      if (!consumed) return null;
      await this.signaling.request('resumeConsumer', { consumerId: consumed.consumerId }, { retryOnLost: true });
      return this.consumers.has(consumed.consumerId) ? consumed : null;
    } finally {
      this.inFlight.delete(flight);
    }
  }

  /** The local consumer of a server one; null when cancelled meanwhile (a consumerClosed or producerClosed came). */
  private async consumeLocally(transport: Transport, info: ConsumerParams, flight: Flight): Promise<ConsumedTrack | null> {
    const consumer = await transport.consume({
      id: info.consumerId,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters,
      appData: { peerId: info.peerId, source: info.source },
    });
    if (flight.cancelled || this.closed) {
      consumer.close();
      return null;
    }
    this.consumers.set(consumer.id, { consumer, peerId: info.peerId, source: info.source });
    consumer.on('transportclose', () => this.consumers.delete(consumer.id));
    const { producerId, peerId, source, producerPaused } = info;
    return { consumerId: consumer.id, producerId, peerId, source, track: consumer.track, producerPaused };
  }

  private cancelFlights(which: (flight: Flight) => boolean): void {
    for (const flight of this.inFlight) if (which(flight)) flight.cancelled = true;
  }
}
