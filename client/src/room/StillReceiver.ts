/**
 * The viewer's side of the still pictures (issue 21): when the server says
 * this page's downlink cannot carry a shared screen's video, it sends each
 * new version of a still picture of it (`screenStill`); this fetches it over
 * HTTP (TCP gets it through where the video's key frames die) and puts it
 * in the stage's state, which shows it instead of the video until the
 * server says the video flows again (version null) or the share ends.
 * While the share's first still is on its way the stage says so; a failed
 * fetch (a stalled connection on that link, bounded by FETCH_TIMEOUT_MS) is
 * tried again with a back-off while that version is the one announced.
 */
import type { Signal } from '@preact/signals';
import { createLogger } from '../log';
import type { ScreenStillView } from '../stage/screenStill';
import { stillUrl, type StillEndpoint } from './stillEndpoint';

const log = createLogger('still');

/**
 * A fetch of a still (its body included) is given up after this long: a TCP
 * connection stalled on the very link the stills are for would otherwise
 * hold it for minutes. 21 KB take ~0.6 s at 300 kbit/s.
 */
export const FETCH_TIMEOUT_MS = 15_000;
/** A failed fetch of the still still announced is tried again after 0.5, 1, 2… s, at most 8 s. */
export const RETRY_FIRST_MS = 500;
export const RETRY_MAX_MS = 8_000;

interface Fetched {
  /** X-Still-Version: the server's latest when it answered. */
  version: number;
  blob: Blob;
}

/** An answer with an error status. */
class HttpStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export class StillReceiver {
  /** The version asked last, by producer id: an older answer arriving late is dropped. */
  readonly #asked = new Map<string, number>();
  /** The share's first still, fetched as the share began (prepare), by producer id; null if that failed. */
  readonly #early = new Map<string, Promise<Fetched | null>>();

  constructor(
    private readonly stills: Signal<ReadonlyMap<string, ScreenStillView>>,
    private readonly endpoint: () => StillEndpoint | null,
  ) {}

  /**
   * A screen share began: fetches its first still now, before this page is
   * found weak (`wait=true`: the server answers as soon as the sharer sends
   * it, ~0.1-2 s after the share starts). On a weak link those 21 KB take
   * 1-2 s to cross, which then overlap the server's decision instead of
   * following its notice; a good link pays 21 KB per share. Kept until
   * `screenStill` asks for it (or a newer one) or the share ends.
   */
  prepare(producerId: string): void {
    const endpoint = this.endpoint();
    if (!endpoint || this.#early.has(producerId)) return;
    const early = this.#fetch(endpoint, producerId, true).catch((error: unknown) => {
      log.info(`first still of ${producerId} not fetched ahead`, error);
      return null; // `screenStill` will fetch it
    });
    this.#early.set(producerId, early);
  }

  /** The server's `screenStill`. */
  async announced(peerId: string, producerId: string, version: number | null): Promise<void> {
    if (version === null) {
      this.#asked.delete(producerId);
      this.#drop((view) => view.producerId === producerId);
      return;
    }
    this.#asked.set(producerId, version);
    const current = this.stills.value.get(peerId);
    // The share's first still is on its way: the stage says so (a later one keeps the picture shown meanwhile).
    if (!current || current.producerId !== producerId) this.#show(peerId, { producerId, version, url: null });
    // Fetched (or on its way) since the share began: not fetched twice over the weak link.
    const early = await this.#early.get(producerId);
    if (this.#asked.get(producerId) !== version) return;
    if (early && early.version >= version) {
      this.#show(peerId, { producerId, version: early.version, url: URL.createObjectURL(early.blob) });
      return;
    }
    // Until it arrives, or until it is no longer the one to show (a newer one announced, withdrawn, share ended).
    for (let attempt = 0; this.#asked.get(producerId) === version; attempt++) {
      const endpoint = this.endpoint();
      if (!endpoint) return;
      try {
        const { blob } = await this.#fetch(endpoint, producerId);
        if (this.#asked.get(producerId) !== version) return;
        const old = this.stills.value.get(peerId);
        if (old && old.version > version && old.producerId === producerId) return;
        this.#show(peerId, { producerId, version, url: URL.createObjectURL(blob) });
        return;
      } catch (error) {
        if (this.#asked.get(producerId) !== version) return;
        if (error instanceof HttpStatus && (error.status === 403 || error.status === 404)) {
          // Not in the meeting, or the share is gone: asking again changes nothing.
          log.warn(`still ${version} of ${producerId} refused`, error);
          this.#drop((view) => view.producerId === producerId && view.url === null);
          return;
        }
        const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** attempt);
        log.warn(`still ${version} of ${producerId} not fetched, next try in ${wait} ms`, error);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** A producer closed: its still goes. */
  producerClosed(producerId: string): void {
    this.#asked.delete(producerId);
    this.#early.delete(producerId);
    this.#drop((view) => view.producerId === producerId);
  }

  /** Teardown: every still goes. */
  clear(): void {
    this.#asked.clear();
    this.#early.clear();
    this.#drop(() => true);
  }

  /**
   * The picture and its version, within FETCH_TIMEOUT_MS (the body's
   * download included; with `waitFirst`, the server's wait for the share's
   * first picture too, 10 s at most).
   */
  async #fetch(endpoint: StillEndpoint, producerId: string, waitFirst = false): Promise<Fetched> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no still within ${FETCH_TIMEOUT_MS} ms`)), FETCH_TIMEOUT_MS);
    try {
      const response = await fetch(`${stillUrl(endpoint, producerId)}${waitFirst ? '?wait=true' : ''}`, {
        headers: { Authorization: `Bearer ${endpoint.token}` },
        credentials: 'omit',
        cache: 'no-store',
        signal: abort.signal,
      });
      if (!response.ok) throw new HttpStatus(response.status);
      const version = Number(response.headers.get('X-Still-Version'));
      return { version: Number.isInteger(version) && version > 0 ? version : 0, blob: await response.blob() };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Shows a sharer's still (or that it is loading: url null) in place of the one before. */
  #show(peerId: string, view: ScreenStillView): void {
    const next = new Map(this.stills.value);
    const old = next.get(peerId);
    if (old?.url) URL.revokeObjectURL(old.url);
    next.set(peerId, view);
    this.stills.value = next;
  }

  #drop(which: (view: ScreenStillView) => boolean): void {
    const next = new Map(this.stills.value);
    let changed = false;
    for (const [peerId, view] of next) {
      if (!which(view)) continue;
      if (view.url) URL.revokeObjectURL(view.url);
      next.delete(peerId);
      changed = true;
    }
    if (changed) this.stills.value = next;
  }
}
