import { describe, expect, it } from 'vitest';
import { PRODUCER_WEIGHT, WorkerLoad, workerForPeer, workerForRoom } from './placement.js';

function worker(index: number, counts: Partial<Pick<WorkerLoad, 'consumers' | 'producers' | 'routers'>> = {}) {
  const load = new WorkerLoad();
  Object.assign(load, counts);
  return { index, load };
}

describe('WorkerLoad', () => {
  it('costs a consumer one and a producer a small weight', () => {
    const load = new WorkerLoad();
    expect(load.cost).toBe(0);
    load.consumers = 10;
    load.producers = 4;
    expect(load.cost).toBe(10 + 4 * PRODUCER_WEIGHT);
    expect(PRODUCER_WEIGHT).toBeGreaterThan(0);
    expect(PRODUCER_WEIGHT).toBeLessThan(1);
  });
});

describe('workerForRoom', () => {
  it('takes the worker that forwards least, not the one with fewest rooms', () => {
    // Worker 0 holds one big meeting, worker 1 three idle ones.
    const busy = worker(0, { consumers: 90, producers: 20, routers: 1 });
    const idle = worker(1, { consumers: 0, producers: 2, routers: 3 });
    expect(workerForRoom([busy, idle])).toBe(idle);
  });

  it('breaks a tie of cost by routers, then by index, and gives nothing without workers', () => {
    const a = worker(0, { routers: 1 });
    const b = worker(1, { routers: 0 });
    const c = worker(2, { routers: 0 });
    expect(workerForRoom([a, b, c])).toBe(b);
    expect(workerForRoom([c, b])).toBe(b);
    expect(workerForRoom([])).toBeUndefined();
  });

  it('counts producers: at equal consumers the worker receiving less wins', () => {
    const a = worker(0, { consumers: 5, producers: 8 });
    const b = worker(1, { consumers: 5, producers: 2, routers: 9 });
    expect(workerForRoom([a, b])).toBe(b);
  });
});

describe('workerForPeer', () => {
  const limit = 10;

  it('keeps a room on its home worker while that worker is under the limit, even if another is emptier', () => {
    const home = worker(0, { consumers: 9 });
    const empty = worker(1);
    const placed = workerForPeer({ home, roomWorkers: new Set([0]), workers: [home, empty], maxConsumersPerWorker: limit });
    expect(placed).toEqual({ worker: home, spread: false, overLimit: false });
  });

  it('spreads to the least-loaded worker once the home worker is at its limit', () => {
    const home = worker(0, { consumers: 10 });
    const w1 = worker(1, { consumers: 6 });
    const w2 = worker(2, { consumers: 2 });
    const placed = workerForPeer({ home, roomWorkers: new Set([0]), workers: [home, w1, w2], maxConsumersPerWorker: limit });
    expect(placed).toEqual({ worker: w2, spread: true, overLimit: false });
  });

  it('in a spread room, goes to the least-loaded worker, the home one included when it has room again', () => {
    const home = worker(0, { consumers: 3 });
    const w1 = worker(1, { consumers: 5 });
    const placed = workerForPeer({ home, roomWorkers: new Set([0, 1]), workers: [home, w1], maxConsumersPerWorker: limit });
    expect(placed.worker).toBe(home);
    // Spread still: the room keeps its other router.
    expect(placed.spread).toBe(true);
  });

  it('on a tie, prefers a worker the room is already on (no new router, no new pipes), the home one first', () => {
    const home = worker(0, { consumers: 4 });
    const w1 = worker(1, { consumers: 4 });
    const w2 = worker(2, { consumers: 4 });
    expect(workerForPeer({ home, roomWorkers: new Set([0, 2]), workers: [w1, w2, home], maxConsumersPerWorker: limit }).worker).toBe(home);
    const fullHome = worker(0, { consumers: 10 });
    expect(
      workerForPeer({ home: fullHome, roomWorkers: new Set([0, 2]), workers: [w1, w2, fullHome], maxConsumersPerWorker: limit }).worker,
    ).toBe(w2);
  });

  it('skips workers at the limit even when their cost is lower (few consumers, no: the limit is on consumers)', () => {
    const home = worker(0, { consumers: 12 });
    const atLimit = worker(1, { consumers: 10, producers: 0 });
    const heavyProducers = worker(2, { consumers: 9, producers: 40 });
    const placed = workerForPeer({ home, roomWorkers: new Set([0]), workers: [home, atLimit, heavyProducers], maxConsumersPerWorker: limit });
    expect(placed.worker).toBe(heavyProducers);
  });

  it('takes the least-loaded worker anyway when every worker is at its limit, and says so', () => {
    const home = worker(0, { consumers: 15 });
    const w1 = worker(1, { consumers: 11 });
    const placed = workerForPeer({ home, roomWorkers: new Set([0]), workers: [home, w1], maxConsumersPerWorker: limit });
    expect(placed).toEqual({ worker: w1, spread: true, overLimit: true });
  });

  it('with a single worker, stays home whatever the load', () => {
    const home = worker(0, { consumers: 50 });
    const placed = workerForPeer({ home, roomWorkers: new Set([0]), workers: [home], maxConsumersPerWorker: limit });
    expect(placed).toEqual({ worker: home, spread: false, overLimit: true });
  });
});
