/**
 * Token buckets keyed by client address, for the per-IP limits of the
 * WebSocket side (@fastify/rate-limit covers HTTP routes only): `perMinute`
 * sustained, bursts of a minute's worth. Per process: a client spread over
 * several nodes gets each node's allowance (see README, "Limits").
 */
export class IpRate {
  readonly #buckets = new Map<string, { tokens: number; last: number }>();
  readonly #perMs: number;
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(
    readonly perMinute: number,
    now: () => number = Date.now,
  ) {
    this.#perMs = perMinute / 60_000;
    this.#capacity = Math.max(1, perMinute);
    this.#now = now;
  }

  /** Takes one token of `key`: 0 when allowed, else the milliseconds until one is back. */
  take(key: string): number {
    const t = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, last: t };
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (t - bucket.last) * this.#perMs);
    bucket.last = t;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) / this.#perMs);
    bucket.tokens -= 1;
    return 0;
  }

  /** Forgets buckets that have refilled (idle for a minute): they would start full anyway. */
  sweep(): void {
    const t = this.#now();
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (t - bucket.last) * this.#perMs >= this.#capacity) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }
}
