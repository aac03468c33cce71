import { describe, expect, it } from 'vitest';
import { bestPassing, firstSize, nextSize, starved, type SearchPoint } from './saturationSearch.js';

const room = (size: number, workerCores: number, lossPct = 0): SearchPoint => ({ mode: 'rooms', size, workerCores, lossPct });

describe('the forwarding benchmark searches loads near saturation', () => {
  it('starts where the expected cost puts the worker at 80 % of a core (70 % in fan-out)', () => {
    // 12 µs/pkt, 3,468 pkt/s per room of 6: 0.8 core ≈ 19 rooms.
    expect(firstSize('rooms', 12)).toBe(19);
    // 22 µs/pkt, 115.6 pkt/s per subscriber: 0.7 core ≈ 275 subscribers.
    expect(firstSize('fanout', 22)).toBe(275);
    expect(firstSize('rooms', 10_000)).toBe(1);
  });

  it('moves to the load the measured cost predicts for 92 % of a core, at most 1.5× further', () => {
    expect(nextSize([room(16, 0.8)], room(16, 0.8))).toBe(18); // 16 × 0.92 / 0.8 = 18.4
    expect(nextSize([room(4, 0.2)], room(4, 0.2))).toBe(6); // capped at 1.5×
  });

  it('stops when the point is already near the aim', () => {
    expect(nextSize([room(16, 0.9)], room(16, 0.9))).toBeNull();
  });

  it('steps down after a loss, then halves the gap to the last load that held', () => {
    expect(nextSize([room(20, 0.99, 3)], room(20, 0.99, 3))).toBe(15);
    const tried = [room(16, 0.8), room(20, 0.99, 3)];
    expect(nextSize(tried, tried[1]!)).toBe(18);
    const edge = [room(16, 0.8), room(17, 0.99, 2)];
    expect(nextSize(edge, edge[1]!)).toBeNull(); // 16.5 rounds to 17, already tried
  });

  it('does not climb back above a load that lost', () => {
    const tried = [room(20, 0.99, 3), room(15, 0.7)];
    expect(nextSize(tried, tried[1]!)).toBe(18); // predicted 20, bounded by (15 + 20) / 2
  });

  it('stops on a worker that lost packets without using its core (starved by other work)', () => {
    const point = room(16, 0.5, 4);
    expect(starved(point)).toBe(true);
    expect(nextSize([point], point)).toBeNull();
  });

  it('reports the point with the most forwarded at < 1 % loss', () => {
    const points = [{ ...room(16, 0.8), fwd: 50 }, { ...room(20, 0.99, 3), fwd: 60 }, { ...room(18, 0.9), fwd: 55 }];
    expect(bestPassing(points, (p) => p.fwd)?.size).toBe(18);
    expect(bestPassing([points[1]!], (p) => p.fwd)).toBeNull();
  });
});
