/**
 * The load search of the forwarding-srtp benchmark: which loads to try on a
 * worker so that its figures are taken near saturation (a worker's cost per
 * packet falls as its load rises, so figures from a half-idle worker are not
 * comparable with the recipe's). Pure: the bench feeds it measured points.
 */

export type SearchMode = 'rooms' | 'fanout';

/** What the search needs of a measured point. */
export interface SearchPoint {
  mode: SearchMode;
  size: number;
  lossPct: number;
  /** Share of one core the worker used over the window. */
  workerCores: number;
}

export const LOSS_LIMIT_PCT = 1;
/** Losing packets while using less than this share of its core: the worker was starved (others' load on its CPU), not saturated. */
export const STARVED_CORES = 0.7;
/** Forwarded packets/s per publisher of the recorded clip (VP8 ~66 + Opus 50). */
export const PACKETS_PER_PUBLISHER = 115.6;
/** Forwarded packets/s per unit of size: a room of 6 (each of 6 publishers to 5 others), or one fan-out subscriber. */
export const LOAD_UNIT: Record<SearchMode, number> = { rooms: 6 * 5 * PACKETS_PER_PUBLISHER, fanout: PACKETS_PER_PUBLISHER };
/** Share of a core aimed at by the first point and by the next; fan-out loses packets before its core is full. */
export const AIM: Record<SearchMode, readonly [number, number]> = { rooms: [0.8, 0.92], fanout: [0.7, 0.85] };

const minimum = (mode: SearchMode) => (mode === 'rooms' ? 1 : 10);

export function starved(point: SearchPoint): boolean {
  return point.lossPct >= LOSS_LIMIT_PCT && point.workerCores < STARVED_CORES;
}

/** First load: where the expected cost per packet puts the worker at the first aim. */
export function firstSize(mode: SearchMode, expectedUsPerPacket: number): number {
  return Math.max(minimum(mode), Math.round((AIM[mode][0] * 1e6) / (expectedUsPerPacket * LOAD_UNIT[mode])));
}

/** Next load after `point` (the last of `tried`), or null to stop. */
export function nextSize(tried: readonly SearchPoint[], point: SearchPoint): number | null {
  if (starved(point)) return null; // another load would not tell more
  const passing = tried.filter((p) => p.lossPct < LOSS_LIMIT_PCT);
  const floor = passing.length > 0 ? Math.max(...passing.map((p) => p.size)) : 0;
  let next: number;
  if (point.lossPct < LOSS_LIMIT_PCT) {
    // The load the measured cost predicts for the second aim, at most 1.5× this one, and below a load that lost.
    next = Math.round(Math.min((point.size * AIM[point.mode][1]) / Math.max(point.workerCores, 0.05), point.size * 1.5));
    const failedAbove = tried.filter((p) => p.lossPct >= LOSS_LIMIT_PCT && p.size > point.size).map((p) => p.size);
    if (failedAbove.length > 0) next = Math.min(next, Math.round((point.size + Math.min(...failedAbove)) / 2));
    if (next <= point.size * 1.08) return null; // already there
  } else {
    next = Math.round(floor > 0 ? (floor + point.size) / 2 : point.size * 0.75);
    if (floor > 0 && next <= floor * 1.08) return null; // the edge is found
  }
  next = Math.max(minimum(point.mode), next);
  return tried.some((p) => p.size === next) ? null : next;
}

/** The point with the most load at < 1 % loss (the cell's figures), or null. */
export function bestPassing<P extends SearchPoint>(points: readonly P[], forwarded: (p: P) => number): P | null {
  const passing = points.filter((p) => p.lossPct < LOSS_LIMIT_PCT);
  return passing.length > 0 ? passing.reduce((a, b) => (forwarded(b) > forwarded(a) ? b : a)) : null;
}
