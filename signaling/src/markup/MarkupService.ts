/**
 * What markup needs beside its store, in the node's memory, each tied to the
 * object it belongs to (WeakMaps: gone with it, nothing to clean up):
 * - the policy of each presentation (who may draw). A presentation lives in
 *   its room's memory (rooms/Room.ts) and ends with its presenter or its
 *   node, so its policy does too: presenting again starts at the default;
 * - each person's operations-per-second budget in a room (all their tabs);
 * - which rooms have a save running (one at a time per meeting);
 * - authors' colours already read from Redis (strokes are sent ~20 times a
 *   second; a colour never changes within a meeting).
 */
import { AppError } from '../errors.js';
import {
  DEFAULT_MARKUP_POLICY,
  ErrorCode,
  MARKUP_LIMITS,
  type MarkupPolicy,
  type Presentation,
} from '../protocol/index.js';
import type { Room } from '../rooms/Room.js';
import type { MarkupStore } from '../store/markup.js';
import { TokenBucket } from '../ws/RateLimiter.js';

export class MarkupService {
  readonly #policies = new WeakMap<Presentation, MarkupPolicy>();
  readonly #budgets = new WeakMap<Room, Map<string, TokenBucket>>();
  readonly #colors = new WeakMap<Room, Map<string, string>>();
  /** Rooms with a save in progress: a save reads and writes a whole document, one at a time per meeting. */
  readonly #saving = new WeakSet<Room>();

  constructor(readonly store: MarkupStore) {}

  policyOf(presentation: Presentation): MarkupPolicy {
    return this.#policies.get(presentation) ?? DEFAULT_MARKUP_POLICY;
  }

  setPolicy(presentation: Presentation, change: Partial<MarkupPolicy>): MarkupPolicy {
    const policy = { ...this.policyOf(presentation), ...definedOnly(change) };
    this.#policies.set(presentation, policy);
    return policy;
  }

  /** Takes one operation from the person's budget in this room; false when it is spent. */
  takeOperation(room: Room, userId: string): boolean {
    let budgets = this.#budgets.get(room);
    if (!budgets) this.#budgets.set(room, (budgets = new Map()));
    let bucket = budgets.get(userId);
    if (!bucket) budgets.set(userId, (bucket = new TokenBucket(MARKUP_LIMITS.opsPerSecond)));
    return bucket.take();
  }

  /** Runs a save unless one is already running in this room (RATE_LIMITED then). */
  async oneSaveAtATime<T>(room: Room, save: () => Promise<T>): Promise<T> {
    if (this.#saving.has(room)) throw new AppError(ErrorCode.RATE_LIMITED, 'a save is already in progress in this meeting');
    this.#saving.add(room);
    try {
      return await save();
    } finally {
      this.#saving.delete(room);
    }
  }

  /** The author's colour in the room's current meeting. */
  async colorOf(room: Room, meetingId: string, userId: string): Promise<string> {
    let colors = this.#colors.get(room);
    if (!colors) this.#colors.set(room, (colors = new Map()));
    const key = `${meetingId}/${userId}`;
    const known = colors.get(key);
    if (known) return known;
    const color = await this.store.colorOf({ projectId: room.projectId, roomId: room.roomId, meetingId }, userId);
    colors.set(key, color);
    return color;
  }
}

function definedOnly(change: Partial<MarkupPolicy>): Partial<MarkupPolicy> {
  const out: Partial<MarkupPolicy> = {};
  if (change.drawers !== undefined) out.drawers = change.drawers;
  if (change.guests !== undefined) out.guests = change.guests;
  return out;
}
