import { createLogger } from '../log';

const log = createLogger('emitter');

/** Events declared as a map `{ name: [args] }`, as mediasoup does. */
export type EventMap = { [name: string]: unknown[] };

type Listener<Args extends unknown[]> = (...args: Args) => void;

/**
 * A small typed event emitter. `emit` is safe: a throwing listener is logged and
 * cannot stop the others nor the emitter's caller (a protocol message handler,
 * typically), which is what mediasoup's `safeEmit` guarantees.
 */
export class Emitter<E extends EventMap> {
  private readonly listeners: { [K in keyof E]?: Set<Listener<E[K]>> } = {};

  /** Subscribe; returns the function that unsubscribes. */
  on<K extends keyof E>(name: K, listener: Listener<E[K]>): () => void {
    let set = this.listeners[name];
    if (!set) {
      set = new Set();
      this.listeners[name] = set;
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  emit<K extends keyof E>(name: K, ...args: E[K]): void {
    const set = this.listeners[name];
    if (!set) return;
    // Copy: a listener may unsubscribe itself or others while we iterate.
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        log.error(`listener of "${String(name)}" threw`, error);
      }
    }
  }

  listenerCount(name: keyof E): number {
    return this.listeners[name]?.size ?? 0;
  }

  removeAllListeners(): void {
    for (const name of Object.keys(this.listeners) as (keyof E)[]) {
      delete this.listeners[name];
    }
  }
}
