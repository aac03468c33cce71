/**
 * Chat messages that could not be sent for a passing reason are sent again
 * on their own: which failures pass, and when to try again.
 *
 * The server answers UNAVAILABLE at once (or within REDIS_TIMEOUT_MS) while
 * its Redis is down; it says nothing when it is back. So the chat tries
 * again after 1 s, then every 2 s, and at once on a new socket. A retry
 * sends the same client message id: the server stores it once.
 */
import type { AppErrorCode } from '../errors';

/** Failures that a later try may not meet: the message waits and is sent again. */
export function isPassing(code: AppErrorCode): boolean {
  return code === 'UNAVAILABLE' || code === 'TIMEOUT' || code === 'CONNECTION_LOST' || code === 'SHUTTING_DOWN';
}

export const RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000];

/** One timer for all waiting messages, with a back-off reset by a success. */
export class RetrySchedule {
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly run: () => void,
    private readonly delays: readonly number[] = RETRY_DELAYS_MS,
  ) {}

  /** Runs `run` after the next delay (once, however often asked before it runs). */
  schedule(): void {
    if (this.#timer !== undefined) return;
    const delay = this.delays[Math.min(this.#attempt, this.delays.length - 1)] ?? 2_000;
    this.#attempt++;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.run();
    }, delay);
  }

  /** A message went through: the next wait starts short again. */
  succeeded(): void {
    this.#attempt = 0;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
