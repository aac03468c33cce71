import type { ActiveSpeakerObserver, AppData, Producer, Router, WebRtcTransport } from 'mediasoup/types';
import { mediaCodecs } from './codecs.js';
import type { SfuConfig } from './config.js';
import { Emitter } from './Emitter.js';
import { MediaError } from './errors.js';
import type { Logger } from './logger.js';
import { MediaPeer, type ProducerAppData } from './MediaPeer.js';
import type { WorkerSlot } from './WorkerPool.js';

/** Why a room closed. */
export type RoomCloseReason = 'worker-died' | 'shutdown' | 'empty';

export type MediaRoomEvents = {
  /** The dominant speaker (by microphone), or null when that peer left. */
  activespeaker: [peerId: string | null];
  close: [reason: RoomCloseReason];
};

/**
 * One meeting's media: a router on one worker, its peers, and an
 * ActiveSpeakerObserver fed by every microphone.
 */
export class MediaRoom extends Emitter<MediaRoomEvents> {
  readonly id: string;
  readonly router: Router;
  readonly slot: WorkerSlot;
  readonly #config: SfuConfig;
  readonly #log: Logger;
  readonly #speakerObserver: ActiveSpeakerObserver;
  readonly #peers = new Map<string, MediaPeer>();
  #activeSpeaker: string | null = null;
  #closed = false;

  private constructor(
    id: string,
    slot: WorkerSlot,
    router: Router,
    speakerObserver: ActiveSpeakerObserver,
    config: SfuConfig,
    log: Logger,
  ) {
    super();
    this.id = id;
    this.slot = slot;
    this.router = router;
    this.#speakerObserver = speakerObserver;
    this.#config = config;
    this.#log = log;
    router.on('workerclose', () => this.close('worker-died'));
    speakerObserver.on('dominantspeaker', ({ producer }) => {
      const { peerId } = producer.appData as ProducerAppData;
      if (peerId === this.#activeSpeaker) return;
      this.#activeSpeaker = peerId;
      for (const peer of this.#peers.values()) peer.refreshPriorities();
      this.safeEmit('activespeaker', peerId);
    });
  }

  static async create(id: string, slot: WorkerSlot, config: SfuConfig, log: Logger): Promise<MediaRoom> {
    const router = await slot.worker.createRouter({ mediaCodecs, appData: { roomId: id } });
    try {
      const observer = await router.createActiveSpeakerObserver({ interval: 300 });
      return new MediaRoom(id, slot, router, observer, config, log);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }
  get activeSpeaker(): string | null {
    return this.#activeSpeaker;
  }
  get peers(): ReadonlyMap<string, MediaPeer> {
    return this.#peers;
  }
  get rtpCapabilities(): Router['rtpCapabilities'] {
    return this.router.rtpCapabilities;
  }

  createPeer(peerId: string): MediaPeer {
    if (this.#closed) throw new MediaError('CLOSED', 'room closed');
    if (this.#peers.has(peerId)) throw new MediaError('BAD_PARAMS', 'peer exists');
    if (this.#peers.size >= this.#config.maxPeersPerRoom) throw new MediaError('ROOM_FULL', 'room is full');
    const peer = new MediaPeer(peerId, this, this.#log.child({ peerId }));
    this.#peers.set(peerId, peer);
    peer.once('close', () => {
      this.#peers.delete(peerId);
      // The observer has no "silence" event: a speaker who leaves is no longer one.
      if (this.#activeSpeaker === peerId && !this.#closed) {
        this.#activeSpeaker = null;
        this.safeEmit('activespeaker', null);
      }
    });
    return peer;
  }

  /** Finds a producer of any peer in this room. */
  findProducer(producerId: string): Producer<ProducerAppData> {
    for (const peer of this.#peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer) return producer;
    }
    throw new MediaError('NOT_FOUND', 'no such producer in this room');
  }

  /** @internal for MediaPeer */
  async createWebRtcTransport<T extends AppData>(appData: T, initialBitrate?: number): Promise<WebRtcTransport<T>> {
    if (this.#closed) throw new MediaError('CLOSED', 'room closed');
    return this.router.createWebRtcTransport<T>({
      webRtcServer: this.slot.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: Math.min(
        initialBitrate ?? this.#config.initialAvailableOutgoingBitrate,
        this.#config.initialAvailableOutgoingBitrate,
      ),
      appData,
    });
  }

  /** @internal for MediaPeer */
  observeSpeaker(producer: Producer): void {
    this.#speakerObserver.addProducer({ producerId: producer.id }).catch((error: unknown) => {
      if (!producer.closed) this.#log.warn({ err: error, producerId: producer.id }, 'active speaker observer');
    });
  }

  /** Idempotent. Closes every peer and the router (and so everything on it). */
  close(reason: RoomCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.#peers.values()]) peer.close();
    this.#peers.clear();
    this.router.close();
    this.#log.info({ reason }, 'media room closed');
    this.safeEmit('close', reason);
  }
}
