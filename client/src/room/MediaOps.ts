/**
 * The queue of a meeting's local media work: toggles, device switches, a
 * screen share's start and stop, what a moderator's action makes the page do.
 * One at a time, so that tracks are never opened twice; the source is marked
 * busy meanwhile (state.busy, the toggles show it); a failure becomes a log
 * line (the op has already left state consistent). Owned by the RoomController
 * and lent to the modules it delegates to.
 */
import { createLogger } from '../log';
import type { RoomState } from '../state/roomState';
import type { LocalSource } from './producerOptions';
import { SerialQueue } from './SerialQueue';

const log = createLogger('room');

export class MediaOps {
  private readonly queue = new SerialQueue();

  constructor(private readonly state: RoomState) {}

  /** Runs `op` after the previous ones; resolves when it has run, never rejects. */
  async run(op: () => Promise<void>, source?: LocalSource): Promise<void> {
    const busy = this.state.busy;
    if (source) busy.value = new Set([...busy.value, source]);
    try {
      await this.queue.push(op);
    } catch (error) {
      log.error(`media operation failed${source ? ` (${source})` : ''}`, error);
    } finally {
      if (source) busy.value = new Set([...busy.value].filter((s) => s !== source));
    }
  }

  /** Resolves once what is queued now has run (a device switch, a permission prompt). */
  settled(): Promise<void> {
    return this.queue.push(() => Promise.resolve());
  }
}
