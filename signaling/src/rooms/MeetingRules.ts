/**
 * A meeting's moderation state: its rules (RoomPolicy), the users a moderator
 * removed and the peers a moderator muted. The rules and the removed users
 * are written through to Redis (they outlive this node; cluster/MeetingState.ts);
 * the mutes live in memory with the meeting. Part of a Room, which delegates to it.
 */
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.js';
import { ErrorCode, canModerate, type Role, type RoomPolicy } from '../protocol/index.js';
import type { MeetingStateStore, SavedMeetingState } from '../cluster/MeetingState.js';

export class MeetingRules {
  readonly #projectId: string;
  readonly #roomId: string;
  readonly #log: FastifyBaseLogger;
  #policy: RoomPolicy;
  /**
   * Users a moderator removed: refused (REMOVED) for as long as the Room
   * lives, i.e. until the meeting ends (the last session leaves it). A new
   * meeting in the same room id starts with an empty list.
   */
  readonly #removedUsers = new Set<string>();
  /** Peers whose microphone a moderator muted and who have not unmuted since. */
  readonly #mutedByModerator = new Set<string>();
  /** Policy and removed users are written through here. */
  readonly #state: MeetingStateStore | undefined;
  /** The last write to #state: handlers wait for it before answering. */
  #stateWrite: Promise<void> = Promise.resolve();

  constructor(options: {
    projectId: string;
    roomId: string;
    log: FastifyBaseLogger;
    /** Whether guests wait in the lobby until admitted, at the meeting's start (config GUEST_LOBBY). */
    guestLobby: boolean;
    state?: MeetingStateStore;
    saved?: SavedMeetingState;
  }) {
    this.#projectId = options.projectId;
    this.#roomId = options.roomId;
    this.#log = options.log;
    this.#policy = options.saved?.policy ?? { locked: false, allowSelfUnmute: true, guestLobby: options.guestLobby };
    for (const userId of options.saved?.removedUsers ?? []) this.#removedUsers.add(userId);
    this.#state = options.state;
  }

  get policy(): RoomPolicy {
    return { ...this.#policy };
  }

  /** Changes the rules; allowing self-unmute again forgets past mutes (a later disallow does not revive them). */
  setPolicy(patch: Partial<RoomPolicy>): RoomPolicy {
    this.#policy = { ...this.#policy, ...patch };
    if (this.#policy.allowSelfUnmute) this.#mutedByModerator.clear();
    const policy = this.policy;
    this.#persist('policy', (state) => state.savePolicy(this.#projectId, this.#roomId, policy));
    return this.policy;
  }

  /** Resolves when what setPolicy and markRemoved wrote is in Redis (a failure is logged, not thrown). */
  saved(): Promise<void> {
    return this.#stateWrite;
  }

  #persist(what: string, write: (state: MeetingStateStore) => Promise<void>): void {
    const state = this.#state;
    if (!state) return;
    const previous = this.#stateWrite;
    this.#stateWrite = previous
      .then(() => write(state))
      .catch((error: unknown) => this.#log.warn({ err: error, what }, 'meeting state not saved'));
  }

  /** Throws what both knock and join refuse a user with: removed by a moderator, or the meeting locked (moderators excepted). */
  refuseEntry(identity: { readonly userId: string; readonly role: Role }): void {
    if (this.#removedUsers.has(identity.userId)) {
      throw new AppError(ErrorCode.REMOVED, 'a moderator removed you from this meeting');
    }
    if (this.#policy.locked && !canModerate(identity)) throw new AppError(ErrorCode.ROOM_LOCKED, 'the meeting is locked');
  }

  isRemoved(userId: string): boolean {
    return this.#removedUsers.has(userId);
  }

  markRemoved(userId: string): void {
    this.#removedUsers.add(userId);
    this.#persist('removed', (state) => state.addRemoved(this.#projectId, this.#roomId, userId));
  }

  /** A moderator muted this peer's microphone. */
  markMuted(peerId: string): void {
    this.#mutedByModerator.add(peerId);
  }

  /** The peer unmuted (allowed), or left: a later policy change does not block it again. */
  clearMuted(peerId: string): void {
    this.#mutedByModerator.delete(peerId);
  }

  /** Whether this peer may not turn its microphone back on (muted by a moderator, self-unmute disallowed). */
  selfUnmuteBlocked(peerId: string): boolean {
    return !this.#policy.allowSelfUnmute && this.#mutedByModerator.has(peerId);
  }
}
