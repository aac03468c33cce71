/**
 * The mediasoup-client side of one joined session: the Device, the send and
 * receive transports, the producers and the consumers. Created and closed by
 * the RoomController; it bridges mediasoup-client's transport events onto the
 * signaling protocol and never touches UI state. The receiving side (the
 * consumers, the consume queue) is its ReceiveSide's, the ICE restarts its
 * IceRestarts'.
 *
 * Tracks are not owned here: producers are created with `stopTracks: false`
 * and the controller's LocalMedia stops what it opened.
 */
import { Device } from 'mediasoup-client';
import type { Producer, RtpCapabilities, RtpParameters, Transport } from 'mediasoup-client/types';
import type { ConsumerParams, MediaSource, RequestData, ResponseData } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';
import { toError } from '../errors';
import { SignalingError } from '../signaling/SignalingError';
import type { MediaConnection } from '../state/roomState';
import { Emitter } from '../util/Emitter';
import { worstConnection } from './connectionState';
import { IceRestarts } from './IceRestarts';
import { markJoin } from './joinTimeline';
import { openProbe } from './probe';
import type { LocalSource } from './producerOptions';
import { fitCameraToShare } from './presenterCamera';
import { ScreenRefinement } from './screenRefinement';
import { ReceiveSide, type ClosedConsumer, type ConsumedTrack } from './ReceiveSide';
import { preferResolution, sendOptionsFor } from './sendOptions';
import { DEFAULT_SCREEN_TUNING, type ScreenTuning } from './screenTuning';
import { sendStatsOf, type ReceiveStats, type SendStats } from './stats';

const log = createLogger('media-session');

type HelloResponse = ResponseData<'hello'>;

export type { ClosedConsumer, ConsumedTrack };

export type MediaSessionEvents = {
  connectionstatechange: [MediaConnection];
  /** A local track the producer was sending has ended (device gone). */
  producertrackended: [LocalSource];
  /** The server no longer knows a transport of ours: only a fresh join can mend it. */
  transportgone: [];
};

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
  /** The shared screen's capture rate, held up while its encoder refines (screenRefinement.ts). */
  private refinement: ScreenRefinement | null = null;
  /** The consumers and the consumes on their way (ReceiveSide.ts). */
  private readonly receiving: ReceiveSide;
  /** The transports' ICE restarts (IceRestarts.ts). */
  private readonly ice: IceRestarts;
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
    this.receiving = new ReceiveSide({
      signaling,
      recvTransport: () => this.recvTransport,
      rtpCapabilities: () => this.rtpCapabilities,
    });
    this.ice = new IceRestarts({
      signaling,
      transports: () => [this.sendTransport, this.recvTransport],
      transportGone: () => this.events.emit('transportgone'),
    });
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
    this.receiving.transportsMade(recv.value);
  }

  hasProducer(source: LocalSource): boolean {
    return this.producers.has(source);
  }

  /** The server's id of a source's producer, null when it is not produced. */
  producerIdOf(source: LocalSource): string | null {
    return this.producers.get(source)?.id ?? null;
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
    if (source === 'screen') {
      await preferResolution(producer);
      this.refinement?.stop();
      this.refinement = new ScreenRefinement(producer, track);
      this.refinement.start();
    }
    if (source === 'screen' || source === 'camera') await this.fitCamera();
  }

  private stopRefinement(): void {
    this.refinement?.stop();
    this.refinement = null;
  }

  /** The camera's small layer only while this page shares a screen (presenterCamera.ts). */
  private fitCamera(): Promise<void> {
    return fitCameraToShare(this.producers.get('camera'), this.producers.has('screen'));
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
    if (source === 'screen') this.stopRefinement();
    if (this.closed) return;
    if (source === 'screen') await this.fitCamera();
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
    if (source === 'screen') this.stopRefinement();
    // Never rejects (fitCameraToShare logs its failures).
    if (source === 'screen' && !this.closed) void this.fitCamera();
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

  /** Receives a producer; resolves null when that failed or was cancelled (ReceiveSide.consume). */
  consume(producerId: string): Promise<ConsumedTrack | null> {
    return this.receiving.consume(producerId);
  }

  /** Makes the join's consumers, already flowing on the server (ReceiveSide.receiveJoined). */
  receiveJoined(consumers: readonly ConsumerParams[]): Promise<ConsumedTrack[]> {
    return this.receiving.receiveJoined(consumers);
  }

  /** On the join screen: the meeting's consumers made paused, for the join to resume (ReceiveSide.prepareConsumers). */
  prepareConsumers(audioOnly: boolean): Promise<void> {
    return this.receiving.prepareConsumers(audioOnly);
  }

  /** Whether this producer is received, or on its way. */
  isReceiving(producerId: string): boolean {
    return this.receiving.isReceiving(producerId);
  }

  /** Closes a consumer the server closed, or the one still being created. */
  closeConsumer(consumerId: string): ClosedConsumer | null {
    return this.receiving.closeConsumer(consumerId);
  }

  closeConsumersOfProducer(producerId: string): ClosedConsumer[] {
    return this.receiving.closeConsumersOfProducer(producerId);
  }

  closeConsumersOfPeer(peerId: string): void {
    this.receiving.closeConsumersOfPeer(peerId);
  }

  getReceiveStats(): Promise<ReceiveStats[]> {
    return this.receiving.getStats();
  }

  getSendStats(): Promise<SendStats[]> {
    return sendStatsOf([...this.producers]);
  }

  /** Closes transports, and with them every producer and consumer. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopRefinement();
    this.receiving.close();
    this.ice.close();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.producers.clear();
    this.events.removeAllListeners();
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
      // ICE starts now (first produce, consume or data channel): restarted if it never connects.
      this.ice.onConnecting(transport);
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
      this.ice.onConnectionState(transport, state);
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
    await this.ice.renew(iceServers);
  }

  /**
   * The signaling session was resumed on a new socket (the network changed
   * or came back): transports whose ICE failed restart now, those not
   * connected shortly after restart then. Producers and consumers stay.
   */
  afterResume(): void {
    this.ice.afterResume();
  }
}
