/**
 * The viewer's side of the still pictures (issue 21): when the server says
 * this page's downlink cannot carry a shared screen's video, it sends each
 * new version of a still picture of it (`screenStill`); this fetches it over
 * HTTP (TCP gets it through where the video's key frames die) and puts it
 * in the stage's state, which shows it instead of the video until the
 * server says the video flows again (version null) or the share ends.
 */
import type { Signal } from '@preact/signals';
import { createLogger } from '../log';
import type { ScreenStillView } from '../stage/screenStill';
import { stillUrl, type StillEndpoint } from './stillEndpoint';

const log = createLogger('still');

export class StillReceiver {
  /** The version asked last, by producer id: an older answer arriving late is dropped. */
  readonly #asked = new Map<string, number>();

  constructor(
    private readonly stills: Signal<ReadonlyMap<string, ScreenStillView>>,
    private readonly endpoint: () => StillEndpoint | null,
  ) {}

  /**
   * A screen share began: opens the connection its stills would come by (a
   * HEAD of the still's URL, a few hundred bytes, with the GET's credentials
   * mode, so that the browser keeps that socket for it). A viewer the server
   * then finds weak does not pay a TCP handshake on its lossy link when the
   * picture is announced: a round trip, a second more when the SYN is lost.
   */
  prepare(producerId: string): void {
    const endpoint = this.endpoint();
    if (!endpoint) return;
    fetch(stillUrl(endpoint, producerId), {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${endpoint.token}` },
      credentials: 'omit',
      cache: 'no-store',
    }).catch(() => {}); // only a warm-up: the GET says what fails
  }

  /** The server's `screenStill`. */
  async announced(peerId: string, producerId: string, version: number | null): Promise<void> {
    if (version === null) {
      this.#asked.delete(producerId);
      this.#drop((view) => view.producerId === producerId);
      return;
    }
    this.#asked.set(producerId, version);
    const endpoint = this.endpoint();
    if (!endpoint) return;
    try {
      const response = await fetch(stillUrl(endpoint, producerId), {
        headers: { Authorization: `Bearer ${endpoint.token}` },
        credentials: 'omit',
        cache: 'no-store',
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const blob = await response.blob();
      if (this.#asked.get(producerId) !== version) return; // a newer one was announced, or the still was withdrawn
      const next = new Map(this.stills.value);
      const old = next.get(peerId);
      if (old && old.version > version && old.producerId === producerId) return;
      if (old) URL.revokeObjectURL(old.url);
      next.set(peerId, { producerId, version, url: URL.createObjectURL(blob) });
      this.stills.value = next;
    } catch (error) {
      log.warn(`still ${version} of ${producerId} not fetched`, error);
    }
  }

  /** A producer closed: its still goes. */
  producerClosed(producerId: string): void {
    this.#asked.delete(producerId);
    this.#drop((view) => view.producerId === producerId);
  }

  /** Teardown: every still goes. */
  clear(): void {
    this.#asked.clear();
    this.#drop(() => true);
  }

  #drop(which: (view: ScreenStillView) => boolean): void {
    const next = new Map(this.stills.value);
    let changed = false;
    for (const [peerId, view] of next) {
      if (!which(view)) continue;
      URL.revokeObjectURL(view.url);
      next.delete(peerId);
      changed = true;
    }
    if (changed) this.stills.value = next;
  }
}
