import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CONVERGED_QP,
  MAX_REFINING_CHECKS,
  REFINING_FRAME_RATE,
  refinementConstraints,
  ScreenRefinement,
  shouldRefine,
  STARVED_CHECKS,
  STARVED_FRAMES,
} from './screenRefinement';

/** The sender's outbound-rtp as getStats gives it, set by the test between checks. */
function fakeSender() {
  const sender = {
    framesEncoded: 0,
    qpSum: 0,
    /** Encodes `frames` more frames at quantizer `qp`. */
    encode(frames: number, qp: number) {
      sender.framesEncoded += frames;
      sender.qpSum += frames * qp;
    },
    getStats: () => Promise.resolve(new Map([['out', { type: 'outbound-rtp', framesEncoded: sender.framesEncoded, qpSum: sender.qpSum }]])),
  };
  return sender;
}

function fakeTrack() {
  const applied: Array<number | undefined> = [];
  return {
    applied,
    applyConstraints(constraints: MediaTrackConstraints): Promise<void> {
      applied.push((constraints.frameRate as ConstrainDoubleRange).min);
      return Promise.resolve();
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('shouldRefine', () => {
  it('refines while the frames since the last check are coarse, stops once they are sharp, says nothing without frames', () => {
    expect(shouldRefine({ framesEncoded: 10, qpSum: 1000 }, { framesEncoded: 12, qpSum: 1000 + 2 * 180 })).toBe(true);
    expect(shouldRefine({ framesEncoded: 10, qpSum: 1000 }, { framesEncoded: 12, qpSum: 1000 + 2 * 40 })).toBe(false);
    expect(shouldRefine({ framesEncoded: 10, qpSum: 1000 }, { framesEncoded: 11, qpSum: 1000 + CONVERGED_QP })).toBe(false);
    expect(shouldRefine({ framesEncoded: 10, qpSum: 1000 }, { framesEncoded: 10, qpSum: 1000 })).toBeNull();
  });
});

describe('ScreenRefinement', () => {
  it('holds the capture at the refining rate from the start, lets it idle once sharp, and refines again after a page change', async () => {
    vi.useFakeTimers();
    const sender = fakeSender();
    const track = fakeTrack();
    const refinement = new ScreenRefinement(sender, track);
    refinement.start();
    expect(track.applied).toEqual([REFINING_FRAME_RATE]);

    await refinement.check(); // the first reading: nothing to compare with
    sender.encode(5, 190);
    await refinement.check(); // coarse: already refining, nothing changes
    expect(track.applied).toEqual([REFINING_FRAME_RATE]);
    sender.encode(5, 40);
    await refinement.check(); // sharp: the minimum goes
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined]);
    await refinement.check(); // no frame since: no verdict
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined]);
    sender.encode(1, 208); // the next sheet, coarse
    await refinement.check();
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined, REFINING_FRAME_RATE]);

    refinement.stop();
    sender.encode(5, 30);
    await refinement.check(); // stopped: the track is not touched any more
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined, REFINING_FRAME_RATE]);
  });

  it('gives up on a picture that never gets sharp (a weak uplink), until a sharp frame is seen again', async () => {
    vi.useFakeTimers();
    const sender = fakeSender();
    const track = fakeTrack();
    const refinement = new ScreenRefinement(sender, track);
    refinement.start();
    await refinement.check();
    for (let i = 0; i < MAX_REFINING_CHECKS; i++) {
      sender.encode(5, 200);
      await refinement.check();
    }
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined]);
    sender.encode(1, 200); // still coarse: no second try
    await refinement.check();
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined]);
    sender.encode(1, 50); // sharp at last
    await refinement.check();
    sender.encode(1, 208); // the next page
    await refinement.check();
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined, REFINING_FRAME_RATE]);
    refinement.stop();
  });

  it('lets the minimum go when the sharer cannot encode it (a busy surface, a slow CPU), until a sharp frame is seen', async () => {
    vi.useFakeTimers();
    const sender = fakeSender();
    const track = fakeTrack();
    const refinement = new ScreenRefinement(sender, track);
    refinement.start();
    await refinement.check();
    expect(STARVED_FRAMES).toBeGreaterThan(1);
    for (let i = 0; i < STARVED_CHECKS - 1; i++) {
      sender.encode(STARVED_FRAMES - 1, 190); // coarse, and fewer frames than the minimum asks
      await refinement.check();
    }
    sender.encode(STARVED_FRAMES, 185); // one check at the rate: the count starts again
    await refinement.check();
    expect(track.applied).toEqual([REFINING_FRAME_RATE]);
    for (let i = 0; i < STARVED_CHECKS; i++) {
      sender.encode(STARVED_FRAMES - 1, 180);
      await refinement.check();
    }
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined]);
    sender.encode(2, 175); // still coarse: no second try while the CPU is short
    await refinement.check();
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined]);
    sender.encode(2, 60); // sharp
    await refinement.check();
    sender.encode(1, 208); // the next page: refined again
    await refinement.check();
    expect(track.applied).toEqual([REFINING_FRAME_RATE, undefined, REFINING_FRAME_RATE]);
    refinement.stop();
  });

  it('keeps the capture bounds whatever the rate', () => {
    for (const refining of [true, false]) {
      const c = refinementConstraints(refining);
      expect([c.width, c.height]).toEqual([{ max: 1920 }, { max: 1080 }]);
    }
  });
});
