/**
 * Deadlines that all have the same length (the Redis bound, REDIS_TIMEOUT_MS),
 * kept in one list with one timer, instead of a timer (and, in node-redis, an
 * AbortSignal with its listener) for every command: a hello sends eight.
 *
 * Deadlines of one length expire in the order they were set, so the list is a
 * queue: added at its tail, removed from anywhere when their command settles
 * (most do, long before the bound: the entry dies young), and the one timer
 * waits for the head. When it fires, every deadline that has passed:
 *
 * - was passed by much (more than half the bound): the process stalled (a
 *   burst of synchronous work, a GC pause), and its command may not even have
 *   been written meanwhile. Its bound starts again from now, once;
 * - else expires, after one more turn of the event loop (setImmediate runs
 *   after the poll phase): an answer that arrived while the timer was due is
 *   read first, and its removal cancels the expiry.
 */
export interface Deadline {
  due: number;
  restarted: boolean;
  /** Unset once the deadline is removed (its command settled) or expired. */
  expire: (() => void) | undefined;
  prev: Deadline | undefined;
  next: Deadline | undefined;
}

/** A timer that fires up to this early (Node rounds timers to whole ms) still counts as on time. */
const SLACK_MS = 1;

export class DeadlineList {
  #head: Deadline | undefined;
  #tail: Deadline | undefined;
  #timer: NodeJS.Timeout | undefined;
  #size = 0;

  constructor(
    readonly ms: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Deadlines still waiting (tests, metrics). */
  get size(): number {
    return this.#size;
  }

  /** `expire` runs once the deadline has passed, unless remove() came first. */
  add(expire: () => void): Deadline {
    const deadline: Deadline = { due: this.now() + this.ms, restarted: false, expire, prev: undefined, next: undefined };
    this.#append(deadline);
    if (!this.#timer) this.#arm(this.ms);
    return deadline;
  }

  /** Its command settled: the deadline goes (idempotent; after expiry too). */
  remove(deadline: Deadline): void {
    deadline.expire = undefined;
    if (deadline.prev === undefined && this.#head !== deadline) return; // not in the list
    this.#unlink(deadline);
  }

  /** Stops the timer; the deadlines waiting never expire (the client is closed). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (let d = this.#head; d; d = d.next) d.expire = undefined;
    this.#head = this.#tail = undefined;
    this.#size = 0;
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.now();
    const expired: Deadline[] = [];
    for (let d = this.#head; d && d.due <= now + SLACK_MS; d = this.#head) {
      this.#unlink(d);
      if (!d.restarted && now - d.due > this.ms / 2) {
        d.restarted = true;
        d.due = now + this.ms;
        this.#append(d);
      } else {
        expired.push(d);
      }
    }
    if (expired.length > 0) {
      setImmediate(() => {
        for (const d of expired) {
          const expire = d.expire;
          d.expire = undefined;
          expire?.();
        }
      });
    }
    if (this.#head) this.#arm(Math.max(0, this.#head.due - now));
  }

  /**
   * Not cleared when the list empties (the next command would arm it again):
   * it fires once for nothing at worst. Unref'd: a command waiting on Redis
   * has its socket, which keeps the process alive.
   */
  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), ms);
    this.#timer.unref();
  }

  #append(d: Deadline): void {
    d.prev = this.#tail;
    d.next = undefined;
    if (this.#tail) this.#tail.next = d;
    else this.#head = d;
    this.#tail = d;
    this.#size++;
  }

  #unlink(d: Deadline): void {
    if (d.prev) d.prev.next = d.next;
    else this.#head = d.next;
    if (d.next) d.next.prev = d.prev;
    else this.#tail = d.prev;
    d.prev = d.next = undefined;
    this.#size--;
  }
}
