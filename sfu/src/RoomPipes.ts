/**
 * Producers piped between the routers of a room spread over several workers
 * (MediaRoom.ts, placement.ts): `pipeToRouter` from the producer's router to
 * a target router, lazily, once a participant there consumes it, made once
 * per producer and target and shared by the next consumers. The pipe closes
 * with its producer (mediasoup closes the pipe consumer, which closes the pipe
 * producer and so the consumers of it), and with its target router.
 *
 * Apart from MediaRoom because this bookkeeping (what was piped where, what a
 * failure or a close undoes) is one job, read on its own.
 */
import type { Producer, Router } from 'mediasoup/types';
import { MediaError } from './errors.js';
import type { Logger } from './logger.js';
import type { ProducerAppData } from './mediaTypes.js';
import type { WorkerSlot } from './WorkerPool.js';

/** One router of a room, on one worker (declared here, below MediaRoom, which re-exports it). */
export interface RoomRouter {
  readonly slot: WorkerSlot;
  readonly router: Router;
}

export class RoomPipes {
  /** Pipes made: producer id → target router id → the pipe (settled once made). */
  readonly #pipes = new Map<string, Map<string, Promise<void>>>();
  readonly #log: Logger;
  readonly #roomClosed: () => boolean;

  constructor(log: Logger, roomClosed: () => boolean) {
    this.#log = log;
    this.#roomClosed = roomClosed;
  }

  /** How many producers were piped to each router, by router id. */
  countByRouter(): Map<string, number> {
    const pipedTo = new Map<string, number>();
    for (const byRouter of this.#pipes.values()) {
      for (const routerId of byRouter.keys()) pipedTo.set(routerId, (pipedTo.get(routerId) ?? 0) + 1);
    }
    return pipedTo;
  }

  /** A router of the room closed: the pipes to it went with it. */
  routerClosed(routerId: string): void {
    for (const byRouter of this.#pipes.values()) byRouter.delete(routerId);
  }

  /** Makes `producer`, on `source`, consumable on `target` (another router of the room). */
  async pipe(producer: Producer<ProducerAppData>, source: RoomRouter, target: RoomRouter): Promise<void> {
    let byRouter = this.#pipes.get(producer.id);
    if (!byRouter) {
      if (producer.closed) throw new MediaError('NOT_FOUND', 'producer closed');
      const created = new Map<string, Promise<void>>();
      this.#pipes.set(producer.id, (byRouter = created));
      producer.observer.once('close', () => {
        if (this.#pipes.get(producer.id) === created) this.#pipes.delete(producer.id);
      });
    }
    let pipe = byRouter.get(target.router.id);
    if (!pipe) {
      const made = source.router.pipeToRouter({ producerId: producer.id, router: target.router }).then(({ pipeProducer }) => {
        this.#log.debug(
          { producerId: producer.id, from: source.slot.index, to: target.slot.index, kind: pipeProducer?.kind },
          'producer piped to another worker',
        );
      });
      pipe = made;
      byRouter.set(target.router.id, made);
      const map = byRouter;
      // A failed pipe is tried again by the next consumer.
      made.catch(() => {
        if (map.get(target.router.id) === made) map.delete(target.router.id);
      });
    }
    try {
      await pipe;
    } catch (error) {
      if (producer.closed) throw new MediaError('NOT_FOUND', 'producer closed');
      if (this.#roomClosed() || target.router.closed) throw new MediaError('CLOSED', 'room closed');
      throw error;
    }
  }
}
