/**
 * Which shared screens a peer needs as still pictures: those whose video
 * consumer the downlink holds (pause reason 'bandwidth') on a downlink that
 * loses packets (screenStill.ts `lossy`: a good link whose estimate a loaded
 * host keeps low gets its video back after the hold, as any other video),
 * until the video has flowed again for STILL_RELEASE_MS (a trial that fails
 * does not flip the viewer back and forth). A share whose video this
 * downlink was found too weak for as the share began is needed at once
 * (`expect`), before the consumer is made: its sharer starts the first
 * still while this peer's consume is on its way. Part of a MediaPeer, which emits
 * the changes ('screenstill') for the signaling side to serve the pictures.
 */
import { lossy, STILL_RELEASE_MS, type ScreenVerdict } from './screenStill.js';

/**
 * A share expected as a still (`expect`) lapses when this peer has not
 * consumed its screen within this (an audio-only page never does; a consume
 * refused): the sharer then stops making stills for it.
 */
export const EXPECT_CONSUME_MS = 10_000;

export interface ScreenStillNeedsOptions {
  /** A screen (its producer id) needed as a still (true) or no longer (false). */
  onChange: (producerId: string, needed: boolean) => void;
  /** The downlink's loss now (0-1; undefined when unknown): mediasoup's figure for the receive transport. */
  lossOf: () => Promise<number | undefined>;
  /** A screen held for bandwidth on a downlink that loses nothing: paused, no still. */
  onLossless?: (consumerId: string, loss: number | undefined) => void;
}

export class ScreenStillNeeds {
  /** Producer ids of the screens this peer needs as stills, by consumer id. */
  readonly #needed = new Map<string, string>();
  /** Holds whose loss is being read (by consumer id): released or forgotten meanwhile, they come to nothing. */
  readonly #pending = new Set<string>();
  readonly #releases = new Map<string, ReturnType<typeof setTimeout>>();
  /** Shares needed before their consumer exists (by producer id): the lapse of each. */
  readonly #expected = new Map<string, ReturnType<typeof setTimeout>>();
  /** The verdicts taken as shares began, by producer id, for their consumers to come (`verdictOf`). */
  readonly #verdicts = new Map<string, Promise<ScreenVerdict | undefined>>();
  readonly #options: ScreenStillNeedsOptions;
  #closed = false;

  constructor(options: ScreenStillNeedsOptions) {
    this.#options = options;
  }

  /** Producer ids of the screens needed as stills now. */
  get producers(): string[] {
    return [...this.#needed.values(), ...this.#expected.keys()];
  }

  /**
   * A share began (another peer's screen): `verdict` is this downlink's,
   * taken now. Too weak: the still is needed from now on (the sharer is told
   * at once), and the screen's consumer, when made, starts held (`verdictOf`).
   */
  expect(producerId: string, verdict: Promise<ScreenVerdict | undefined>): void {
    if (this.#closed || this.#verdicts.has(producerId) || this.#expected.has(producerId)) return;
    this.#verdicts.set(producerId, verdict);
    const lapse = setTimeout(() => {
      if (this.#verdicts.get(producerId) === verdict) this.#verdicts.delete(producerId);
      if (this.#expected.get(producerId) !== lapse) return;
      this.#expected.delete(producerId);
      this.#options.onChange(producerId, false);
    }, EXPECT_CONSUME_MS);
    void verdict.then((found) => {
      if (this.#closed || !found?.weak || [...this.#needed.values()].includes(producerId)) return;
      this.#expected.set(producerId, lapse);
      this.#options.onChange(producerId, true);
    });
  }

  /** The verdict taken as the share began, once, for its consumer (undefined: none, decide now). */
  verdictOf(producerId: string): Promise<ScreenVerdict | undefined> | undefined {
    const verdict = this.#verdicts.get(producerId);
    this.#verdicts.delete(producerId);
    return verdict;
  }

  /**
   * A screen consumer was held (true) or released (false) for bandwidth.
   * `lossChecked`: held at its start by startsWithStill, which read the loss
   * already; a later hold reads it first.
   */
  held(consumerId: string, producerId: string, held: boolean, lossChecked = false): void {
    if (this.#closed) return;
    if (!held) {
      this.#pending.delete(consumerId);
      if (!this.#needed.has(consumerId) || this.#releases.has(consumerId)) return;
      this.#releases.set(
        consumerId,
        setTimeout(() => {
          this.#releases.delete(consumerId);
          this.forget(consumerId);
        }, STILL_RELEASE_MS),
      );
      return;
    }
    this.#cancelRelease(consumerId);
    if (this.#needed.has(consumerId)) return;
    if (lossChecked) {
      this.#need(consumerId, producerId);
      return;
    }
    if (this.#pending.has(consumerId)) return;
    this.#pending.add(consumerId);
    void this.#options
      .lossOf()
      .catch(() => undefined)
      .then((loss) => {
        if (!this.#pending.delete(consumerId) || this.#closed) return;
        if (lossy(loss)) this.#need(consumerId, producerId);
        else this.#options.onLossless?.(consumerId, loss);
      });
  }

  /** The consumer is gone (or its video flowed long enough): no still for it any more. */
  forget(consumerId: string): void {
    this.#pending.delete(consumerId);
    this.#cancelRelease(consumerId);
    const producerId = this.#needed.get(consumerId);
    if (producerId === undefined) return;
    this.#needed.delete(consumerId);
    this.#options.onChange(producerId, false);
  }

  /** The peer closed: timers stop, nothing more is told. */
  close(): void {
    this.#closed = true;
    for (const timer of [...this.#releases.values(), ...this.#expected.values()]) clearTimeout(timer);
    this.#releases.clear();
    this.#expected.clear();
    this.#verdicts.clear();
    this.#pending.clear();
    this.#needed.clear();
  }

  #need(consumerId: string, producerId: string): void {
    this.#needed.set(consumerId, producerId);
    this.#verdicts.delete(producerId);
    const expected = this.#expected.get(producerId);
    if (expected !== undefined) {
      // Needed since the share began: told already.
      clearTimeout(expected);
      this.#expected.delete(producerId);
      return;
    }
    this.#options.onChange(producerId, true);
  }

  #cancelRelease(consumerId: string): void {
    const timer = this.#releases.get(consumerId);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#releases.delete(consumerId);
  }
}
