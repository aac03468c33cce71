/**
 * StillSender's schedule of uploads: the share's first still when its screen
 * is produced, before any viewer needs it; nothing more while nobody is
 * weak; a new one only for a changed screen once somebody is. The browser's
 * parts (the detached <video>, OffscreenCanvas, fetch) are stand-ins: a
 * screen of one grey level that the test sets, crossed by black lines (a
 * flat screen is what a tab not painted yet shows: `blank`).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BLANK_FIRST_MS, FRAMES_GRACE_MS, StillSender } from './StillSender';
import { stubTrackProcessor } from './trackProcessorStub.js';

let grey = 40;
/** The screen is one flat tone, no lines. */
let blank = false;

/** RGBA of w x h pixels: `grey`, every fifth pixel black unless the screen is blank. */
function screenPixels(w: number, h: number): Uint8ClampedArray {
  const data = new Uint8ClampedArray(w * h * 4).fill(grey);
  if (!blank) for (let p = 0; p < w * h; p += 5) data.fill(0, p * 4, p * 4 + 3);
  return data;
}
let videos: Array<{ srcObject: unknown }> = [];

class FakeCanvas {
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}
  getContext(): unknown {
    return {
      drawImage: () => {},
      putImageData: () => {},
      getImageData: (_x: number, _y: number, w: number, h: number) => ({ data: screenPixels(w, h) }),
    };
  }
  convertToBlob(options: { type: string }): Promise<Blob> {
    return Promise.resolve(new Blob(['RIFF....WEBP'], { type: options.type }));
  }
}

function fakeVideo(): unknown {
  const video = {
    muted: false,
    playsInline: false,
    srcObject: null as unknown,
    videoWidth: 192,
    videoHeight: 108,
    play: () => Promise.resolve(),
    // The first frame (loadeddata), at once.
    addEventListener: (_type: string, listener: () => void) => void Promise.resolve().then(listener),
  };
  videos.push(video);
  return video;
}

describe('StillSender', () => {
  const track = { readyState: 'live' } as unknown as MediaStreamTrack;
  const endpoint = { origin: 'http://node', projectId: 'p', roomId: 'r', token: 't' };
  let fetch: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    grey = 40;
    blank = false;
    videos = [];
    fetch = vi.fn(() => Promise.resolve({ ok: true, text: () => Promise.resolve('') }));
    vi.stubGlobal('fetch', fetch);
    vi.stubGlobal('OffscreenCanvas', FakeCanvas);
    vi.stubGlobal('MediaStream', class {
      constructor(readonly tracks: MediaStreamTrack[]) {}
      getVideoTracks(): MediaStreamTrack[] {
        return this.tracks;
      }
    });
    vi.stubGlobal('document', { createElement: fakeVideo });
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const puts = (): number => fetch.mock.calls.filter(([, init]) => (init as RequestInit).method === 'PUT').length;

  it('sends nothing while nobody needs a still, and stops reading the frames after the grace', async () => {
    const sender = new StillSender(() => track, () => endpoint);
    sender.captured();
    sender.shareStarted('screen-1');
    await vi.advanceTimersByTimeAsync(FRAMES_GRACE_MS - 1);
    expect(puts()).toBe(0);
    expect(videos[0]!.srcObject).not.toBeNull();
    await vi.advanceTimersByTimeAsync(1);
    // The element stopped: no probe, no still, even for a changed screen.
    expect(videos[0]!.srcObject).toBeNull();
    grey = 200;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(puts()).toBe(0);
    sender.stop();
  });

  it('sends the first still as soon as a viewer is found weak, even before the produce is answered', async () => {
    const sender = new StillSender(() => track, () => endpoint);
    sender.captured();
    sender.wanted('screen-1', true);
    await vi.advanceTimersByTimeAsync(10);
    expect(puts()).toBe(1);
    expect(String(fetch.mock.calls[0]![0])).toContain('/screens/screen-1/still');
    sender.shareStarted('screen-1'); // the produce's answer, later: nothing new
    await vi.advanceTimersByTimeAsync(FRAMES_GRACE_MS);
    expect(puts()).toBe(1);
    expect(videos).toHaveLength(1); // the frames read from the capture on
    sender.stop();
  });

  it('once a viewer needs stills, sends a changed screen only', async () => {
    const sender = new StillSender(() => track, () => endpoint);
    sender.shareStarted('screen-1');
    await vi.advanceTimersByTimeAsync(10);
    sender.wanted('screen-1', true);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(puts()).toBe(1); // the first, then nothing while the screen stays the same
    grey = 200;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(puts()).toBe(2);
    sender.wanted('screen-1', false);
    expect(videos.at(-1)!.srcObject).toBeNull();
    sender.stop();
  });

  it('a new share sends its own first still', async () => {
    const sender = new StillSender(() => track, () => endpoint);
    sender.shareStarted('screen-1');
    sender.wanted('screen-1', true);
    await vi.advanceTimersByTimeAsync(10);
    sender.shareStarted('screen-2');
    sender.wanted('screen-2', true);
    await vi.advanceTimersByTimeAsync(10);
    expect(puts()).toBe(2);
    expect(String(fetch.mock.calls[1]![0])).toContain('/screens/screen-2/still');
    sender.stop();
  });

  const answer = (status: number) => () => Promise.resolve({ ok: status < 300, status, text: () => Promise.resolve('') });

  it('backs off after failed uploads (1, 2, 4… s) and resets on success', async () => {
    fetch.mockImplementation(answer(500));
    const sender = new StillSender(() => track, () => endpoint);
    sender.shareStarted('screen-1');
    sender.wanted('screen-1', true);
    await vi.advanceTimersByTimeAsync(10_000);
    // Without a back-off: one attempt per probe (0.4 s), 25 in 10 s; with it: at ~0, 1, 3 and 7 s.
    expect(puts()).toBe(4);
    fetch.mockImplementation(answer(200));
    await vi.advanceTimersByTimeAsync(8_000); // the next try, at ~15 s
    expect(puts()).toBe(5);
    // A success starts the schedule again: a changed screen goes at the next probes, no waiting.
    grey = 200;
    await vi.advanceTimersByTimeAsync(1_500);
    expect(puts()).toBe(6);
    sender.stop();
  });

  it('the back-off is capped at 30 s', async () => {
    fetch.mockImplementation(answer(429));
    const sender = new StillSender(() => track, () => endpoint);
    sender.shareStarted('screen-1');
    sender.wanted('screen-1', true);
    // On the probes (every 0.4 s): at 0, 1.2, 3.2, 7.2, 15.2, 31.2 s, then every 30 s (61.2, 91.2).
    await vi.advanceTimersByTimeAsync(95_000);
    expect(puts()).toBe(8);
    sender.stop();
  });

  it('stops on 403 or 404 until the server wants stills again', async () => {
    for (const status of [403, 404]) {
      fetch.mockReset();
      fetch.mockImplementation(answer(status));
      const sender = new StillSender(() => track, () => endpoint);
      sender.shareStarted('screen-1');
      sender.wanted('screen-1', true);
      await vi.advanceTimersByTimeAsync(10);
      expect(puts()).toBe(1);
      grey = grey === 40 ? 200 : 40;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(puts()).toBe(1);
      expect(videos.at(-1)!.srcObject).toBeNull(); // no element, no probe
      // The server asks anew (wanted=false then true): one more attempt at once.
      fetch.mockImplementation(answer(200));
      sender.wanted('screen-1', false);
      sender.wanted('screen-1', true);
      await vi.advanceTimersByTimeAsync(10);
      expect(puts()).toBe(2);
      sender.stop();
    }
  });

  it('reads the frames from the capture on, and makes the first still from them when a viewer needs it', async () => {
    const sender = new StillSender(() => track, () => endpoint);
    sender.captured();
    expect(videos).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(puts()).toBe(0); // no share yet: nothing to send it for
    sender.shareStarted('screen-1');
    sender.wanted('screen-1', true);
    await vi.advanceTimersByTimeAsync(10);
    expect(puts()).toBe(1);
    expect(videos).toHaveLength(1); // the same frames
    sender.wanted('screen-1', false);
    expect(videos[0]!.srcObject).toBeNull(); // and closed once nobody needs more
    sender.stop();
  });
  it('skips a blank first frame and sends the next one, painted (the element: probed again)', async () => {
    blank = true;
    const sender = new StillSender(() => track, () => endpoint);
    sender.captured();
    sender.wanted('screen-1', true);
    await vi.advanceTimersByTimeAsync(500);
    expect(puts()).toBe(0); // the white of a tab not painted yet is not the share's first still
    blank = false;
    await vi.advanceTimersByTimeAsync(400);
    expect(puts()).toBe(1);
    sender.stop();
  });

  it('sends a screen that stays blank once its frames are BLANK_FIRST_MS old', async () => {
    blank = true;
    const sender = new StillSender(() => track, () => endpoint);
    sender.captured();
    sender.wanted('screen-1', true);
    await vi.advanceTimersByTimeAsync(BLANK_FIRST_MS - 100);
    expect(puts()).toBe(0);
    await vi.advanceTimersByTimeAsync(500);
    expect(puts()).toBe(1);
    // Later stills are never held back: a screen that goes blank is sent like any change.
    blank = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(puts()).toBe(2);
    blank = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(puts()).toBe(3);
    sender.stop();
  });

  it('with the capture\'s own frames: a blank first frame is read once, the still made at the next frame', async () => {
    /** A 1920x1080 I420 frame: flat white, or white crossed by a grey line every 16 rows. */
    const frame = (painted: boolean): Record<string, unknown> => {
      const width = 1920;
      const height = 1080;
      return {
        format: 'I420',
        displayWidth: width,
        displayHeight: height,
        visibleRect: { width, height },
        colorSpace: { fullRange: false },
        allocationSize: () => width * height,
        copyTo: (out: Uint8Array) => {
          out.fill(235);
          if (painted) for (let row = 0; row < height; row += 16) out.fill(120, row * width, (row + 1) * width);
          reads++;
          return Promise.resolve([{ offset: 0, stride: width }]);
        },
        clone() {
          return this;
        },
        close: () => {},
      };
    };
    let reads = 0;
    const push = stubTrackProcessor();
    vi.stubGlobal('ImageData', class {
      readonly data: Uint8ClampedArray;
      constructor(
        readonly width: number,
        readonly height: number,
      ) {
        this.data = new Uint8ClampedArray(width * height * 4);
      }
    });
    const sender = new StillSender(() => track, () => endpoint);
    sender.captured();
    sender.wanted('screen-1', true);
    push(frame(false));
    await vi.advanceTimersByTimeAsync(1_000); // two probes' ticks on the same frame
    expect(puts()).toBe(0);
    expect(reads).toBe(1);
    push(frame(true));
    await vi.advanceTimersByTimeAsync(10); // at the frame, not at the next probe
    expect(puts()).toBe(1);
    sender.stop();
  });
});
