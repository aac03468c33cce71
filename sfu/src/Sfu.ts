import type { SfuConfig } from './config.js';
import { Emitter } from './Emitter.js';
import type { Logger } from './logger.js';
import { MediaRoom } from './MediaRoom.js';
import { WorkerPool, type WorkerSlot } from './WorkerPool.js';

export type SfuEvents = {
  roomclosed: [roomId: string, reason: string];
};

/**
 * The SFU as the signaling side sees it: a pool of workers and the rooms
 * placed on them, looked up by id. No HTTP, no sockets.
 */
export class Sfu extends Emitter<SfuEvents> {
  readonly config: SfuConfig;
  readonly pool: WorkerPool;
  readonly #log: Logger;
  readonly #rooms = new Map<string, MediaRoom>();
  readonly #creating = new Map<string, Promise<MediaRoom>>();
  #closed = false;

  private constructor(config: SfuConfig, pool: WorkerPool, log: Logger) {
    super();
    this.config = config;
    this.pool = pool;
    this.#log = log;
  }

  static async create(config: SfuConfig, log: Logger): Promise<Sfu> {
    const pool = await WorkerPool.create(config, log.child({ component: 'workers' }));
    return new Sfu(config, pool, log);
  }

  get closed(): boolean {
    return this.#closed;
  }
  get rooms(): ReadonlyMap<string, MediaRoom> {
    return this.#rooms;
  }

  /** The room with this id, created on the least-loaded worker if needed. */
  async room(roomId: string): Promise<MediaRoom> {
    if (this.#closed) throw new Error('SFU closed');
    const existing = this.#rooms.get(roomId);
    if (existing && !existing.closed) return existing;
    // Two joins racing for a new room must get the same one.
    let pending = this.#creating.get(roomId);
    if (!pending) {
      pending = this.#createRoom(roomId).finally(() => this.#creating.delete(roomId));
      this.#creating.set(roomId, pending);
    }
    return pending;
  }

  async #createRoom(roomId: string): Promise<MediaRoom> {
    const slot: WorkerSlot = this.pool.leastLoaded();
    // Held while the router is made, so that rooms created together spread.
    slot.load.routers++;
    let room: MediaRoom;
    try {
      room = await MediaRoom.create(roomId, slot, this.pool, this.config, this.#log.child({ roomId, home: slot.index }));
    } finally {
      slot.load.routers--;
    }
    this.#rooms.set(roomId, room);
    room.once('close', (reason) => {
      if (this.#rooms.get(roomId) === room) this.#rooms.delete(roomId);
      this.safeEmit('roomclosed', roomId, reason);
    });
    this.#log.info({ roomId, worker: slot.index }, 'media room created');
    return room;
  }

  /** Idempotent: closes every room, then the workers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of [...this.#rooms.values()]) room.close('shutdown');
    this.pool.close();
  }
}
