/**
 * Who is online in each project, shared by every node (see keys.ts): one
 * entry per live connection, with an expiry that heartbeats push forward.
 * A closed socket removes its entry at once; a node that dies stops its
 * heartbeats and its entries are swept once expired, so a killed browser or
 * server disappears within the TTL (30 s by default). Users are folded into
 * one PresenceEntry whatever their number of tabs and devices.
 */
import type { Device, PresenceEntry, Role } from '../protocol/index.js';
import type { RedisClient } from '../plugins/redis.js';
import type { Keys } from './keys.js';

export interface ConnectionInfo {
  userId: string;
  displayName: string;
  role: Role;
  device: Device;
  roomId: string | null;
}

export class PresenceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly ttlMs: number,
  ) {}

  /** Records or updates a connection (also to change its room). */
  async set(projectId: string, connectionKey: string, info: ConnectionInfo): Promise<void> {
    await this.redis
      .multi()
      .zAdd(this.keys.presenceConnections(projectId), { score: Date.now() + this.ttlMs, value: connectionKey })
      .hSet(this.keys.presenceInfo(projectId), connectionKey, JSON.stringify(info))
      .sAdd(this.keys.presenceProjects(), projectId)
      .exec();
  }

  async remove(projectId: string, connectionKey: string | string[]): Promise<void> {
    await this.redis
      .multi()
      .zRem(this.keys.presenceConnections(projectId), connectionKey)
      .hDel(this.keys.presenceInfo(projectId), connectionKey)
      .exec();
  }

  /**
   * Removes the connections under `prefix` (one node's) that are not in
   * `live`: those that closed while Redis was unreachable. Returns how many.
   */
  async removeStale(projectId: string, prefix: string, live: ReadonlySet<string>): Promise<number> {
    const keys = await this.redis.hKeys(this.keys.presenceInfo(projectId));
    const stale = keys.filter((key) => key.startsWith(prefix) && !live.has(key));
    if (stale.length > 0) await this.remove(projectId, stale);
    return stale.length;
  }

  /** Pushes the expiry of live connections forward (only those still recorded). */
  async heartbeat(projectId: string, connectionKeys: string[]): Promise<void> {
    if (connectionKeys.length === 0) return;
    const score = Date.now() + this.ttlMs;
    await this.redis.zAdd(
      this.keys.presenceConnections(projectId),
      connectionKeys.map((value) => ({ score, value })),
      { condition: 'XX' },
    );
  }

  /** Removes expired connections of a project; returns how many went. */
  async sweep(projectId: string): Promise<number> {
    const key = this.keys.presenceConnections(projectId);
    const expired = await this.redis.zRangeByScore(key, '-inf', Date.now());
    if (expired.length === 0) return 0;
    const [removed] = (await this.redis
      .multi()
      .zRem(key, expired)
      .hDel(this.keys.presenceInfo(projectId), expired)
      .exec()) as unknown as [number, number];
    if ((await this.redis.zCard(key)) === 0) await this.redis.sRem(this.keys.presenceProjects(), projectId);
    return removed;
  }

  /** Projects that may have connections (for the sweeper). */
  async projects(): Promise<string[]> {
    return this.redis.sMembers(this.keys.presenceProjects());
  }

  /** Live users of the project, one entry per user, sorted by name. */
  async list(projectId: string): Promise<PresenceEntry[]> {
    const live = await this.redis.zRangeByScore(this.keys.presenceConnections(projectId), Date.now(), '+inf');
    if (live.length === 0) return [];
    const infos = await this.redis.hmGet(this.keys.presenceInfo(projectId), live);
    const byUser = new Map<string, PresenceEntry>();
    for (const raw of infos) {
      if (!raw) continue;
      const info = JSON.parse(raw) as ConnectionInfo;
      const entry = byUser.get(info.userId) ?? {
        userId: info.userId,
        displayName: info.displayName,
        role: info.role,
        devices: [],
        rooms: [],
      };
      if (!entry.devices.includes(info.device)) entry.devices.push(info.device);
      if (info.roomId && !entry.rooms.includes(info.roomId)) entry.rooms.push(info.roomId);
      byUser.set(info.userId, entry);
    }
    return [...byUser.values()].sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr'));
  }
}
