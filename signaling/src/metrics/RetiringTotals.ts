/**
 * A monotonic total per group (a mediasoup worker) over objects that come
 * and go (transports), each reporting its own cumulative count (bytesSent).
 * Summing the live objects alone would drop whenever one closes, which a
 * Prometheus counter must never do (rate() would read it as a reset). So the
 * last value seen of an object that is gone is kept in its group's retired
 * sum. What an object counted between the last scrape and its close is not
 * known (a closed transport has no stats): the total is a lower bound.
 */
export interface Sample {
  /** The object (a transport id). */
  readonly id: string;
  /** Its group (a worker's pid). */
  readonly group: string;
  /** Its own cumulative count, as reported now. */
  readonly value: number;
}

export class RetiringTotals {
  readonly #last = new Map<string, { group: string; value: number }>();
  readonly #retired = new Map<string, number>();

  /**
   * Takes this scrape's samples (every live object) and returns each live
   * group's total. Groups not in `groups` (a dead worker) are forgotten.
   */
  update(samples: Iterable<Sample>, groups: Iterable<string>): Map<string, number> {
    const live = new Set(groups);
    const seen = new Set<string>();
    for (const s of samples) {
      if (!Number.isFinite(s.value) || s.value < 0) continue;
      seen.add(s.id);
      const previous = this.#last.get(s.id);
      // An object's own count never goes back; a smaller one is a glitch.
      this.#last.set(s.id, { group: s.group, value: Math.max(previous?.value ?? 0, s.value) });
    }
    for (const [id, last] of this.#last) {
      if (seen.has(id)) continue;
      this.#last.delete(id);
      this.#retired.set(last.group, (this.#retired.get(last.group) ?? 0) + last.value);
    }
    for (const group of [...this.#retired.keys()]) if (!live.has(group)) this.#retired.delete(group);
    for (const [id, last] of this.#last) if (!live.has(last.group)) this.#last.delete(id);

    const totals = new Map<string, number>();
    for (const group of live) totals.set(group, this.#retired.get(group) ?? 0);
    for (const last of this.#last.values()) totals.set(last.group, (totals.get(last.group) ?? 0) + last.value);
    return totals;
  }
}
