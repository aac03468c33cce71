/**
 * The receiving side of a MediaPeer: its consumers of other peers' producers
 * and what holds each of them (the client's own pause, the viewport, the
 * downlink, the loudest voices), the downlink's estimate, the shared screens
 * it gets as still pictures, and audio-only. Kept apart from the transports
 * and producers, which MediaPeer owns: this needs of its peer and room only
 * what `ConsumersHost` lists, so it imports neither. Part of a MediaPeer.
 */
import type { Consumer, Producer, RtpCapabilities, WebRtcTransport } from 'mediasoup/types';
import { ConsumerControls } from './ConsumerControls.js';
import { Downlink } from './Downlink.js';
import { MediaError } from './errors.js';
import { judgeScreenAtStart } from './screenAtStart.js';
import { ScreenStillNeeds } from './ScreenStillNeeds.js';
import type { Logger } from './logger.js';
import type { ConsumerAppData, PauseReason, ProducerAppData, TransportAppData, ViewportTile } from './mediaTypes.js';

/** What the consumers need of their peer and its room, and where they report. */
export interface ConsumersHost {
  peerId: string;
  log: Logger;
  /** The peer closed: nothing more is made, and what was made meanwhile is closed. */
  closed: () => boolean;
  /** The peer's receive transport, once made. */
  recvTransport: () => WebRtcTransport<TransportAppData> | undefined;
  /** Whether a device can receive `producer` (MediaRoom.canConsume). */
  canConsume: (producer: Producer<ProducerAppData>, rtpCapabilities: RtpCapabilities) => boolean;
  /** Makes `producer` consumable on the peer's worker (MediaRoom.pipeProducerTo). */
  pipe: (producer: Producer<ProducerAppData>) => Promise<void>;
  /** A new consumer is a voice the room's loudest-voices choice holds for this listener (LoudestVoices.held). */
  voiceHeld: (consumer: Consumer<ConsumerAppData>) => boolean;
  /** The room's active speaker (a peer id), for bitrate priorities. */
  activeSpeaker: () => string | null;
  /** A consumer was closed by the server side (its producer or transport went away, or audio-only). */
  onConsumerClosed: (consumerId: string) => void;
  /** Video was stopped (true) or allowed again (false) for lack of downlink bandwidth. */
  onLimited: (limited: boolean) => void;
  /** A shared screen (its producer id) is needed (true) or no longer (false) as a still picture. */
  onScreenStill: (producerId: string, needed: boolean) => void;
}

export class PeerConsumers {
  readonly #host: ConsumersHost;
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

  constructor(host: ConsumersHost) {
    this.#host = host;
    const { log } = host;
    this.#controls = new ConsumerControls(log);
    this.#stills = new ScreenStillNeeds({
      onChange: (producerId, needed) => host.onScreenStill(producerId, needed),
      lossOf: () => this.#downlink.loss(),
      onLossless: (consumerId, loss) => log.info({ consumerId, loss }, 'screen held for bandwidth: no still, the downlink loses nothing'),
    });
    this.#downlink = new Downlink({
      consumers: this.#consumers,
      controls: this.#controls,
      log,
      onLimited: (limited) => host.onLimited(limited),
      onHeld: (consumer, held, atStart) => {
        if (consumer.appData.source === 'screen') this.#stills.held(consumer.id, consumer.producerId, held, atStart);
      },
    });
  }

  get consumers(): ReadonlyMap<string, Consumer<ConsumerAppData>> {
    return this.#consumers;
  }
  get audioOnly(): boolean {
    return this.#audioOnly;
  }
  get availableBitrate(): number | undefined {
    return this.#downlink.estimate;
  }
  get bandwidthSuspended(): ReadonlySet<string> {
    return this.#downlink.suspended;
  }
  get screenStills(): string[] {
    return this.#stills.producers;
  }
  pauseReasons(consumerId: string): ReadonlySet<PauseReason> {
    return this.#controls.reasons(consumerId);
  }

  setRtpCapabilities(caps: RtpCapabilities): void {
    this.#rtpCapabilities = caps;
  }

  /** Follows the receive transport's estimate (Downlink.watch). */
  watchDownlink(transport: WebRtcTransport): Promise<void> {
    return this.#downlink.watch(transport);
  }

  /** A consumer of another peer's producer: paused until the client resumes it, or `flowing` (a join's answer). */
  async consume(producer: Producer<ProducerAppData>, { flowing = false } = {}): Promise<Consumer<ConsumerAppData>> {
    this.#assertOpen();
    if (!this.#rtpCapabilities) throw new MediaError('CANNOT_CONSUME', 'join first with RTP capabilities');
    if (producer.appData.peerId === this.#host.peerId) throw new MediaError('CANNOT_CONSUME', 'cannot consume own producer');
    if (this.#audioOnly && producer.kind === 'video') throw new MediaError('AUDIO_ONLY', 'this peer receives no video');
    if (!this.#host.canConsume(producer, this.#rtpCapabilities)) {
      throw new MediaError('CANNOT_CONSUME', 'device cannot receive this producer');
    }
    const transport = this.#host.recvTransport();
    if (!transport) throw new MediaError('NOT_FOUND', 'no receive transport');
    // A producer on another worker of a spread room is consumed from its pipe producer here.
    await this.#host.pipe(producer);
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
        appData: { peerId: this.#host.peerId, producerPeerId: producer.appData.peerId, source: producer.appData.source },
      });
    } catch (error) {
      if (producer.closed) throw new MediaError('NOT_FOUND', 'producer closed');
      throw error;
    }
    if (this.#host.closed()) {
      consumer.close();
      throw new MediaError('CLOSED', 'peer closed');
    }
    // Switched to audio-only while this consume was on its way.
    if (this.#audioOnly && consumer.kind === 'video') {
      consumer.close();
      throw new MediaError('AUDIO_ONLY', 'this peer receives no video');
    }
    this.#consumers.set(consumer.id, consumer);
    // Followed before anything is awaited, so that a close from here on (below, or its producer's) forgets it.
    this.#followClose(consumer, producer);
    try {
      await this.#settle(consumer, producer, flowing);
    } catch (error) {
      // The client never learns this consumer's id if consume fails: closed here, or it would stay on the
      // worker (paused, counted by the downlink) until its transport or producer closes.
      consumer.close();
      if (producer.closed) throw new MediaError('NOT_FOUND', 'producer closed');
      throw error;
    }
    return consumer;
  }

  /** What holds a new consumer (the loudest voices, the downlink for a screen), its controls and priority. */
  async #settle(consumer: Consumer<ConsumerAppData>, producer: Producer<ProducerAppData>, flowing: boolean): Promise<void> {
    // Flowing (the join answer's consumers) unless this listener's loudest-voices choice holds it.
    const held = this.#host.voiceHeld(consumer);
    if (flowing && held) await consumer.pause();
    if (consumer.closed) throw new MediaError('NOT_FOUND', 'producer closed');
    this.#controls.add(consumer.id, {
      reasons: new Set<PauseReason>([...(flowing ? [] : ['client' as const]), ...(held ? ['voice' as const] : [])]),
      paused: !flowing || held,
      priority: 0,
      spatialLayers: consumer.type === 'simulcast' ? (producer.rtpParameters.encodings?.length ?? 1) : 1,
    });
    if (flowing) this.#applyPriority(consumer);
    // A screen on a downlink already too weak for it: held from the start, the still instead (screenStill.ts).
    if (producer.appData.source === 'screen') {
      const downlink = await this.#downlink.holdScreenIfWeak(consumer, this.#stills.verdictOf(producer.id));
      this.#host.log.info({ consumerId: consumer.id, ...downlink }, 'screen consumed');
    }
  }

  /** Another peer's screen share began: this downlink judged now (screenAtStart.ts); settles with the verdict. */
  async expectScreen(producerId: string): Promise<boolean> {
    if (this.#host.closed() || this.#audioOnly) return false;
    return judgeScreenAtStart(producerId, { downlink: this.#downlink, stills: this.#stills, log: this.#host.log, closed: this.#host.closed });
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
   * Audio-only on: every video consumer is closed (the client is told through
   * onConsumerClosed) and new ones are refused. Off: the client consumes video
   * again. Whether the mode changed.
   */
  setAudioOnly(audioOnly: boolean): boolean {
    this.#assertOpen();
    const changed = audioOnly !== this.#audioOnly;
    this.#audioOnly = audioOnly;
    for (const consumer of audioOnly ? [...this.#consumers.values()] : []) {
      if (consumer.kind !== 'video') continue;
      this.#consumers.delete(consumer.id);
      consumer.close();
      this.#host.onConsumerClosed(consumer.id);
    }
    return changed;
  }

  /** The video the client shows (MediaPeer.setViewport). */
  async setViewport(tiles: readonly ViewportTile[]): Promise<void> {
    this.#assertOpen();
    this.#viewport = new Map(tiles.filter((t) => t.width > 0 && t.height > 0).map((t) => [t.producerId, t]));
    const videos = [...this.#consumers.values()].filter((c) => c.kind === 'video');
    await Promise.all(videos.map((consumer) => this.#applyViewport(consumer)));
    this.#reconcileBandwidth();
  }

  /** Bitrate priorities follow the active speaker. */
  refreshPriorities(): void {
    for (const consumer of this.#consumers.values()) this.#applyPriority(consumer);
  }

  /** The peer closes (its transports close its consumers): no still is asked any more. */
  close(): void {
    this.#stills.close();
  }

  /** Forgets a consumer however it closes, and tells the client when the server side closed it. */
  #followClose(consumer: Consumer<ConsumerAppData>, producer: Producer<ProducerAppData>): void {
    const forget = (): void => {
      this.#controls.delete(consumer.id);
      this.#downlink.forget(consumer.id);
      this.#stills.forget(consumer.id);
    };
    const onServerClose = (): void => {
      forget();
      if (this.#consumers.delete(consumer.id)) this.#host.onConsumerClosed(consumer.id);
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
  }

  async #applyViewport(consumer: Consumer<ConsumerAppData>): Promise<void> {
    if (this.#viewport) await this.#controls.applyTile(consumer, this.#viewport.get(consumer.producerId));
  }

  #applyPriority(consumer: Consumer<ConsumerAppData>): void {
    this.#controls.applyPriority(consumer, this.#host.activeSpeaker());
  }

  /** Stops the least important video when the estimate cannot carry it with the voices (Downlink.ts). */
  #reconcileBandwidth(): void {
    if (!this.#host.closed()) this.#downlink.reconcile();
  }

  #assertOpen(): void {
    if (this.#host.closed()) throw new MediaError('CLOSED', 'peer closed');
  }
}
