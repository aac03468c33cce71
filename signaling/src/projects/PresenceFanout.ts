/**
 * Presence changes on their way from the bus to the sessions of one node,
 * coalesced per project over a short window (PRESENCE_COALESCE_MS): whatever
 * changes arrived meanwhile go out as one `presence` notification per
 * socket, serialised once for the whole project (protocol/presence.ts).
 *
 * Why a window and not the end of the tick: when a project's members come
 * online together (a site meeting at 8:00, the signaling bench's hello
 * step), each hello's change arrived in a tick of its own, so every socket of
 * the project got a frame per newcomer: ~15 presence frames per client in
 * the bench's connect step, and the socket writes (one syscall each) were
 * the largest single cost of a hello in its CPU profile. Over a 100-ms window
 * the same changes take a few frames; a person sees a newcomer up to 100 ms
 * later on the project page (a meeting's own joins and leaves are not
 * presence: peerJoined and peerLeft go at once). 25 ms (session 8) still
 * sent ~3.5 presence frames per hello in the signaling bench at ~250
 * hellos/s (scripts/bench/README.md, "signaling").
 *
 * It also remembers the newest version seen per project, for the hub's check
 * that no change was lost (ProjectHub.#checkVersions).
 */
import type { PresenceChange, PresenceNotification, PresenceSnapshot } from '../protocol/index.js';

/** Sends one notification to every session of the project (`json` is JSON.stringify(data)). */
export type PresenceDeliver = (projectId: string, data: PresenceNotification, json: string) => void;

/**
 * Whether a session whose hello snapshot was at `snapshotVersion` already has
 * everything in `data`: changes only, none newer than that snapshot. Over the
 * window, a change also reaches the sockets that said hello after it was made
 * (their snapshot holds it, and the client would drop it by version): such a
 * frame is not sent. Not known yet (the hello's snapshot still being read): sent.
 * A snapshot sent after the hello may be older than the hello's (read before
 * it, flushed after) and takes the client's view back: from then on the
 * session's hello version no longer says what it has (the hub forgets it).
 */
export function coveredBy(data: PresenceNotification, snapshotVersion: number | undefined): boolean {
  if (snapshotVersion === undefined || data.snapshot || !data.changes) return false;
  return data.changes.every((change) => change.version <= snapshotVersion);
}

/** How long changes wait to be sent together (see the header). */
export const PRESENCE_COALESCE_MS = 100;

interface Pending {
  snapshot?: PresenceSnapshot;
  changes: PresenceChange[];
}

export class PresenceFanout {
  readonly #pending = new Map<string, Pending>();
  readonly #seen = new Map<string, number>();
  /** Projects whose Redis version was ahead of what the bus brought at the last check. */
  readonly #behind = new Map<string, number>();
  #scheduled = false;

  constructor(
    private readonly deliver: PresenceDeliver,
    /** How a flush is put off (by default PRESENCE_COALESCE_MS; tests run it by hand). */
    private readonly schedule: (flush: () => void) => void = (flush) => void setTimeout(flush, PRESENCE_COALESCE_MS).unref(),
  ) {}

  /** A change from the bus (in version order per project, as Redis published them). */
  change(projectId: string, change: PresenceChange): void {
    this.#see(projectId, change.version);
    this.#pendingOf(projectId).changes.push(change);
    this.#schedule();
  }

  /** A snapshot to start the sessions again from (changes lost); changes it covers are dropped. */
  snapshot(projectId: string, snapshot: PresenceSnapshot): void {
    this.#see(projectId, snapshot.version);
    const pending = this.#pendingOf(projectId);
    pending.snapshot = snapshot;
    pending.changes = pending.changes.filter((c) => c.version > snapshot.version);
    this.#schedule();
  }

  /** The newest version seen for the project (undefined: none since it was forgotten). */
  seen(projectId: string): number | undefined {
    return this.#seen.get(projectId);
  }

  /**
   * A change published but never brought by the bus (lost in a reconnection
   * the bus did not notice) would leave the sessions behind until the next
   * change. Called every heartbeat with the project's version in Redis: true
   * when it has stayed ahead of what arrived over two checks (so it is not
   * merely in flight), and a snapshot should be sent.
   */
  isBehind(projectId: string, version: number): boolean {
    const seen = this.#seen.get(projectId) ?? -1;
    const suspect = this.#behind.get(projectId);
    if (version <= seen) {
      this.#behind.delete(projectId);
      return false;
    }
    if (suspect !== undefined && seen < suspect) {
      this.#behind.delete(projectId);
      return true;
    }
    this.#behind.set(projectId, version);
    return false;
  }

  /** The project has no session here any more. */
  forget(projectId: string): void {
    this.#seen.delete(projectId);
    this.#pending.delete(projectId);
    this.#behind.delete(projectId);
  }

  flush(): void {
    this.#scheduled = false;
    const all = [...this.#pending];
    this.#pending.clear();
    for (const [projectId, { snapshot, changes }] of all) {
      const data: PresenceNotification = {
        ...(snapshot ? { snapshot } : {}),
        ...(changes.length > 0 ? { changes } : {}),
      };
      if (!snapshot && changes.length === 0) continue;
      this.deliver(projectId, data, JSON.stringify(data));
    }
  }

  #see(projectId: string, version: number): void {
    if (version > (this.#seen.get(projectId) ?? -1)) this.#seen.set(projectId, version);
  }

  #pendingOf(projectId: string): Pending {
    let pending = this.#pending.get(projectId);
    if (!pending) {
      pending = { changes: [] };
      this.#pending.set(projectId, pending);
    }
    return pending;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.schedule(() => this.flush());
  }
}
