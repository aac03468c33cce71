import { describe, expect, it } from 'vitest';
import {
  LIFT_AFTER_MS,
  MIN_SHARER_BOUND_BPS,
  nextSharerBound,
  SHARER_BOUND_SHARE,
  UNBOUNDED,
  WEAK_DOWNLINK_BPS,
  type ViewerDownlink,
} from './screenBound.js';

const good: ViewerDownlink = { limited: false, estimate: 5_000_000 };
const weak = (estimate: number): ViewerDownlink => ({ limited: true, estimate });

describe('nextSharerBound', () => {
  it('leaves the sharer alone while every viewer is on a good link', () => {
    expect(nextSharerBound([good, good], UNBOUNDED, 10_000)).toEqual(UNBOUNDED);
    expect(nextSharerBound([], UNBOUNDED, 10_000)).toEqual(UNBOUNDED);
  });

  it('does not take a low estimate that is not a limit for a weak link (little flows yet), nor a limit on a fast link', () => {
    expect(nextSharerBound([{ limited: false, estimate: 120_000 }], UNBOUNDED, 10_000).bound).toBeNull();
    expect(nextSharerBound([{ limited: true, estimate: WEAK_DOWNLINK_BPS + 1 }], UNBOUNDED, 10_000).bound).toBeNull();
    expect(nextSharerBound([{ limited: true, estimate: undefined }], UNBOUNDED, 10_000).bound).toBeNull();
  });

  it('bounds the sharer to a share of the weakest viewer, never below the floor', () => {
    expect(nextSharerBound([good, weak(900_000), weak(600_000)], UNBOUNDED, 10_000)).toEqual({
      bound: 600_000 * SHARER_BOUND_SHARE,
      lastWeakAt: 10_000,
    });
    expect(nextSharerBound([weak(180_000)], UNBOUNDED, 10_000).bound).toBe(MIN_SHARER_BOUND_BPS);
  });

  it('lowers at once, raises only by a clear step', () => {
    const bounded = { bound: 500_000, lastWeakAt: 10_000 };
    expect(nextSharerBound([weak(550_000)], bounded, 11_000).bound).toBe(440_000);
    expect(nextSharerBound([weak(650_000)], bounded, 11_000).bound).toBe(500_000);
    expect(nextSharerBound([weak(800_000)], bounded, 11_000).bound).toBe(640_000);
  });

  it('lifts the bound only after the weak viewer has been gone or well for a while', () => {
    const bounded = { bound: MIN_SHARER_BOUND_BPS, lastWeakAt: 10_000 };
    expect(nextSharerBound([good], bounded, 10_000 + LIFT_AFTER_MS - 1)).toEqual(bounded);
    expect(nextSharerBound([], bounded, 10_000 + LIFT_AFTER_MS - 1)).toEqual(bounded);
    expect(nextSharerBound([good], bounded, 10_000 + LIFT_AFTER_MS).bound).toBeNull();
    // A weak viewer again meanwhile restarts the hold.
    expect(nextSharerBound([weak(300_000)], bounded, 20_000)).toEqual({ bound: MIN_SHARER_BOUND_BPS, lastWeakAt: 20_000 });
  });
});
