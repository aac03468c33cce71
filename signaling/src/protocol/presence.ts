/**
 * Who is online in a project, sent as changes (issue 20): the hello answer
 * carries a snapshot at a version, then `presence` notifications carry only
 * what changed, each change one version further. A client that sees a gap
 * (a version skipped: a lost socket, a Redis outage, a dead node) asks
 * `presence` for a fresh snapshot instead of drifting. See docs/PROTOCOL.md,
 * "Presence".
 *
 * The unit is a connection (one tab or device); the people shown are the
 * connections folded per user (foldPresence). PresenceView applies snapshots
 * and changes; the client, the tests and the server's HTTP route share it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DisplayName, Id } from './pieces.js';

/**
 * A person's role in a project. owner: manages the project (members,
 * invitations, anyone's documents) and moderates meetings; moderator:
 * moderates meetings (mute, stop, remove, lock, end, admit guests) and is
 * otherwise a member; member: takes part; guest: an outsider invited in
 * (waits in the lobby when the meeting asks it).
 */
export const Role = Type.Union([
  Type.Literal('owner'),
  Type.Literal('moderator'),
  Type.Literal('member'),
  Type.Literal('guest'),
]);
export type Role = Static<typeof Role>;

export const Device = Type.Union([Type.Literal('desktop'), Type.Literal('phone')]);
export type Device = Static<typeof Device>;

/** One user online in a project: all their tabs and devices folded into one entry. */
export const PresenceEntry = Type.Object({
  userId: Type.String(),
  displayName: DisplayName,
  role: Role,
  devices: Type.Array(Device),
  /** Rooms of the project whose meeting this user is in. */
  rooms: Type.Array(Id),
});
export type PresenceEntry = Static<typeof PresenceEntry>;

/** One live connection (a tab or a device) of a user in the project. */
export const PresenceConnection = Type.Object({
  /** Opaque, stable for the connection's life. */
  id: Type.String({ minLength: 1, maxLength: 64 }),
  userId: Type.String(),
  displayName: DisplayName,
  role: Role,
  device: Device,
  /** The meeting this connection is in (null: the project page, or not joined yet). */
  roomId: Type.Union([Id, Type.Null()]),
});
export type PresenceConnection = Static<typeof PresenceConnection>;

const Version = Type.Integer({ minimum: 0 });

/** Everyone online in the project at `version`. */
export const PresenceSnapshot = Type.Object({
  version: Version,
  connections: Type.Array(PresenceConnection),
});
export type PresenceSnapshot = Static<typeof PresenceSnapshot>;

/**
 * One step of the project's presence: from version - 1 to `version`,
 * connections recorded or updated (`set`) and connections gone (`gone`, ids).
 */
export const PresenceChange = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  set: Type.Optional(Type.Array(PresenceConnection)),
  gone: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }))),
});
export type PresenceChange = Static<typeof PresenceChange>;

/** The `presence` notification: changes in version order, or a snapshot to start again from. */
export const PresenceNotification = Type.Object({
  changes: Type.Optional(Type.Array(PresenceChange, { minItems: 1 })),
  snapshot: Type.Optional(PresenceSnapshot),
});
export type PresenceNotification = Static<typeof PresenceNotification>;

export const presenceRequests = {
  /** A fresh snapshot of the project's presence (after a gap in the changes' versions). */
  presence: {
    request: Type.Object({}, { additionalProperties: false }),
    response: PresenceSnapshot,
  },
} as const;

function byName(a: PresenceEntry, b: PresenceEntry): number {
  return a.displayName.localeCompare(b.displayName, 'fr') || a.userId.localeCompare(b.userId);
}

/** Connections folded into one entry per user, sorted by name. */
export function foldPresence(connections: Iterable<PresenceConnection>): PresenceEntry[] {
  const byUser = new Map<string, PresenceEntry>();
  for (const c of connections) {
    let entry = byUser.get(c.userId);
    if (!entry) {
      entry = { userId: c.userId, displayName: c.displayName, role: c.role, devices: [], rooms: [] };
      byUser.set(c.userId, entry);
    }
    if (!entry.devices.includes(c.device)) entry.devices.push(c.device);
    if (c.roomId !== null && !entry.rooms.includes(c.roomId)) entry.rooms.push(c.roomId);
  }
  return [...byUser.values()].sort(byName);
}

/** What a notification did: 'gap' means a version was missed (ask `presence` for a snapshot). */
export type PresenceApplied = 'applied' | 'stale' | 'gap';

/** Changes kept while waiting for a snapshot (beyond: dropped, the snapshot covers them or a later gap shows). */
const MAX_HELD_CHANGES = 1000;

/**
 * A project's presence as one client sees it: a snapshot, then changes in
 * version order. Changes at or below the current version are ignored (a
 * replay, or changes already in the snapshot). A change beyond the next one
 * is a gap: the view stays as it was, keeps the changes it could not apply,
 * and applies those newer than the next snapshot once it has it (so that
 * changes that overtook the snapshot's answer are not lost).
 */
export class PresenceView {
  #version = -1;
  readonly #connections = new Map<string, PresenceConnection>();
  #held: PresenceChange[] = [];

  /** -1 before the first snapshot. */
  get version(): number {
    return this.#version;
  }

  get connections(): PresenceConnection[] {
    return [...this.#connections.values()];
  }

  /** One entry per user, sorted by name. */
  get people(): PresenceEntry[] {
    return foldPresence(this.#connections.values());
  }

  /** Starts again from a snapshot (the hello's, a `presence` answer's or a notification's). */
  reset(snapshot: PresenceSnapshot): PresenceApplied {
    this.#version = snapshot.version;
    this.#connections.clear();
    for (const c of snapshot.connections) this.#connections.set(c.id, c);
    const held = this.#held;
    this.#held = [];
    return held.length > 0 && this.apply(held) === 'gap' ? 'gap' : 'applied';
  }

  receive(notification: PresenceNotification): PresenceApplied {
    if (notification.snapshot) {
      const reset = this.reset(notification.snapshot);
      return notification.changes && reset !== 'gap' ? this.apply(notification.changes) : reset;
    }
    return this.apply(notification.changes ?? []);
  }

  apply(changes: readonly PresenceChange[]): PresenceApplied {
    let result: PresenceApplied = 'stale';
    for (const [i, change] of changes.entries()) {
      if (change.version <= this.#version) continue;
      if (this.#version < 0 || change.version !== this.#version + 1) {
        this.#hold(changes.slice(i));
        return 'gap';
      }
      for (const id of change.gone ?? []) this.#connections.delete(id);
      for (const c of change.set ?? []) this.#connections.set(c.id, c);
      this.#version = change.version;
      result = 'applied';
    }
    // Changes held since a gap may follow on now (the missing one came late).
    const next = this.#held[0];
    if (next && next.version <= this.#version + 1) {
      const held = this.#held;
      this.#held = [];
      return this.apply(held) === 'gap' ? 'gap' : 'applied';
    }
    return result;
  }

  #hold(changes: readonly PresenceChange[]): void {
    const byVersion = new Map(this.#held.map((c) => [c.version, c]));
    for (const c of changes) byVersion.set(c.version, c);
    this.#held = [...byVersion.values()].sort((a, b) => a.version - b.version).slice(-MAX_HELD_CHANGES);
  }
}
