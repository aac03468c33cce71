/**
 * StillFrames from MediaStreamTrackProcessor (a stand-in here): the latest
 * frame kept and the one before closed, the first announced once, the luma
 * plane copied without its row padding, every frame closed at the end, and
 * each frame announced with its number.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStillFrames } from './StillFrames';
import { stubTrackProcessor } from './trackProcessorStub.js';

/** A 4x2 I420 frame whose Y rows are padded to a stride of 6. */
function frame(value: number) {
  const closed = { count: 0 };
  const make = (): Record<string, unknown> => ({
    format: 'I420',
    codedWidth: 6,
    codedHeight: 2,
    displayWidth: 4,
    displayHeight: 2,
    visibleRect: { width: 4, height: 2 },
    colorSpace: { fullRange: false },
    allocationSize: () => 6 * 2 + 2 * 3,
    copyTo: (out: Uint8Array) => {
      out.set([value, value + 1, value + 2, value + 3, 99, 99, value + 4, value + 5, value + 6, value + 7, 99, 99]);
      return Promise.resolve([{ offset: 0, stride: 6 }]);
    },
    clone: () => make(),
    close: () => closed.count++,
  });
  return { frame: make(), closed };
}

describe('StillFrames (MediaStreamTrackProcessor)', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('keeps the latest frame, closes the others, and reads its luma plane', async () => {
    const frames = [frame(10), frame(20)];
    const push = stubTrackProcessor();
    const track = {} as MediaStreamTrack;
    const onFrame = vi.fn();
    const still = openStillFrames(track, onFrame);
    expect(still.of(track)).toBe(true);
    expect(still.width).toBe(0);
    expect(still.serial).toBe(0);
    push(frames[0]!.frame);
    await vi.waitFor(() => expect(onFrame).toHaveBeenCalledTimes(1));
    expect(still.serial).toBe(1);
    expect([still.width, still.height]).toEqual([4, 2]);
    push(frames[1]!.frame);
    await vi.waitFor(() => expect(frames[0]!.closed.count).toBe(1));
    expect(onFrame.mock.calls).toEqual([[1], [2]]);
    expect(still.serial).toBe(2);
    const plane = await still.luma();
    expect(plane).toEqual({ y: Uint8Array.from([20, 21, 22, 23, 24, 25, 26, 27]), width: 4, height: 2, fullRange: false });
    still.close();
    expect(frames[1]!.closed.count).toBe(2); // the copy luma() read, and the frame itself
    expect(still.width).toBe(0);
  });
});
