import type {
  ActiveSpeakerObserver,
  AppData,
  Producer,
  Router,
  RtpCapabilities,
  WebRtcTransport,
} from 'mediasoup/types';
import { mediaCodecs } from './codecs.js';
import type { SfuConfig } from './config.js';
import { Emitter } from './Emitter.js';
import { MediaError } from './errors.js';
import type { Logger } from './logger.js';
import { LoudestVoices } from './LoudestVoices.js';
import { MediaPeer, type ProducerAppData } from './MediaPeer.js';
import { workerForPeer } from './placement.js';
import { RoomPipes, type RoomRouter } from './RoomPipes.js';
import type { WorkerPool, WorkerSlot } from './WorkerPool.js';

export type { RoomRouter } from './RoomPipes.js';

/** Why a room closed. */
export type RoomCloseReason = 'worker-died' | 'shutdown' | 'empty';

export type MediaRoomEvents = {
  /** The dominant speaker (by microphone), or null when that peer left. */
  activespeaker: [peerId: string | null];
  close: [reason: RoomCloseReason];
};

/** Where a room's media is, for logs and tests: which participant is on which worker. */
export interface RoomLayout {
  /** The worker of the home router (where the room was created). */
  home: number;
  routers: { worker: number; routerId: string; peers: string[]; pipeProducers: number }[];
}

/**
 * One meeting's media: a home router on one worker, its peers, and an
 * ActiveSpeakerObserver fed by every microphone.
 *
 * A room too big for one worker spreads (placement.ts): a participant who
 * joins while the home worker is at its consumer limit gets a router of the
 * room on another worker, created then. A producer is piped to each other
 * router of the room once one of its participants consumes it (RoomPipes.ts),
 * and a router closes, with its pipes, when its last participant leaves.
 * Pause and resume of a producer reach the consumers of its pipe producers
 * (mediasoup pauses a pipe consumer with its producer and the pipe producer
 * with it).
 * Microphones on another worker are piped home for the speaker observer.
 *
 * The death of any worker the room is on closes the whole room with
 * 'worker-died', as a room on one worker does: its clients rejoin, and are
 * placed again.
 */
export class MediaRoom extends Emitter<MediaRoomEvents> {
  readonly id: string;
  /** The home router. */
  readonly router: Router;
  /** The home worker. */
  readonly slot: WorkerSlot;
  readonly #pool: WorkerPool;
  readonly #config: SfuConfig;
  readonly #log: Logger;
  readonly #speakerObserver: ActiveSpeakerObserver;
  readonly voices: LoudestVoices; // for listeners that cannot take every voice
  readonly #peers = new Map<string, MediaPeer>();
  /** Live routers by worker index (the home one included). */
  readonly #routers = new Map<number, RoomRouter>();
  readonly #creating = new Map<number, Promise<RoomRouter>>();
  /** Participants by the worker they were placed on (their router may still be being created). */
  readonly #placed = new Map<number, Set<string>>();
  readonly #pipes: RoomPipes;
  #activeSpeaker: string | null = null;
  #closed = false;

  private constructor(
    id: string,
    slot: WorkerSlot,
    router: Router,
    speakerObserver: ActiveSpeakerObserver,
    voices: LoudestVoices,
    pool: WorkerPool,
    config: SfuConfig,
    log: Logger,
  ) {
    super();
    this.id = id;
    this.slot = slot;
    this.router = router;
    this.#pool = pool;
    this.#speakerObserver = speakerObserver;
    this.voices = voices;
    this.#config = config;
    this.#log = log;
    this.#pipes = new RoomPipes(log, () => this.#closed);
    this.#adopt(slot, router);
    speakerObserver.on('dominantspeaker', ({ producer }) => {
      const { peerId } = producer.appData as ProducerAppData;
      if (peerId === this.#activeSpeaker) return;
      this.#activeSpeaker = peerId;
      for (const peer of this.#peers.values()) peer.refreshPriorities();
      this.safeEmit('activespeaker', peerId);
    });
  }

  static async create(id: string, slot: WorkerSlot, pool: WorkerPool, config: SfuConfig, log: Logger): Promise<MediaRoom> {
    const router = await slot.worker.createRouter({ mediaCodecs, appData: { roomId: id } });
    try {
      const observer = await router.createActiveSpeakerObserver({ interval: 300 });
      const voices = await LoudestVoices.create(router, config.forwardedVoices, log);
      return new MediaRoom(id, slot, router, observer, voices, pool, config, log);
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
  /** Every router of the room works with the same codecs: the home one answers for all. */
  get rtpCapabilities(): Router['rtpCapabilities'] {
    return this.router.rtpCapabilities;
  }
  /** Live routers by worker index, the home one included. */
  get routers(): ReadonlyMap<number, RoomRouter> {
    return this.#routers;
  }
  /** Whether the room has routers on more than one worker. */
  get spread(): boolean {
    return this.#routers.size > 1;
  }

  /** Which participant is on which worker, and how many producers were piped to each router. */
  layout(): RoomLayout {
    const pipedTo = this.#pipes.countByRouter();
    return {
      home: this.slot.index,
      routers: [...this.#routers.values()].map(({ slot, router }) => ({
        worker: slot.index,
        routerId: router.id,
        peers: [...(this.#placed.get(slot.index) ?? [])],
        pipeProducers: pipedTo.get(router.id) ?? 0,
      })),
    };
  }

  /** A participant, placed on the home worker or, when the room spreads, on the least-loaded one. */
  createPeer(peerId: string): MediaPeer {
    if (this.#closed) throw new MediaError('CLOSED', 'room closed');
    if (this.#peers.has(peerId)) throw new MediaError('BAD_PARAMS', 'peer exists');
    if (this.#peers.size >= this.#config.maxPeersPerRoom) throw new MediaError('ROOM_FULL', 'room is full');
    const slot = this.#place(peerId);
    const peer = new MediaPeer(peerId, this, slot, this.#log.child({ peerId, worker: slot.index }));
    this.#peers.set(peerId, peer);
    this.voices.addPeer(peer);
    let placed = this.#placed.get(slot.index);
    if (!placed) this.#placed.set(slot.index, (placed = new Set()));
    placed.add(peerId);
    peer.once('close', () => {
      this.#peers.delete(peerId);
      placed.delete(peerId);
      this.#closeUnusedRouter(slot);
      // The observer has no "silence" event: a speaker who leaves is no longer one.
      if (this.#activeSpeaker === peerId && !this.#closed) {
        this.#activeSpeaker = null;
        this.safeEmit('activespeaker', null);
      }
    });
    return peer;
  }

  /** Finds a producer of any peer in this room (the participant's own, not a pipe producer). */
  findProducer(producerId: string): Producer<ProducerAppData> {
    for (const peer of this.#peers.values()) {
      const producer = peer.producers.get(producerId);
      if (producer) return producer;
    }
    throw new MediaError('NOT_FOUND', 'no such producer in this room');
  }

  /** @internal for MediaPeer: whether a device can receive `producer` (checked where it is produced). */
  canConsume(producer: Producer<ProducerAppData>, rtpCapabilities: RtpCapabilities): boolean {
    if (producer.closed) throw new MediaError('NOT_FOUND', 'producer closed');
    const source = this.#sourceOf(producer);
    return source.router.canConsume({ producerId: producer.id, rtpCapabilities });
  }

  /** @internal for MediaPeer */
  async createWebRtcTransport<T extends AppData>(
    peer: MediaPeer,
    appData: T,
    initialBitrate?: number,
  ): Promise<WebRtcTransport<T>> {
    if (this.#closed) throw new MediaError('CLOSED', 'room closed');
    const { router, slot } = await this.#routerOn(peer.slot);
    if (this.#closed || router.closed) throw new MediaError('CLOSED', 'room closed');
    return router.createWebRtcTransport<T>({
      webRtcServer: slot.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      // For the probe only (probe.ts): one small data channel each way.
      enableSctp: true,
      numSctpStreams: { OS: 1, MIS: 1 },
      maxSctpMessageSize: 1024,
      sctpSendBufferSize: 16_384,
      initialAvailableOutgoingBitrate: Math.min(
        initialBitrate ?? this.#config.initialAvailableOutgoingBitrate,
        this.#config.initialAvailableOutgoingBitrate,
      ),
      appData,
    });
  }

  /**
   * @internal for MediaPeer: makes `producer` consumable on the router of
   * `slot` (a pipe from the producer's router, made once and shared).
   * Nothing to do when both are on the same worker.
   */
  async pipeProducerTo(producer: Producer<ProducerAppData>, slot: WorkerSlot): Promise<void> {
    if (producer.closed) throw new MediaError('NOT_FOUND', 'producer closed');
    const source = this.#sourceOf(producer);
    if (source.slot === slot) return;
    return this.#pipes.pipe(producer, source, await this.#routerOn(slot));
  }

  /** @internal for MediaPeer: feeds a microphone to the speaker observer and to the loudest voices (on the home router). */
  observeSpeaker(producer: Producer<ProducerAppData>): void {
    this.pipeProducerTo(producer, this.slot)
      // Gone meanwhile: the worker no longer has it, and would log the request as an error.
      .then(async () => producer.closed || this.#closed ? undefined
        : Promise.all([this.#speakerObserver.addProducer({ producerId: producer.id }), this.voices.addMicrophone(producer)]))
      .catch((error: unknown) => {
        if (!producer.closed && !this.#closed) this.#log.warn({ err: error, producerId: producer.id }, 'active speaker observer');
      });
  }

  /** Idempotent. Closes every peer and every router of the room (and so everything on them). */
  close(reason: RoomCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of [...this.#peers.values()]) peer.close();
    this.#peers.clear();
    this.voices.close();
    for (const { router } of [...this.#routers.values()]) router.close();
    this.router.close();
    this.#log.info({ reason }, 'media room closed');
    this.safeEmit('close', reason);
  }

  /** The worker for a joining participant (placement.ts). */
  #place(peerId: string): WorkerSlot {
    const workers = this.#pool.alive;
    if (!workers.includes(this.slot)) workers.unshift(this.slot);
    const roomWorkers = new Set<number>([this.slot.index, ...this.#routers.keys(), ...this.#creating.keys()]);
    for (const [index, peers] of this.#placed) if (peers.size > 0) roomWorkers.add(index);
    const { worker, spread, overLimit } = workerForPeer({
      home: this.slot,
      roomWorkers,
      workers,
      maxConsumersPerWorker: this.#config.maxConsumersPerWorker,
    });
    if (overLimit) {
      this.#log.warn(
        { peerId, worker: worker.index, consumers: worker.load.consumers, limit: this.#config.maxConsumersPerWorker },
        'every worker is at its consumer limit: placed on the least loaded',
      );
    }
    if (spread) this.#log.info({ peerId, worker: worker.index, home: this.slot.index }, 'participant placed on a spread room');
    return worker;
  }

  /** The router of the room on `slot`, created on first use. */
  #routerOn(slot: WorkerSlot): Promise<RoomRouter> {
    const existing = this.#routers.get(slot.index);
    if (existing?.slot === slot) return Promise.resolve(existing);
    let pending = this.#creating.get(slot.index);
    if (!pending) {
      pending = this.#createRouter(slot).finally(() => this.#creating.delete(slot.index));
      this.#creating.set(slot.index, pending);
    }
    return pending;
  }

  async #createRouter(slot: WorkerSlot): Promise<RoomRouter> {
    let router: Router;
    try {
      router = await slot.worker.createRouter({ mediaCodecs, appData: { roomId: this.id } });
    } catch (error) {
      // The worker died since this participant was placed on it.
      if (slot.worker.closed) {
        this.close('worker-died');
        throw new MediaError('CLOSED', 'room closed');
      }
      throw error;
    }
    if (this.#closed) {
      router.close();
      throw new MediaError('CLOSED', 'room closed');
    }
    const rr = this.#adopt(slot, router);
    this.#log.info({ worker: slot.index, routerId: router.id, routers: this.#routers.size }, 'room spread to another worker');
    return rr;
  }

  /** Counts what the router carries into its worker's load, and closes the room with the worker. */
  #adopt(slot: WorkerSlot, router: Router): RoomRouter {
    const rr: RoomRouter = { slot, router };
    this.#routers.set(slot.index, rr);
    const load = slot.load;
    load.routers++;
    router.observer.once('close', () => {
      load.routers--;
      if (this.#routers.get(slot.index) === rr) this.#routers.delete(slot.index);
      this.#pipes.routerClosed(router.id);
    });
    router.on('workerclose', () => this.close('worker-died'));
    router.observer.on('newtransport', (transport) => {
      if (transport.type === 'direct') return; // the loudest voices' tap (LoudestVoices.ts): no participant's load
      if (transport.type === 'pipe') {
        load.pipeTransports++;
        transport.observer.once('close', () => load.pipeTransports--);
      }
      transport.observer.on('newproducer', (producer) => {
        load.producers++;
        producer.observer.once('close', () => load.producers--);
      });
      transport.observer.on('newconsumer', (consumer) => {
        load.consumers++;
        consumer.observer.once('close', () => load.consumers--);
      });
    });
    return rr;
  }

  /** A router other than the home one closes when nobody is left on its worker (its pipes close with it). */
  #closeUnusedRouter(slot: WorkerSlot): void {
    if (this.#closed || slot === this.slot || (this.#placed.get(slot.index)?.size ?? 0) > 0) return;
    this.#placed.delete(slot.index);
    const close = (rr: RoomRouter): void => {
      // Someone was placed there again meanwhile.
      if ((this.#placed.get(slot.index)?.size ?? 0) > 0 || rr.router.closed) return;
      rr.router.close();
      this.#log.info({ worker: slot.index, routerId: rr.router.id }, 'router of the room closed: nobody left on its worker');
    };
    const rr = this.#routers.get(slot.index);
    if (rr?.slot === slot) close(rr);
    else this.#creating.get(slot.index)?.then(close, () => {});
  }

  /** The router a participant's producer is on. */
  #sourceOf(producer: Producer<ProducerAppData>): RoomRouter {
    const owner = this.#peers.get(producer.appData.peerId);
    const rr = owner && this.#routers.get(owner.slot.index);
    if (!rr || rr.slot !== owner.slot) throw new MediaError('NOT_FOUND', 'producer closed');
    return rr;
  }
}
