/**
 * The sharer's screen frames for its still pictures (StillSender.ts): the
 * latest frame of the screen track, drawn on demand. Where the browser has
 * MediaStreamTrackProcessor (Chromium), straight from the track: each frame
 * as it comes, the one before closed. A detached <video> playing the track
 * took 0.7–1.0 s to its first frame on a loaded host (scripts/bench/README.md,
 * the weak link), which the first still of a share waited for. Elsewhere
 * (Firefox, Safari), that <video>.
 */
import { createLogger } from '../log';

const log = createLogger('still');

export interface StillFrames {
  /** The latest frame's size; 0 before the first frame. */
  readonly width: number;
  readonly height: number;
  /** Frames received so far (the latest's number), where known (the processor); null otherwise. */
  readonly serial: number | null;
  /** Whether these are frames of `track` (the share may have been replaced meanwhile). */
  of(track: MediaStreamTrack): boolean;
  /** Draws the latest frame, scaled to width x height. */
  draw(context: OffscreenCanvasRenderingContext2D, width: number, height: number): void;
  /**
   * The latest frame's luma plane, when it has one to copy (a YUV frame):
   * no canvas, no read back of RGBA pixels. null otherwise.
   */
  luma(): Promise<LumaPlane | null>;
  close(): void;
}

/** One byte a pixel, row after row. */
export interface LumaPlane {
  y: Uint8Array;
  width: number;
  height: number;
  /** 0-255; otherwise 16-235 (video range). */
  fullRange: boolean;
}

/** Frame formats whose first plane is the full-size luma. */
const YUV_FORMATS = new Set(['I420', 'I420A', 'I422', 'I422A', 'I444', 'I444A', 'NV12']);

/** Chromium's breakout box, not in TypeScript's DOM types. */
interface TrackProcessor {
  readonly readable: ReadableStream<VideoFrame>;
}
type TrackProcessorClass = new (init: { track: MediaStreamTrack; maxBufferSize?: number }) => TrackProcessor;

/**
 * The track's frames; `onFrame` at each new one with its number, 1 for the
 * first (the still need not wait for the next probe). Where frames cannot be
 * followed (the element), only at the first.
 */
export function openStillFrames(track: MediaStreamTrack, onFrame: (serial: number) => void): StillFrames {
  const Processor = (globalThis as { MediaStreamTrackProcessor?: TrackProcessorClass }).MediaStreamTrackProcessor;
  if (typeof Processor === 'function') {
    try {
      return new ProcessorFrames(new Processor({ track, maxBufferSize: 1 }), track, onFrame);
    } catch (error) {
      log.info('still: no MediaStreamTrackProcessor for this track, playing it in an element', error);
    }
  }
  return new ElementFrames(track, onFrame);
}

class ProcessorFrames implements StillFrames {
  #frame: VideoFrame | null = null;
  #serial = 0;
  #closed = false;
  readonly #reader: ReadableStreamDefaultReader<VideoFrame>;

  constructor(
    processor: TrackProcessor,
    private readonly track: MediaStreamTrack,
    private readonly onFrame: (serial: number) => void,
  ) {
    this.#reader = processor.readable.getReader();
    void this.#pump();
  }

  get width(): number {
    return this.#frame?.displayWidth ?? 0;
  }

  get height(): number {
    return this.#frame?.displayHeight ?? 0;
  }

  get serial(): number {
    return this.#serial;
  }

  of(track: MediaStreamTrack): boolean {
    return track === this.track;
  }

  draw(context: OffscreenCanvasRenderingContext2D, width: number, height: number): void {
    if (this.#frame) context.drawImage(this.#frame, 0, 0, width, height);
  }

  async luma(): Promise<LumaPlane | null> {
    if (!this.#frame || !YUV_FORMATS.has(this.#frame.format ?? '')) return null;
    const frame = this.#frame.clone(); // the next frame closes this one meanwhile
    try {
      const { width, height } = frame.visibleRect ?? { width: frame.codedWidth, height: frame.codedHeight };
      const all = new Uint8Array(frame.allocationSize());
      const [plane] = await frame.copyTo(all);
      const y = new Uint8Array(width * height);
      for (let row = 0; row < height; row++) y.set(all.subarray(plane!.offset + row * plane!.stride, plane!.offset + row * plane!.stride + width), row * width);
      return { y, width, height, fullRange: frame.colorSpace.fullRange === true };
    } finally {
      frame.close();
    }
  }

  close(): void {
    this.#closed = true;
    this.#frame?.close();
    this.#frame = null;
    this.#reader.cancel().catch(() => {});
  }

  async #pump(): Promise<void> {
    for (;;) {
      let next: ReadableStreamReadResult<VideoFrame>;
      try {
        next = await this.#reader.read();
      } catch {
        return; // cancelled, or the track ended
      }
      if (next.done) {
        // The track ended (a capture whose share never started, say): its last frame is of no use.
        this.#frame?.close();
        this.#frame = null;
        return;
      }
      if (this.#closed) {
        next.value.close();
        return;
      }
      this.#frame?.close();
      this.#frame = next.value;
      this.onFrame(++this.#serial);
    }
  }
}

class ElementFrames implements StillFrames {
  readonly #video: HTMLVideoElement;

  constructor(
    private readonly track: MediaStreamTrack,
    onFrame: (serial: number) => void,
  ) {
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    video.play().catch((error: unknown) => log.warn('still: the screen does not play', error));
    video.addEventListener('loadeddata', () => onFrame(1), { once: true });
    this.#video = video;
  }

  get width(): number {
    return this.#video.videoWidth;
  }

  get height(): number {
    return this.#video.videoHeight;
  }

  get serial(): null {
    return null;
  }

  of(track: MediaStreamTrack): boolean {
    return track === this.track && (this.#video.srcObject as MediaStream | null)?.getVideoTracks()[0] === track;
  }

  draw(context: OffscreenCanvasRenderingContext2D, width: number, height: number): void {
    context.drawImage(this.#video, 0, 0, width, height);
  }

  luma(): Promise<LumaPlane | null> {
    return Promise.resolve(null);
  }

  close(): void {
    this.#video.srcObject = null;
  }
}
