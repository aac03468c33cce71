import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUDIO_RESERVE_BPS, MIN_VIDEO_BITRATE } from './adaptation.js';
import { ScreenStillNeeds } from './ScreenStillNeeds.js';
import { STILL_RELEASE_MS, startsWithStill, WEAK_AT_START_MS, WEAK_LOSS } from './screenStill.js';

const weak = { estimate: 280_000, desired: 600_000, congestedMs: WEAK_AT_START_MS, audioConsumers: 2, suspended: 0, loss: WEAK_LOSS };

describe('startsWithStill', () => {
  it('holds a screen for a lossy downlink congested for a while that cannot give it its cost beside the voices', () => {
    expect(startsWithStill(weak)).toBe(true);
    // Video already stopped for this lossy downlink (the adaptation's verdict), whatever its lagging estimate says.
    expect(startsWithStill({ ...weak, estimate: 667_000, congestedMs: 0, suspended: 2 })).toBe(true);
    expect(startsWithStill({ ...weak, estimate: 667_000, congestedMs: 0, suspended: 2, loss: 0 })).toBe(false);
  });

  it('lets the video through on a link that is only starting, unknown, or wide enough', () => {
    // A good link with only voices flowing: its estimate is low because little flows, it is not limited.
    expect(startsWithStill({ ...weak, estimate: 100_000, desired: 60_000, congestedMs: 0 })).toBe(false);
    expect(startsWithStill({ ...weak, congestedMs: WEAK_AT_START_MS - 1 })).toBe(false);
    // Measured: a good-link peer whose estimate stayed low (238 kb/s for 1.8 Mb/s wanted, 6 s), losing nothing.
    expect(startsWithStill({ ...weak, estimate: 238_000, desired: 1_800_000, congestedMs: 6_000, audioConsumers: 3, loss: 0 })).toBe(false);
    expect(startsWithStill({ ...weak, loss: undefined })).toBe(false);
    expect(startsWithStill({ ...weak, estimate: undefined })).toBe(false);
    expect(startsWithStill({ ...weak, estimate: MIN_VIDEO_BITRATE.single + 2 * AUDIO_RESERVE_BPS })).toBe(false);
  });
});

describe('ScreenStillNeeds', () => {
  let changes: Array<[string, boolean]>;
  let needs: ScreenStillNeeds;
  beforeEach(() => {
    vi.useFakeTimers();
    changes = [];
    needs = new ScreenStillNeeds((producerId, needed) => changes.push([producerId, needed]));
  });
  afterEach(() => {
    needs.close();
    vi.useRealTimers();
  });

  it('needs the still from the hold, and until the video has flowed long enough', () => {
    needs.held('c1', 'p1', true);
    needs.held('c1', 'p1', true);
    expect(changes).toEqual([['p1', true]]);
    expect(needs.producers).toEqual(['p1']);
    needs.held('c1', 'p1', false);
    vi.advanceTimersByTime(STILL_RELEASE_MS - 1);
    expect(changes).toEqual([['p1', true]]);
    vi.advanceTimersByTime(1);
    expect(changes).toEqual([['p1', true], ['p1', false]]);
    expect(needs.producers).toEqual([]);
  });

  it('keeps the still through a trial of the video that fails', () => {
    needs.held('c1', 'p1', true);
    needs.held('c1', 'p1', false);
    vi.advanceTimersByTime(STILL_RELEASE_MS / 2);
    needs.held('c1', 'p1', true);
    vi.advanceTimersByTime(STILL_RELEASE_MS * 2);
    expect(changes).toEqual([['p1', true]]);
  });

  it('ends with the consumer, and says nothing for a consumer never held', () => {
    needs.held('c2', 'p2', false);
    needs.forget('c2');
    needs.held('c1', 'p1', true);
    needs.forget('c1');
    expect(changes).toEqual([['p1', true], ['p1', false]]);
  });
});
