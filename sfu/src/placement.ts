/**
 * Where media goes: which worker hosts a new room, and on which worker a
 * joining participant's transports are made. Pure decisions over counts,
 * kept apart from mediasoup objects so that they are tested without a worker.
 *
 * The cost of a worker is what it forwards: mediasoup plans about 500
 * consumers per worker (each one a stream encrypted and sent), a producer
 * (a stream received and decrypted) costs less because it is received once
 * however many consume it.
 */

/** Weight of a producer against a consumer in a worker's cost. */
export const PRODUCER_WEIGHT = 0.25;

/**
 * What a worker carries now. Kept exact by the rooms on it (MediaRoom counts
 * each consumer and producer, pipe ones included, when mediasoup creates and
 * closes it): nothing is polled.
 */
export class WorkerLoad {
  /** Consumers on the worker: to participants and to other workers (pipe consumers). */
  consumers = 0;
  /** Producers on the worker: from participants and from other workers (pipe producers). */
  producers = 0;
  /** Routers (one per room that has participants here). */
  routers = 0;
  /** Pipe transports (one per pair of routers of a spread room, on each side). */
  pipeTransports = 0;

  get cost(): number {
    return this.consumers + PRODUCER_WEIGHT * this.producers;
  }
}

/** A live worker as placement sees it. */
export interface WorkerCandidate {
  readonly index: number;
  readonly load: Pick<WorkerLoad, 'consumers' | 'producers' | 'routers' | 'cost'>;
}

/**
 * The worker for a new room: the lowest cost, then the fewest routers (so
 * that empty rooms alternate), then the lowest index. Undefined when none.
 */
export function workerForRoom<T extends WorkerCandidate>(workers: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const w of workers) {
    if (
      !best ||
      w.load.cost < best.load.cost ||
      (w.load.cost === best.load.cost && w.load.routers < best.load.routers) ||
      (w.load.cost === best.load.cost && w.load.routers === best.load.routers && w.index < best.index)
    ) {
      best = w;
    }
  }
  return best;
}

export interface PeerPlacementInput<T extends WorkerCandidate> {
  /** The worker of the room's home router (where it was created). */
  readonly home: T;
  /** Indexes of the workers where the room has a router now (home included). */
  readonly roomWorkers: ReadonlySet<number>;
  /** Every live worker (home included). */
  readonly workers: readonly T[];
  /** SFU_MAX_CONSUMERS_PER_WORKER. */
  readonly maxConsumersPerWorker: number;
}

/**
 * The worker for a joining participant's transports.
 *
 * A room on one worker stays there while that worker is under its consumer
 * limit: one router, no piping. Once the home worker is at the limit, or the
 * room is already spread, the participant goes to the least-loaded worker
 * under the limit, preferring on a tie a worker the room is already on (no
 * new router, no new pipes), the home one first. When every worker is at
 * its limit the least-loaded one takes it anyway: refusing a participant
 * the machine might still carry is worse than overloading (the metrics show
 * it). `overLimit` says so, for the log.
 */
export function workerForPeer<T extends WorkerCandidate>(
  input: PeerPlacementInput<T>,
): { worker: T; spread: boolean; overLimit: boolean } {
  const { home, roomWorkers, workers, maxConsumersPerWorker } = input;
  const under = (w: T): boolean => w.load.consumers < maxConsumersPerWorker;
  if (roomWorkers.size <= 1 && under(home)) return { worker: home, spread: false, overLimit: false };
  const rank = (w: T): number => (w.index === home.index ? 0 : roomWorkers.has(w.index) ? 1 : 2);
  const better = (a: T, b: T): boolean =>
    a.load.cost < b.load.cost || (a.load.cost === b.load.cost && (rank(a) < rank(b) || (rank(a) === rank(b) && a.index < b.index)));
  const pool = workers.some(under) ? workers.filter(under) : workers;
  let best: T | undefined;
  for (const w of pool) if (!best || better(w, best)) best = w;
  const worker = best ?? home;
  return { worker, spread: worker.index !== home.index || roomWorkers.size > 1, overLimit: !under(worker) };
}
