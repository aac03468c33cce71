/**
 * Which shared screens a peer needs as still pictures: those whose video
 * consumer the downlink holds (pause reason 'bandwidth'), until the video
 * has flowed again for STILL_RELEASE_MS (a trial that fails does not flip
 * the viewer back and forth). Part of a MediaPeer, which emits the changes
 * ('screenstill') for the signaling side to serve the pictures.
 */
import { STILL_RELEASE_MS } from './screenStill.js';

export class ScreenStillNeeds {
  /** Producer ids of the screens this peer needs as stills, by consumer id. */
  readonly #needed = new Map<string, string>();
  readonly #releases = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #onChange: (producerId: string, needed: boolean) => void;

  constructor(onChange: (producerId: string, needed: boolean) => void) {
    this.#onChange = onChange;
  }

  /** Producer ids of the screens needed as stills now. */
  get producers(): string[] {
    return [...this.#needed.values()];
  }

  /** A screen consumer was held (true) or released (false) for bandwidth. */
  held(consumerId: string, producerId: string, held: boolean): void {
    if (held) {
      this.#cancelRelease(consumerId);
      if (this.#needed.has(consumerId)) return;
      this.#needed.set(consumerId, producerId);
      this.#onChange(producerId, true);
      return;
    }
    if (!this.#needed.has(consumerId) || this.#releases.has(consumerId)) return;
    this.#releases.set(
      consumerId,
      setTimeout(() => {
        this.#releases.delete(consumerId);
        this.forget(consumerId);
      }, STILL_RELEASE_MS),
    );
  }

  /** The consumer is gone (or its video flowed long enough): no still for it any more. */
  forget(consumerId: string): void {
    this.#cancelRelease(consumerId);
    const producerId = this.#needed.get(consumerId);
    if (producerId === undefined) return;
    this.#needed.delete(consumerId);
    this.#onChange(producerId, false);
  }

  /** The peer closed: timers stop, nothing more is told. */
  close(): void {
    for (const timer of this.#releases.values()) clearTimeout(timer);
    this.#releases.clear();
    this.#needed.clear();
  }

  #cancelRelease(consumerId: string): void {
    const timer = this.#releases.get(consumerId);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#releases.delete(consumerId);
  }
}
