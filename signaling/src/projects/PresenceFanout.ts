/**
 * Presence changes on their way from the bus to the sessions of one node,
 * coalesced per project per tick: whatever changes arrived during a tick go
 * out as one `presence` notification per socket, serialised once for the
 * whole project (protocol/presence.ts).
 *
 * It also remembers the newest version seen per project, for the hub's check
 * that no change was lost (ProjectHub.#checkVersions).
 */
import type { PresenceChange, PresenceNotification, PresenceSnapshot } from '../protocol/index.js';

/** Sends one notification to every session of the project (`json` is JSON.stringify(data)). */
export type PresenceDeliver = (projectId: string, data: PresenceNotification, json: string) => void;

interface Pending {
  snapshot?: PresenceSnapshot;
  changes: PresenceChange[];
}

export class PresenceFanout {
  readonly #pending = new Map<string, Pending>();
  readonly #seen = new Map<string, number>();
  #scheduled = false;

  constructor(
    private readonly deliver: PresenceDeliver,
    /** How a flush is put off to the end of the tick (tests run it by hand). */
    private readonly schedule: (flush: () => void) => void = (flush) => void setImmediate(flush),
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

  /** The project has no session here any more. */
  forget(projectId: string): void {
    this.#seen.delete(projectId);
    this.#pending.delete(projectId);
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
