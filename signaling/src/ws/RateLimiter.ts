/**
 * Token bucket for one socket's messages: `ratePerSecond` sustained, bursts of
 * two seconds' worth. In-process and per connection, so no library or store
 * is needed (@fastify/rate-limit covers HTTP routes, not WebSocket frames).
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  readonly #rate: number;
  readonly #capacity: number;

  /** `burst` defaults to two seconds' worth. */
  constructor(ratePerSecond: number, now: () => number = Date.now, burst = ratePerSecond * 2) {
    this.#rate = ratePerSecond;
    this.#capacity = Math.max(1, burst);
    this.#tokens = this.#capacity;
    this.now = now;
    this.#last = now();
  }

  private readonly now: () => number;

  /** Takes one token; false when the bucket is empty. */
  take(): boolean {
    const t = this.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((t - this.#last) / 1000) * this.#rate);
    this.#last = t;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
