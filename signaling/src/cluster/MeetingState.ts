/**
 * The part of a meeting's state that must outlive the node its room lives
 * on: the rules moderators set (policy) and the users they removed. Written
 * through on every change; read when a node creates the meeting's room (a
 * take-over after its holder died finds them); deleted when the meeting ends
 * on its node (the room closes with its last session). Key: keys.meetingState.
 * Lobby admissions and refusals stay in the node's memory (Lobby.ts): a guest
 * admitted before a take-over knocks again.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { RoomPolicy } from '../protocol/index.js';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from '../store/keys.js';

const STATE_TTL_S = 24 * 3600;
const REMOVED = 'removed:';
/** The protocol's own schema: a saved policy is trusted only if it is one the protocol would accept. */
const policyCheck = TypeCompiler.Compile(RoomPolicy);

export interface SavedMeetingState {
  policy: RoomPolicy | undefined;
  removedUsers: string[];
}

export class MeetingStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async load(projectId: string, roomId: string): Promise<SavedMeetingState> {
    const all = await this.redis.hGetAll(this.keys.meetingState(projectId, roomId));
    let policy: RoomPolicy | undefined;
    try {
      const parsed: unknown = all.policy ? JSON.parse(all.policy) : undefined;
      if (policyCheck.Check(parsed)) policy = { locked: parsed.locked, allowSelfUnmute: parsed.allowSelfUnmute, guestLobby: parsed.guestLobby };
    } catch {
      policy = undefined; // unreadable: the node's defaults apply
    }
    const removedUsers = Object.keys(all)
      .filter((field) => field.startsWith(REMOVED))
      .map((field) => field.slice(REMOVED.length));
    return { policy, removedUsers };
  }

  async savePolicy(projectId: string, roomId: string, policy: RoomPolicy): Promise<void> {
    await this.#write(projectId, roomId, 'policy', JSON.stringify(policy));
  }

  async addRemoved(projectId: string, roomId: string, userId: string): Promise<void> {
    await this.#write(projectId, roomId, REMOVED + userId, String(Date.now()));
  }

  async clear(projectId: string, roomId: string): Promise<void> {
    await this.redis.del(this.keys.meetingState(projectId, roomId));
  }

  async #write(projectId: string, roomId: string, field: string, value: string): Promise<void> {
    const key = this.keys.meetingState(projectId, roomId);
    await this.redis.multi().hSet(key, field, value).expire(key, STATE_TTL_S).exec();
  }
}
