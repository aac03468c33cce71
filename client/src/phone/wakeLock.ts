/**
 * Keeps the phone's screen on while in a meeting (a foreman listening with
 * the phone on the table must not see it lock after 30 s). Wanted while
 * joined AND visible: the browser releases the lock by itself when the page
 * is hidden, so it is requested again when the page comes back; it is
 * released on leave. Where the API is missing (older iOS), nothing happens.
 */
import { effect, untracked, type ReadonlySignal } from '@preact/signals';
import { createLogger } from '../log';

const log = createLogger('wake-lock');

export interface SentinelLike {
  readonly released: boolean;
  release(): Promise<void>;
  addEventListener(type: 'release', listener: () => void): void;
}

export interface WakeLockLike {
  request(type: 'screen'): Promise<SentinelLike>;
}

export class ScreenWakeLock {
  private sentinel: SentinelLike | null = null;
  private wanted = false;
  private pending: Promise<void> | null = null;

  constructor(private readonly api: WakeLockLike | null | undefined) {}

  get supported(): boolean {
    return !!this.api;
  }

  /** Whether a lock is held right now. */
  get held(): boolean {
    return this.sentinel !== null && !this.sentinel.released;
  }

  /** Says whether the screen should stay on; acquires or releases to match. Never rejects. */
  async set(wanted: boolean): Promise<void> {
    this.wanted = wanted;
    // One request at a time; the loop below re-checks `wanted` after it.
    while (this.pending) await this.pending;
    if (wanted && !this.held) {
      this.pending = this.acquire();
      await this.pending;
      this.pending = null;
    } else if (!wanted && this.sentinel) {
      const sentinel = this.sentinel;
      this.sentinel = null;
      await sentinel.release().catch((error: unknown) => log.debug('release failed', error));
    }
  }

  private async acquire(): Promise<void> {
    if (!this.api) return;
    try {
      const sentinel = await this.api.request('screen');
      if (!this.wanted) {
        // Left (or hidden) while the request was in flight.
        await sentinel.release().catch(() => undefined);
        return;
      }
      this.sentinel = sentinel;
      sentinel.addEventListener('release', () => {
        if (this.sentinel === sentinel) this.sentinel = null;
      });
      log.debug('screen kept on');
    } catch (error) {
      // NotAllowedError: hidden page, battery saver, permissions policy. Tried again on the next change.
      log.info('screen wake lock refused', error);
    }
  }
}

/** Holds the lock while `joined` and `visible` are both true; returns the disposer. */
export function bindWakeLock(
  lock: ScreenWakeLock,
  joined: ReadonlySignal<boolean>,
  visible: ReadonlySignal<boolean>,
): () => void {
  return effect(() => {
    const wanted = joined.value && visible.value;
    untracked(() => void lock.set(wanted));
  });
}
