import type { Keys } from './keys.js';
import type { RedisClient } from '../redis/client.js';

export interface MeetingPresenceEntry {
  peerId: string;
  userId: string;
  displayName: string;
  role: string;
  device: 'desktop' | 'phone';
  joinedAt: number;
  node: string;
}

const MEETING_KEY_TTL_S = 24 * 3600;

/** Who is in which meeting, shared by every node through Redis. */
export class MeetingPresence {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async add(projectId: string, roomId: string, entry: MeetingPresenceEntry): Promise<void> {
    const key = this.keys.meetingPeers(projectId, roomId);
    await this.redis.multi().hSet(key, entry.peerId, JSON.stringify(entry)).expire(key, MEETING_KEY_TTL_S).exec();
  }

  async remove(projectId: string, roomId: string, peerId: string): Promise<void> {
    await this.redis.hDel(this.keys.meetingPeers(projectId, roomId), peerId);
  }

  /** Forgets the entries a dead node left (its meeting was taken over); returns how many. */
  async removeNode(projectId: string, roomId: string, node: string): Promise<number> {
    const gone = (await this.list(projectId, roomId)).filter((e) => e.node === node).map((e) => e.peerId);
    if (gone.length > 0) await this.redis.hDel(this.keys.meetingPeers(projectId, roomId), gone);
    return gone.length;
  }

  async list(projectId: string, roomId: string): Promise<MeetingPresenceEntry[]> {
    const all = await this.redis.hGetAll(this.keys.meetingPeers(projectId, roomId));
    return Object.values(all).map((v) => JSON.parse(v) as MeetingPresenceEntry);
  }
}
