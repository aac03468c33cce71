/**
 * Tells the server which remote video this page shows and how large, so that
 * hidden video is paused and shown video comes at the simulcast layer that
 * fits (setViewport). Components only register their <video> elements
 * (RoomActions.observeVideo); this module watches them with
 * IntersectionObserver and ResizeObserver, debounces, and sends a report when
 * it differs from the last one sent. Nothing is sent periodically.
 */
import type { RequestData } from '@chantier/signaling/protocol';

export type ViewportTiles = RequestData<'setViewport'>['tiles'];

/** One registered video element as last observed (CSS pixels). */
export interface ObservedVideo {
  producerId: string;
  visible: boolean;
  width: number;
  height: number;
}

/**
 * The report: each visible video with a size, in device pixels, once per
 * producer (the largest element wins: a face in the grid and the filmstrip),
 * in a stable order so that equal views compare equal.
 */
export function viewportTiles(observed: Iterable<ObservedVideo>, devicePixelRatio: number): ViewportTiles {
  const byProducer = new Map<string, { width: number; height: number }>();
  for (const video of observed) {
    if (!video.visible || video.width <= 0 || video.height <= 0) continue;
    const width = Math.min(16_384, Math.round(video.width * devicePixelRatio));
    const height = Math.min(16_384, Math.round(video.height * devicePixelRatio));
    const seen = byProducer.get(video.producerId);
    if (!seen || width * height > seen.width * seen.height) byProducer.set(video.producerId, { width, height });
  }
  return [...byProducer]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, 64)
    .map(([producerId, size]) => ({ producerId, ...size }));
}

interface ObserverLike {
  observe(element: Element): void;
  unobserve(element: Element): void;
  disconnect(): void;
}

/** The two browser observers, reduced to what is used (tests pass fakes). */
export interface ObserverFactories {
  intersection(callback: (entries: Array<{ target: Element; visible: boolean }>) => void): ObserverLike;
  resize(callback: (entries: Array<{ target: Element; width: number; height: number }>) => void): ObserverLike;
}

export const browserObservers: ObserverFactories = {
  intersection: (callback) =>
    new IntersectionObserver((entries) =>
      callback(entries.map((e) => ({ target: e.target, visible: e.isIntersecting && e.intersectionRatio > 0 }))),
    ),
  resize: (callback) =>
    new ResizeObserver((entries) =>
      callback(entries.map((e) => ({ target: e.target, width: e.contentRect.width, height: e.contentRect.height }))),
    ),
};

export interface ViewportReporterOptions {
  send: (tiles: ViewportTiles) => void;
  observers?: ObserverFactories;
  devicePixelRatio?: () => number;
  /** Layout settles (a resize drag, a stage switch) before a report goes. */
  debounceMs?: number;
}

export const VIEWPORT_DEBOUNCE_MS = 300;
/**
 * A report waits this long at most for a new element's first observations:
 * sent before them, it would say "not shown" and the server would pause a
 * video that is on screen, then resume it (a key frame, ~0.4 s frozen) when
 * the observers answer a moment later (seen after joins on a busy page).
 */
export const FIRST_OBSERVATION_WAIT_MS = 1_000;

/** A registered element, with what its observers said so far. */
interface Watched extends ObservedVideo {
  since: number;
  /** The intersection observer has answered once. */
  seenVisibility: boolean;
  /** The resize observer has answered once. */
  seenSize: boolean;
}

/** Its first observations are in: whether it shows, and its size if it does. */
function firstObserved(video: Watched): boolean {
  return video.seenVisibility && (!video.visible || video.seenSize);
}

export class ViewportReporter {
  readonly #send: (tiles: ViewportTiles) => void;
  readonly #factories: ObserverFactories;
  readonly #dpr: () => number;
  readonly #debounceMs: number;
  readonly #videos = new Map<Element, Watched>();
  #intersection: ObserverLike | null = null;
  #resize: ObserverLike | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastSent: string | null = null;
  #enabled = false;

  constructor(options: ViewportReporterOptions) {
    this.#send = options.send;
    this.#factories = options.observers ?? browserObservers;
    this.#dpr = options.devicePixelRatio ?? (() => globalThis.devicePixelRatio || 1);
    this.#debounceMs = options.debounceMs ?? VIEWPORT_DEBOUNCE_MS;
  }

  /** Watches a <video> that shows `producerId`; the returned function stops watching it. */
  observe(element: Element, producerId: string): () => void {
    this.#intersection ??= this.#factories.intersection((entries) => {
      for (const { target, visible } of entries) {
        const video = this.#videos.get(target);
        if (video) Object.assign(video, { visible, seenVisibility: true });
      }
      this.#schedule();
    });
    this.#resize ??= this.#factories.resize((entries) => {
      for (const { target, width, height } of entries) {
        const video = this.#videos.get(target);
        if (video) Object.assign(video, { width, height, seenSize: true });
      }
      this.#schedule();
    });
    // Not visible until the observer says so; its first callback comes at once.
    this.#videos.set(element, {
      producerId,
      visible: false,
      width: 0,
      height: 0,
      since: Date.now(),
      seenVisibility: false,
      seenSize: false,
    });
    this.#intersection.observe(element);
    this.#resize.observe(element);
    this.#schedule();
    return () => {
      if (!this.#videos.delete(element)) return;
      this.#intersection?.unobserve(element);
      this.#resize?.unobserve(element);
      this.#schedule();
    };
  }

  /**
   * Reports are sent only while enabled (joined, not audio-only). Enabling
   * sends the current view: the server's view of this page starts empty
   * (a new session, or video consumed again after audio-only).
   */
  setEnabled(enabled: boolean): void {
    if (enabled === this.#enabled) return;
    this.#enabled = enabled;
    this.#lastSent = null;
    if (enabled) this.#schedule();
    else this.#cancel();
  }

  /** Sends now what is pending (tests; not needed otherwise), unless a new element is still unobserved. */
  flush(): void {
    this.#cancel();
    if (!this.#enabled) return;
    const now = Date.now();
    if ([...this.#videos.values()].some((v) => !firstObserved(v) && now - v.since < FIRST_OBSERVATION_WAIT_MS)) {
      this.#schedule();
      return;
    }
    const tiles = viewportTiles(this.#videos.values(), this.#dpr());
    // New video elements count even when hidden: the server lets a consumer
    // created after the last report flow until it hears about it.
    const observed = [...new Set([...this.#videos.values()].map((v) => v.producerId))].sort();
    const key = JSON.stringify([tiles, observed]);
    if (key === this.#lastSent) return;
    this.#lastSent = key;
    this.#send(tiles);
  }

  dispose(): void {
    this.#cancel();
    this.#intersection?.disconnect();
    this.#resize?.disconnect();
    this.#intersection = null;
    this.#resize = null;
    this.#videos.clear();
    this.#enabled = false;
  }

  #schedule(): void {
    if (!this.#enabled || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush();
    }, this.#debounceMs);
  }

  #cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
