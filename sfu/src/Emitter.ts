import { EventEmitter } from 'node:events';

/**
 * An EventEmitter typed by an event map `{ name: [args] }`, as mediasoup's own
 * objects are. `safeEmit` cannot be broken by a throwing listener: the error is
 * reported on `listenererror` (or swallowed) so that a bug in one subscriber
 * never stops the object's own bookkeeping (closing children, freeing ports).
 */
export class Emitter<E extends Record<keyof E, unknown[]>> extends EventEmitter<E & { listenererror: [Error] }> {
  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): void {
    try {
      // The cast is needed because Node's typed EventEmitter does not narrow
      // a generic key; the event map above still checks every caller.
      (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (error) {
      if ((this as EventEmitter).listenerCount('listenererror') > 0) {
        (this.emit as (e: string, ...a: unknown[]) => boolean)(
          'listenererror',
          error instanceof Error ? error : new Error(String(error)),
        );
      }
    }
  }
}
