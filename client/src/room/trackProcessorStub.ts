/**
 * For unit tests of what reads a screen's frames (StillFrames, StillSender):
 * a global `MediaStreamTrackProcessor` whose readable stream gives the frames
 * pushed with the returned function. Undo with `vi.unstubAllGlobals()`.
 */
import { vi } from 'vitest';

export function stubTrackProcessor(): (frame: unknown) => void {
  let push: (frame: unknown) => void = () => {};
  const readable = new ReadableStream({
    start(controller) {
      push = (frame) => controller.enqueue(frame);
    },
  });
  vi.stubGlobal('MediaStreamTrackProcessor', class {
    readonly readable = readable;
  });
  return (frame) => push(frame);
}
