import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUDIO_RESERVE_BPS, MIN_VIDEO_BITRATE } from './adaptation.js';
import { EXPECT_CONSUME_MS, ScreenStillNeeds } from './ScreenStillNeeds.js';
import { downlinkLoss, LIMITED_RECENTLY_MS, LOSSY_LINK, SCREEN_VIDEO_BPS, STILL_RELEASE_MS, startsWithStill, WEAK_AT_START_MS, WEAK_LOSS } from './screenStill.js';

const weak = { estimate: 280_000, desired: 600_000, congestedMs: WEAK_AT_START_MS, audioConsumers: 2, suspended: 0, loss: WEAK_LOSS };

describe('startsWithStill', () => {
  it('holds a screen for a lossy downlink congested for a while that cannot give it its cost beside the voices', () => {
    expect(startsWithStill(weak)).toBe(true);
    // Video already stopped for this lossy downlink (the adaptation's verdict), whatever its lagging estimate says.
    expect(startsWithStill({ ...weak, estimate: 667_000, congestedMs: 0, suspended: 2 })).toBe(true);
    expect(startsWithStill({ ...weak, estimate: 667_000, congestedMs: 0, suspended: 2, loss: 0 })).toBe(false);
  });

  it('holds a screen that arrives while the adaptation tries the video again on a lossy downlink', () => {
    // Measured on a loaded host: a trial had released everything (nothing asked for, nothing congested).
    const trial = { estimate: 30_000, desired: 0, congestedMs: 0, audioConsumers: 3, suspended: 0, loss: 0.053 };
    expect(startsWithStill({ ...trial, sinceLimitedMs: 4_000 })).toBe(true);
    expect(startsWithStill({ ...trial, sinceLimitedMs: LIMITED_RECENTLY_MS - 1 })).toBe(true);
    // Long ago, or never: the link is judged by what it does now (losing a little; losing ≥ 3 % it is weak anyway).
    expect(startsWithStill({ ...trial, loss: 0.02, sinceLimitedMs: LIMITED_RECENTLY_MS })).toBe(false);
    expect(startsWithStill({ ...trial, loss: 0.02, sinceLimitedMs: undefined })).toBe(false);
    expect(startsWithStill({ ...trial, sinceLimitedMs: undefined })).toBe(true);
    // A good link limited lately on a loaded host, losing nothing: the video.
    expect(startsWithStill({ ...trial, sinceLimitedMs: 4_000, loss: 0 })).toBe(false);
  });

  it('holds a screen for a link losing a lot whose estimate is below what a screen wants, though nothing is stopped yet', () => {
    // Measured: 8 s after the link turned weak, the estimate lagging at 673 kb/s, nothing congested, 4.3 % lost.
    const early = { estimate: 673_000, desired: 600_000, congestedMs: 0, audioConsumers: 1, suspended: 0, loss: 0.043 };
    expect(startsWithStill(early)).toBe(true);
    expect(startsWithStill({ ...early, loss: LOSSY_LINK - 0.001 })).toBe(false);
    expect(startsWithStill({ ...early, estimate: SCREEN_VIDEO_BPS })).toBe(false);
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

describe('downlinkLoss', () => {
  it('takes the larger of the transport figure and the least loss the voices report', () => {
    // 5 % random loss seen by the receiver on every voice (13/256 per report) while transport-cc read 0.
    expect(downlinkLoss(0, [13, 12, 14])).toBeCloseTo(12 / 256);
    expect(downlinkLoss(0.068, [13, 12, 14])).toBe(0.068);
    // A good-link listener: one voice comes from a lossy uplink, its gaps forwarded; the downlink loses nothing.
    expect(downlinkLoss(0, [0, 0, 13])).toBe(0);
    expect(downlinkLoss(undefined, [26])).toBeCloseTo(26 / 256);
    expect(downlinkLoss(0.02, [])).toBe(0.02);
    expect(downlinkLoss(undefined, [])).toBeUndefined();
  });
});

describe('ScreenStillNeeds', () => {
  let changes: Array<[string, boolean]>;
  let lossless: string[];
  let loss: number | undefined;
  let needs: ScreenStillNeeds;
  beforeEach(() => {
    vi.useFakeTimers();
    changes = [];
    lossless = [];
    loss = 0.05;
    needs = new ScreenStillNeeds({
      onChange: (producerId, needed) => changes.push([producerId, needed]),
      lossOf: () => Promise.resolve(loss),
      onLossless: (consumerId) => lossless.push(consumerId),
    });
  });
  afterEach(() => {
    needs.close();
    vi.useRealTimers();
  });

  it('needs the still from the hold, and until the video has flowed long enough', () => {
    needs.held('c1', 'p1', true, true);
    needs.held('c1', 'p1', true, true);
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
    needs.held('c1', 'p1', true, true);
    needs.held('c1', 'p1', false);
    vi.advanceTimersByTime(STILL_RELEASE_MS / 2);
    needs.held('c1', 'p1', true);
    vi.advanceTimersByTime(STILL_RELEASE_MS * 2);
    expect(changes).toEqual([['p1', true]]);
  });

  it('ends with the consumer, and says nothing for a consumer never held', () => {
    needs.held('c2', 'p2', false);
    needs.forget('c2');
    needs.held('c1', 'p1', true, true);
    needs.forget('c1');
    expect(changes).toEqual([['p1', true], ['p1', false]]);
  });

  it('gives a still for a later hold only on a downlink that loses packets', async () => {
    needs.held('c1', 'p1', true);
    expect(changes).toEqual([]); // the loss is read first
    await vi.advanceTimersByTimeAsync(0);
    expect(changes).toEqual([['p1', true]]);
    // A good link whose estimate a loaded host keeps low: the screen pauses, no still.
    loss = 0;
    needs.held('c2', 'p2', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(changes).toEqual([['p1', true]]);
    expect(lossless).toEqual(['c2']);
    loss = undefined;
    needs.held('c3', 'p3', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(lossless).toEqual(['c2', 'c3']);
    expect(needs.producers).toEqual(['p1']);
  });

  it('forgets a hold released, or a consumer gone, while its loss is read', async () => {
    needs.held('c1', 'p1', true);
    needs.held('c1', 'p1', false);
    needs.held('c2', 'p2', true);
    needs.forget('c2');
    needs.held('c3', 'p3', true);
    needs.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(changes).toEqual([]);
    expect(lossless).toEqual([]);
  });

  describe('a share judged as it begins', () => {
    const verdict = (isWeak: boolean) => Promise.resolve({ ...weak, weak: isWeak });

    it('needs the still of a share this downlink is too weak for before its consumer exists, told once', async () => {
      needs.expect('p1', verdict(true));
      await vi.advanceTimersByTimeAsync(0);
      expect(changes).toEqual([['p1', true]]);
      expect(needs.producers).toEqual(['p1']);
      // The consume takes the verdict up and holds its consumer: nothing told again.
      expect(await needs.verdictOf('p1')).toMatchObject({ weak: true });
      expect(needs.verdictOf('p1')).toBeUndefined();
      needs.held('c1', 'p1', true, true);
      vi.advanceTimersByTime(EXPECT_CONSUME_MS);
      expect(changes).toEqual([['p1', true]]);
      expect(needs.producers).toEqual(['p1']);
      needs.forget('c1');
      expect(changes).toEqual([['p1', true], ['p1', false]]);
    });

    it('needs nothing of a share this downlink can carry; its consumer decides by that verdict', async () => {
      needs.expect('p1', verdict(false));
      await vi.advanceTimersByTimeAsync(0);
      expect(changes).toEqual([]);
      expect(await needs.verdictOf('p1')).toMatchObject({ weak: false });
    });

    it('lets an expectation lapse when no consumer takes it up (an audio-only page, a refused consume)', async () => {
      needs.expect('p1', verdict(true));
      await vi.advanceTimersByTimeAsync(EXPECT_CONSUME_MS - 1);
      expect(changes).toEqual([['p1', true]]);
      await vi.advanceTimersByTimeAsync(1);
      expect(changes).toEqual([['p1', true], ['p1', false]]);
      expect(needs.producers).toEqual([]);
      expect(needs.verdictOf('p1')).toBeUndefined();
    });

    it('says nothing once closed, nor for a share whose consumer was already held', async () => {
      needs.held('c1', 'p1', true, true);
      needs.expect('p1', verdict(true));
      needs.expect('p2', verdict(true));
      needs.close();
      await vi.advanceTimersByTimeAsync(EXPECT_CONSUME_MS);
      expect(changes).toEqual([['p1', true]]);
    });
  });
});
