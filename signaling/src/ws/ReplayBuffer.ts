/**
 * The last notifications of a meeting session, numbered, for a resume
 * (hello.resume.lastSeq): a ring of `capacity` slots holding each
 * notification's type and data, the data shared with every other session
 * that got it (ProjectHub and Room fan one object out), its number implied by
 * its place. No object per kept notification: with an envelope object each,
 * a chat message to a project of 50 made 50 objects that lived for the
 * buffer's 512 notifications, long enough to be copied out of V8's young
 * generation and die in the old one, where only a mark-compact frees them.
 */
import type { NotificationData, NotificationEnvelope, NotificationType } from '../protocol/index.js';

export class ReplayBuffer {
  readonly #types: NotificationType[] = [];
  readonly #data: unknown[] = [];
  /** Seq of the newest notification (0: none yet). */
  #lastSeq = 0;

  constructor(readonly capacity: number) {}

  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Seq of the oldest notification kept (lastSeq + 1 when none). */
  get oldestSeq(): number {
    return this.#lastSeq - this.#types.length + 1;
  }

  /** Numbers and keeps a notification (the oldest goes when full); returns its seq. */
  push<T extends NotificationType>(type: T, data: NotificationData<T>): number {
    const seq = ++this.#lastSeq;
    // Seq n lives in slot (n - 1) % capacity: the arrays grow to capacity, then wrap.
    const slot = (seq - 1) % this.capacity;
    this.#types[slot] = type;
    this.#data[slot] = data;
    return seq;
  }

  /** Whether every notification after `seq` is still kept. */
  covers(seq: number): boolean {
    return seq <= this.#lastSeq && seq + 1 >= this.oldestSeq;
  }

  /** The notifications after `seq` that are kept, oldest first. */
  *after(seq: number): Generator<NotificationEnvelope> {
    for (let n = Math.max(seq + 1, this.oldestSeq); n <= this.#lastSeq; n++) {
      const slot = (n - 1) % this.capacity;
      yield { kind: 'ntf', type: this.#types[slot]!, data: this.#data[slot] as never, seq: n };
    }
  }
}
