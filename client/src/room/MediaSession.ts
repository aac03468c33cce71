/**
 * The mediasoup-client side of one joined session: the Device, the send and
 * receive transports, the producers and the consumers. Created and closed by
 * the RoomController; it bridges mediasoup-client's transport events onto the
 * signaling protocol and never touches UI state.
 *
 * Tracks are not owned here: producers are created with `stopTracks: false`
 * and the controller's LocalMedia stops what it opened.
 */
import { Device } from 'mediasoup-client';
import type { Consumer, Producer, RtpCapabilities, RtpParameters, Transport } from 'mediasoup-client/types';
import type { ConsumerParams, MediaSource, RequestData, ResponseData } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';
import { errorCodeOf, toError } from '../errors';
import { SignalingError } from '../signaling/SignalingError';
import type { MediaConnection } from '../state/roomState';
import { Emitter } from '../util/Emitter';
import { worstConnection } from './connectionState';
import { renewTransports } from './iceServers';
import { markJoin } from './joinTimeline';
import { openProbe } from './probe';
import type { LocalSource } from './producerOptions';
import { preferResolution, sendOptionsFor } from './sendOptions';
import { DEFAULT_SCREEN_TUNING, type ScreenTuning } from './screenTuning';
import { SerialQueue } from './SerialQueue';
import { receiveStatsOf, sendStatsOf, type ReceiveStats, type SendStats } from './stats';

const log = createLogger('media-session');

type HelloResponse = ResponseData<'hello'>;

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

export type MediaSessionEvents = {
  connectionstatechange: [MediaConnection];
  /** A local track the producer was sending has ended (device gone). */
  producertrackended: [LocalSource];
  /** The server no longer knows a transport of ours: only a fresh join can mend it. */
  transportgone: [];
};

/** After a resume, a transport not connected by then gets an ICE restart. */
const RESUME_ICE_GRACE_MS = 1_500;
/** A transport 'disconnected' this long (the socket being fine) gets an ICE restart. */
const DISCONNECTED_ICE_GRACE_MS = 2_000;

const MEDIA_SOURCES: readonly MediaSource[] = ['mic', 'camera', 'screen', 'screen-audio'];

function isMediaSource(value: unknown): value is MediaSource {
  return typeof value === 'string' && (MEDIA_SOURCES as readonly string[]).includes(value);
}

/**
 * mediasoup-client 3.18 types a header extension URI (packet-id) that
 * mediasoup 3.19's union does not list, so its RtpCapabilities and
 * RtpParameters do not assign to the server's types. The shapes are the same
 * and the server validates the content: only the static type changes here.
 */
function toServerOrtc<Client, Server>(value: Client): Server {
  return value as unknown as Server;
}

export class MediaSession {
  readonly events = new Emitter<MediaSessionEvents>();
  private sendTransport: Transport | null = null;
  private recvTransport: Transport | null = null;
  private readonly producers = new Map<LocalSource, Producer>();
  private readonly consumers = new Map<string, ConsumerEntry>();
  /** Producers being consumed or queued for it: a consume lost with a dead socket is asked again. */
  private readonly wanted = new Set<string>();
  /** Consumes one at a time: each is a receive-side SDP renegotiation. */
  private readonly consumeQueue = new SerialQueue();
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
  /** Transports with an ICE restart in flight: one at a time each. */
  private readonly restarting = new Set<Transport>();
  /** Transports to restart again once their restart in flight is over (new credentials came meanwhile). */
  private readonly restartAgain = new Set<Transport>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private sendState: MediaConnection = 'new';
  private recvState: MediaConnection = 'new';
  private closed = false;

  private constructor(
    private readonly signaling: SignalingChannel,
    private readonly device: Device,
    /** The newest TURN credentials: given to transports created from now on. */
    private iceServers: RTCIceServer[],
    private readonly screenTuning: ScreenTuning,
  ) {
    this.transportsReady = new Promise<Transport>((resolve, reject) => {
      this.resolveTransports = resolve;
      this.rejectTransports = reject;
    });
    // Consumes waiting on a session that failed to set up reject on their own.
    this.transportsReady.catch(() => undefined);
  }

  /** Creates the Device and loads the router's capabilities. */
  static async create(
    signaling: SignalingChannel,
    hello: Pick<HelloResponse, 'routerRtpCapabilities' | 'iceServers'>,
    screenTuning: ScreenTuning = DEFAULT_SCREEN_TUNING,
  ): Promise<MediaSession> {
    const routerRtpCapabilities = hello.routerRtpCapabilities;
    // A hello without a room (a project page's socket) has none: a bug, not the browser's fault.
    if (!routerRtpCapabilities) throw new SignalingError('INTERNAL', 'hello carried no router capabilities');
    let device: Device;
    try {
      device = await Device.factory();
      await device.load({ routerRtpCapabilities });
    } catch (error) {
      log.error('cannot load the mediasoup Device', error);
      throw new SignalingError('UNSUPPORTED_BROWSER', toError(error).message);
    }
    return new MediaSession(signaling, device, hello.iceServers, screenTuning);
  }

  /** What this browser can receive; sent with `join`. */
  get rtpCapabilities(): RequestData<'join'>['rtpCapabilities'] {
    // `recvRtpCapabilities` is the non-deprecated name of `device.rtpCapabilities`.
    return toServerOrtc<RtpCapabilities, RequestData<'join'>['rtpCapabilities']>(this.device.recvRtpCapabilities);
  }

  /** The worse state of the two transports (see worstConnection). */
  get connection(): MediaConnection {
    return worstConnection(this.sendState, this.recvState);
  }

  /** Connects both transports before join, in the lobby: the probe (probe.ts). */
  async connectEarly(): Promise<void> {
    if (!this.sendTransport || !this.recvTransport || this.closed) return;
    await openProbe(this.signaling, this.sendTransport, this.recvTransport);
  }

  /** Both transports exist (made in the lobby, or after join). */
  get hasTransports(): boolean {
    return this.sendTransport !== null && this.recvTransport !== null;
  }

  /**
   * Makes the transports not made yet, both at once: in the lobby before join
   * (`audioOnly`, the lobby's choice, sets the receive transport's starting
   * estimate), or after it. A failure leaves what was made: a later call makes
   * the rest.
   */
  async createTransports(options: { audioOnly?: boolean } = {}): Promise<void> {
    const [send, recv] = await Promise.allSettled([
      this.sendTransport ?? this.createTransport('send'),
      this.recvTransport ?? this.createTransport('recv', options.audioOnly),
    ]);
    const made = [send, recv].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (this.closed) {
      for (const transport of made) transport.close();
      throw new SignalingError('CONNECTION_LOST', 'session closed while creating transports');
    }
    if (send.status === 'fulfilled') this.sendTransport = send.value;
    if (recv.status === 'fulfilled') this.recvTransport = recv.value;
    if (send.status === 'rejected') throw send.reason;
    if (recv.status === 'rejected') throw recv.reason;
    this.resolveTransports(recv.value);
  }

  hasProducer(source: LocalSource): boolean {
    return this.producers.has(source);
  }

  async produce(source: LocalSource, track: MediaStreamTrack): Promise<void> {
    const transport = this.sendTransport;
    if (!transport || this.closed) throw new SignalingError('NOT_JOINED', `cannot produce ${source}: no send transport`);
    if (this.producers.has(source)) throw new Error(`already producing ${source}`);
    const options = sendOptionsFor(source, this.device.sendRtpCapabilities.codecs ?? [], this.screenTuning);
    const producer = await transport.produce({ ...options, track, appData: { source } });
    if (this.closed) {
      producer.close();
      return;
    }
    this.producers.set(source, producer);
    producer.on('trackended', () => this.events.emit('producertrackended', source));
    producer.on('transportclose', () => this.producers.delete(source));
    log.info(`producing ${source}${source === 'screen' ? ` with ${producer.rtpParameters.codecs[0]?.mimeType ?? '?'}` : ''}`);
    if (source === 'screen') await preferResolution(producer);
  }

  /**
   * Stops sending a source: closed here at once (no more packets), then on
   * the server, which tells the others. Idempotent; a server that cannot be
   * told (socket gone) has closed it already with the session.
   */
  async closeProducer(source: LocalSource): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
    if (this.closed) return;
    await this.signaling.request('closeProducer', { producerId: producer.id });
  }

  /**
   * Forgets a producer the server already closed (a moderator stopped it):
   * closed here, nothing asked of the server.
   */
  dropProducer(source: LocalSource): void {
    const producer = this.producers.get(source);
    if (!producer) return;
    this.producers.delete(source);
    producer.close();
  }

  /** Pauses (or resumes) here and on the server. */
  async setPaused(source: LocalSource, paused: boolean): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer || producer.closed || producer.paused === paused) return;
    // Pause locally first: the user asked for silence, it must not wait for the network.
    if (paused) producer.pause();
    else producer.resume();
    try {
      await this.signaling.request(paused ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
    } catch (error) {
      // A failed resume would leave us "on" while the server drops our media:
      // go back to paused and let the caller restore its state. A failed pause
      // stays paused locally, which is what matters for privacy.
      if (!paused && !producer.closed) producer.pause();
      throw error;
    }
  }

  /** Swaps the producer's track (device change, camera back on); null sends nothing. */
  async replaceTrack(source: LocalSource, track: MediaStreamTrack | null): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer || producer.closed) return;
    await producer.replaceTrack({ track });
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
      const transport = this.recvTransport;
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
      const transport = this.recvTransport;
      if (!transport || this.closed) return;
      const { consumers } = await this.signaling.request('prepareConsumers', { rtpCapabilities: this.rtpCapabilities, audioOnly });
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

  getReceiveStats(): Promise<ReceiveStats[]> {
    return receiveStatsOf([...this.consumers.values()]);
  }

  getSendStats(): Promise<SendStats[]> {
    return sendStatsOf([...this.producers]);
  }

  /** Closes transports, and with them every producer and consumer. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelFlights(() => true);
    this.rejectTransports(new SignalingError('CONNECTION_LOST', 'session closed'));
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.producers.clear();
    this.consumers.clear();
    this.prepared.clear();
    this.events.removeAllListeners();
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

  private async createTransport(direction: 'send' | 'recv', audioOnly?: boolean): Promise<Transport> {
    const info = await this.signaling.request('createTransport', { direction, ...(audioOnly ? { audioOnly } : {}) });
    if (this.closed) throw new SignalingError('CONNECTION_LOST', 'session closed while creating transports');
    const options = {
      id: info.transportId,
      iceParameters: info.iceParameters,
      iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters,
      sctpParameters: info.sctpParameters,
      iceServers: this.iceServers,
    };
    const transport =
      direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    markJoin(`${direction}-transport-created`);

    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.signaling
        .request('connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback())
        .catch((error: unknown) => errback(toError(error)));
    });

    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        const source = appData.source;
        if (!isMediaSource(source)) {
          errback(new Error(`produce without a valid appData.source: ${String(source)}`));
          return;
        }
        this.signaling
          .request('produce', { transportId: transport.id, kind, rtpParameters: toServerOrtc<RtpParameters, RequestData<'produce'>['rtpParameters']>(rtpParameters), source })
          .then(({ producerId }) => callback({ id: producerId }))
          .catch((error: unknown) => errback(toError(error)));
      });
    }

    transport.on('connectionstatechange', (state) => {
      log.info(`${direction} transport ${state}`);
      if (state === 'connected') markJoin(`${direction}-transport-connected`);
      if (direction === 'send') this.sendState = state;
      else this.recvState = state;
      this.events.emit('connectionstatechange', this.connection);
      if (state === 'failed') this.restartIce(transport);
      // Often ICE comes back by itself (the same path returns); if not, restart it.
      if (state === 'disconnected') this.restartUnlessConnected(transport, DISCONNECTED_ICE_GRACE_MS);
    });

    return transport;
  }

  /**
   * Newer TURN credentials (the caller checked they are): transports created
   * from now on use them; the open transports get them, and those that go
   * through a relay restart ICE so that their allocation is made anew under
   * the new credential before the old one expires.
   */
  async renewIceServers(iceServers: RTCIceServer[]): Promise<void> {
    if (this.closed) return;
    this.iceServers = iceServers;
    await renewTransports(
      [this.sendTransport, this.recvTransport],
      iceServers,
      (transport) => this.restartIce(transport, 'new TURN credentials'),
      (transport, error) => log.warn(`cannot give new TURN credentials to the ${transport.direction} transport`, error),
    );
  }

  /**
   * The signaling session was resumed on a new socket (the network changed
   * or came back): transports whose ICE failed restart now, those not
   * connected shortly after restart then. Producers and consumers stay.
   */
  afterResume(): void {
    for (const transport of [this.sendTransport, this.recvTransport]) {
      if (!transport || transport.closed) continue;
      const state = transport.connectionState;
      if (state === 'failed') this.restartIce(transport);
      else if (state !== 'new' && state !== 'connected') this.restartUnlessConnected(transport, RESUME_ICE_GRACE_MS);
    }
  }

  private restartUnlessConnected(transport: Transport, afterMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed || transport.closed) return;
      const state = transport.connectionState;
      if (state !== 'connected' && state !== 'new') this.restartIce(transport);
    }, afterMs);
    this.timers.add(timer);
  }

  /**
   * ICE restart after a network change (Wi-Fi to 4G on a site), or to
   * re-allocate a relay under new TURN credentials; media resumes without
   * rejoining. A renewal that comes during a restart in flight restarts
   * again after it: the one in flight may have gathered with the old servers.
   */
  private restartIce(transport: Transport, why?: string): void {
    if (this.closed) return;
    if (this.restarting.has(transport)) {
      if (why) this.restartAgain.add(transport);
      return;
    }
    this.restarting.add(transport);
    log.info(`ICE restart of the ${transport.direction} transport (${transport.connectionState})${why ? `: ${why}` : ''}`);
    this.signaling
      // Safe to send again after a resume: the last answer's parameters are the ones applied.
      .request('restartIce', { transportId: transport.id }, { retryOnLost: true })
      .then(({ iceParameters }) => (transport.closed ? undefined : transport.restartIce({ iceParameters })))
      .catch((error: unknown) => {
        log.warn(`ICE restart of ${transport.direction} transport failed`, error);
        if (errorCodeOf(error) === 'NOT_FOUND' && !this.closed) this.events.emit('transportgone');
      })
      .finally(() => {
        this.restarting.delete(transport);
        if (this.restartAgain.delete(transport) && !transport.closed) this.restartIce(transport, 'new TURN credentials');
      });
  }
}
