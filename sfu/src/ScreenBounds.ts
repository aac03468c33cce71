/**
 * Keeps each screen sharer's uplink bounded for the weakest viewer of its
 * screen (screenBound.ts decides; this applies it through the sharer's send
 * transport, whose REMB bounds its sender). Part of a MediaRoom: updated on
 * every viewer's bandwidth estimate (about once a second each) and when a
 * screen starts or stops.
 */
import type { Logger } from './logger.js';
import type { MediaPeer } from './MediaPeer.js';
import { nextSharerBound, UNBOUNDED, type SharerBound } from './screenBound.js';

export class ScreenBounds {
  readonly #peers: ReadonlyMap<string, MediaPeer>;
  readonly #log: Logger;
  /** By sharer's peer id; absent: not bounded and no weak viewer seen. */
  readonly #state = new Map<string, SharerBound>();

  constructor(peers: ReadonlyMap<string, MediaPeer>, log: Logger) {
    this.#peers = peers;
    this.#log = log;
  }

  /** The current bound of a sharer's uplink (bps), null when none. */
  boundOf(peerId: string): number | null {
    return this.#state.get(peerId)?.bound ?? null;
  }

  update(now = Date.now()): void {
    for (const id of this.#state.keys()) if (!this.#peers.get(id) || this.#peers.get(id)!.closed) this.#state.delete(id);
    for (const sharer of this.#peers.values()) {
      const screens = new Set([...sharer.producers.values()].filter((p) => p.appData.source === 'screen' && !p.closed).map((p) => p.id));
      const previous = this.#state.get(sharer.id) ?? UNBOUNDED;
      if (screens.size === 0 && previous.bound === null) continue;
      const viewers = [...this.#peers.values()]
        .filter((viewer) => viewer !== sharer && !viewer.closed)
        .filter((viewer) =>
          [...viewer.consumers.values()].some((c) => {
            if (!screens.has(c.producerId)) return false;
            const reasons = viewer.pauseReasons(c.id);
            return !reasons.has('client') && !reasons.has('viewport');
          }),
        )
        .map((viewer) => viewer.downlinkState);
      const next = screens.size === 0 ? UNBOUNDED : nextSharerBound(viewers, previous, now);
      if (next.bound !== previous.bound) {
        this.#log.info({ sharer: sharer.id, bound: next.bound, viewers: viewers.length }, 'screen sharer uplink bound for the weakest viewer');
        sharer.boundUplink(next.bound);
      }
      if (next === UNBOUNDED) this.#state.delete(sharer.id);
      else this.#state.set(sharer.id, next);
    }
  }
}
