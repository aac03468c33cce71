/**
 * A meeting's lobby: the guests waiting for a moderator (knock), the users
 * admitted and those refused a moment ago. In memory, like the removed list:
 * it lives and dies with its Room, i.e. with the meeting instance.
 *
 * It knows no sockets: the Room turns its changes into notifications. The
 * moderators' `lobby` notification goes through `onChange`, at most once per
 * `minIntervalMs` (a burst of knocks becomes one or two notifications, each
 * with the whole, small, list as it is when sent).
 */
import { AppError } from '../errors.js';
import { ErrorCode, MAX_LOBBY_WAITING, type LobbyEntry } from '../protocol/index.js';

/** How long a refused guest's knocks are refused (ADMISSION_DENIED): they cannot pester moderators. */
export const DENIAL_BACKOFF_MS = 60_000;

/** Moderators get `lobby` at most this often (a few times a second). */
export const LOBBY_NOTIFY_INTERVAL_MS = 250;

export interface Waiting extends LobbyEntry {
  readonly userId: string;
}

export interface LobbyOptions {
  /** Called with the waiting list, throttled (see the module's comment). */
  onChange: (waiting: LobbyEntry[]) => void;
  now?: () => number;
  minIntervalMs?: number;
  denialMs?: number;
  max?: number;
}

export class Lobby {
  /** By peer id, in order of arrival. */
  readonly #waiting = new Map<string, Waiting>();
  /** Users let in by a moderator (or by the lobby's opening) for the rest of this meeting. */
  readonly #admitted = new Set<string>();
  /** Refused users: until when their knocks are refused. */
  readonly #deniedUntil = new Map<string, number>();
  readonly #onChange: (waiting: LobbyEntry[]) => void;
  readonly #now: () => number;
  readonly #minIntervalMs: number;
  readonly #denialMs: number;
  readonly #max: number;
  #lastSent = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: LobbyOptions) {
    this.#onChange = options.onChange;
    this.#now = options.now ?? (() => Date.now());
    this.#minIntervalMs = options.minIntervalMs ?? LOBBY_NOTIFY_INTERVAL_MS;
    this.#denialMs = options.denialMs ?? DENIAL_BACKOFF_MS;
    this.#max = options.max ?? MAX_LOBBY_WAITING;
  }

  /** The waiting guests as moderators see them, oldest first. */
  get waiting(): LobbyEntry[] {
    return [...this.#waiting.values()].map(({ peerId, displayName, since }) => ({ peerId, displayName, since }));
  }

  get size(): number {
    return this.#waiting.size;
  }

  /** Peer ids of the waiting guests. */
  get waitingPeerIds(): string[] {
    return [...this.#waiting.keys()];
  }

  isWaiting(peerId: string): boolean {
    return this.#waiting.has(peerId);
  }

  isAdmitted(userId: string): boolean {
    return this.#admitted.has(userId);
  }

  /** Milliseconds until this user may knock again after a refusal; 0 when they may. */
  deniedFor(userId: string): number {
    const until = this.#deniedUntil.get(userId);
    if (until === undefined) return 0;
    const left = until - this.#now();
    if (left > 0) return left;
    this.#deniedUntil.delete(userId);
    return 0;
  }

  /**
   * Puts a guest in the waiting list; a peer already waiting keeps its place
   * (false: nothing changed). LOBBY_FULL when the list is full,
   * ADMISSION_DENIED while the user's refusal lasts.
   */
  add(peerId: string, userId: string, displayName: string): boolean {
    if (this.#waiting.has(peerId)) return false;
    const denied = this.deniedFor(userId);
    if (denied > 0) {
      throw new AppError(ErrorCode.ADMISSION_DENIED, `a moderator refused you; retry in ${Math.ceil(denied / 1000)} s`);
    }
    if (this.#waiting.size >= this.#max) throw new AppError(ErrorCode.LOBBY_FULL, 'too many guests are waiting already');
    this.#waiting.set(peerId, { peerId, userId, displayName, since: this.#now() });
    this.#changed();
    return true;
  }

  /** Takes a peer out of the list (left, lost its socket, joined, or decided on). */
  remove(peerId: string): Waiting | undefined {
    const entry = this.#waiting.get(peerId);
    if (!entry) return undefined;
    this.#waiting.delete(peerId);
    this.#changed();
    return entry;
  }

  /** This user may join for the rest of the meeting (a moderator let them in). */
  admit(userId: string): void {
    this.#admitted.add(userId);
    this.#deniedUntil.delete(userId);
  }

  /** A moderator refused this user: their knocks are refused for a while. */
  deny(userId: string): void {
    this.#admitted.delete(userId);
    const now = this.#now();
    // Forget refusals that are over, so that the map stays as small as the moderators' refusals.
    for (const [id, until] of this.#deniedUntil) if (until <= now) this.#deniedUntil.delete(id);
    this.#deniedUntil.set(userId, now + this.#denialMs);
  }

  /** Everyone waiting is let in (the meeting's lobby was turned off); returns them. */
  admitAll(): Waiting[] {
    const all = [...this.#waiting.values()];
    for (const entry of all) this.admit(entry.userId);
    this.#waiting.clear();
    if (all.length > 0) this.#changed();
    return all;
  }

  /** No more notifications (the room closed). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting.clear();
  }

  #changed(): void {
    if (this.#closed || this.#timer) return; // the pending notification will carry this change
    const wait = this.#lastSent + this.#minIntervalMs - this.#now();
    if (wait <= 0) {
      this.#send();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#send();
    }, wait);
    this.#timer.unref();
  }

  #send(): void {
    if (this.#closed) return;
    this.#lastSent = this.#now();
    this.#onChange(this.waiting);
  }
}
