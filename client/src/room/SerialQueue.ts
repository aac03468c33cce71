/**
 * Runs async tasks one after the other, in the order they were pushed. A task
 * that fails rejects its own promise only: the next task still runs.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  push<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task);
    this.pending++;
    // The chain continues whatever the task's outcome; the caller handles it.
    this.tail = run.then(
      () => this.pending--,
      () => this.pending--,
    );
    return run;
  }

  /** Tasks pushed and not yet settled. */
  get size(): number {
    return this.pending;
  }
}
