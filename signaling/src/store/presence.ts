/**
 * Who is online in each project, shared by every node (see keys.ts): one
 * entry per live connection, with an expiry that heartbeats push forward.
 * A closed socket removes its entry at once; a node that dies stops its
 * heartbeats and its entries are swept once expired, so a killed browser or
 * server disappears within the TTL (30 s by default).
 *
 * Every change bumps the project's presence version and publishes the change
 * on the project's channel in the same Lua script, so that changes reach
 * every node in version order (protocol/presence.ts; the ProjectHub sends
 * them on). A write that changes nothing (a resync) publishes nothing.
 */
import { foldPresence, type PresenceConnection, type PresenceEntry, type PresenceSnapshot } from '../protocol/index.js';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from './keys.js';
import { parseSnapshot } from './parseSnapshot.js';

/** What a connection is, as the hub records it (the id is its connection key). */
export type ConnectionInfo = Omit<PresenceConnection, 'id'>;

/**
 * The next version of a project's presence (KEYS[4]): created at the time in
 * ms, so that a Redis that lost its data still counts up from past versions.
 */
const NEXT_VERSION = `
local function nextVersion(key)
  if redis.call('EXISTS', key) == 0 then
    local t = redis.call('TIME')
    redis.call('SET', key, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
  end
  return redis.call('INCR', key)
end
`;

/**
 * Records a connection. KEYS: connections (zset), infos (hash), version,
 * events channel: the project's own keys only, so that a Redis Cluster keeps
 * the script on the project's slot (keys.ts); the set of projects with
 * presence, for the sweeper, is another slot's key, added beside it.
 * ARGV: expiry score, connection key, connection JSON.
 * Returns the version published, or 0 when nothing changed (only the expiry).
 */
const SET = `${NEXT_VERSION}
local function set()
  local had = redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) == 0
  if had and redis.call('HGET', KEYS[2], ARGV[2]) == ARGV[3] then return 0 end
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  local v = nextVersion(KEYS[3])
  redis.call('PUBLISH', KEYS[4], '{"type":"presence","change":{"version":' .. tostring(v) .. ',"set":[' .. ARGV[3] .. ']}}')
  return v
end
`;

const SET_SCRIPT = `${SET}
return set()
`;

/** The project's version and every connection's JSON: {version, field, value, field, value...}. KEYS[i]: infos (hash), KEYS[v]: version. */
const snapshotOf = (infos: number, version: number): string => `
local all = redis.call('HGETALL', KEYS[${infos}])
table.insert(all, 1, redis.call('GET', KEYS[${version}]) or '0')
return all
`;

/**
 * SET_SCRIPT, then the snapshot it makes (what a hello answers): one command,
 * one round trip. The snapshot comes as {version, the JSON of a
 * PresenceSnapshot}, made here of the records as they are: each is the
 * JSON.stringify of a PresenceConnection this server wrote (id first, roomId
 * last). Up to 50 records of a project went to the process as 100 strings for
 * node-redis to decode and the process to splice (~5 % of the connect step's
 * main thread in the hello's profile); one string now. A record not so shaped
 * (written by another version of the server) makes the reply the plain
 * snapshot, {version, field, value, field, value...}, for parsing: an odd
 * length, where the JSON's is two.
 */
const SET_AND_SNAPSHOT_SCRIPT = `${SET}
set()
local all = redis.call('HGETALL', KEYS[2])
local version = redis.call('GET', KEYS[3]) or '0'
local records = {}
for i = 1, #all, 2 do
  local id, record = all[i], all[i + 1]
  -- Its id as its field (an id JSON would escape matches no record JSON.stringify wrote: parsed).
  local start = '{"id":"' .. id .. '","userId":'
  if string.sub(record, 1, #start) ~= start
    or not (string.find(record, ',"roomId":null}$') or string.find(record, ',"roomId":"[^"\\\\]*"}$')) then
    table.insert(all, 1, version)
    return all
  end
  records[#records + 1] = record
end
return {version, '{"version":' .. version .. ',"connections":[' .. table.concat(records, ',') .. ']}'}
`;

/**
 * KEYS: as SET's. ARGV[1] 'expired' (ARGV[2]: now, ms) or 'keys'
 * (ARGV[2..]: connection keys). Removes them; returns how many were there.
 */
const REMOVE_SCRIPT = `${NEXT_VERSION}
local candidates
if ARGV[1] == 'expired' then
  candidates = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
else
  candidates = {}
  for i = 2, #ARGV do candidates[#candidates + 1] = ARGV[i] end
end
local gone = {}
for _, key in ipairs(candidates) do
  local removed = redis.call('ZREM', KEYS[1], key)
  if redis.call('HDEL', KEYS[2], key) == 1 or removed == 1 then gone[#gone + 1] = key end
end
if #gone == 0 then return 0 end
local v = nextVersion(KEYS[3])
redis.call('PUBLISH', KEYS[4], '{"type":"presence","change":{"version":' .. tostring(v) .. ',"gone":' .. cjson.encode(gone) .. '}}')
return #gone
`;

/** KEYS: infos (hash), version. Returns {version, field, value, field, value...}. */
const SNAPSHOT_SCRIPT = snapshotOf(1, 2);

export class PresenceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly ttlMs: number,
  ) {}

  #scriptKeys(projectId: string): string[] {
    return [
      this.keys.presenceConnections(projectId),
      this.keys.presenceInfo(projectId),
      this.keys.presenceVersion(projectId),
      this.keys.projectEvents(projectId),
    ];
  }

  /** Records or updates a connection (also to change its room); publishes the change if there is one. */
  async set(projectId: string, connectionKey: string, info: ConnectionInfo): Promise<void> {
    await Promise.all([
      this.redis.eval(SET_SCRIPT, this.#setArguments(projectId, connectionKey, info)),
      this.redis.sAdd(this.keys.presenceProjects(), projectId),
    ]);
  }

  /**
   * set(), then the project's presence with it: what a hello answers, in one
   * script (and the sweeper's set beside it). The snapshot comes as the JSON
   * of a PresenceSnapshot, for the answer: made of the records as they are
   * (in the script), not parsed and serialised again; its version beside it.
   */
  async setAndSnapshot(projectId: string, connectionKey: string, info: ConnectionInfo): Promise<{ json: string; version: number }> {
    const [reply] = (await Promise.all([
      this.redis.eval(SET_AND_SNAPSHOT_SCRIPT, this.#setArguments(projectId, connectionKey, info)),
      this.redis.sAdd(this.keys.presenceProjects(), projectId),
    ])) as [string[], unknown];
    const json = reply.length === 2 ? reply[1]! : JSON.stringify(parseSnapshot(reply));
    return { json, version: Number(reply[0] ?? 0) };
  }

  #setArguments(projectId: string, connectionKey: string, info: ConnectionInfo): { keys: string[]; arguments: string[] } {
    const connection: PresenceConnection = { id: connectionKey, ...info };
    return {
      keys: this.#scriptKeys(projectId),
      arguments: [String(Date.now() + this.ttlMs), connectionKey, JSON.stringify(connection)],
    };
  }

  /** Removes connections; publishes their going if any was there. Returns how many were. */
  async remove(projectId: string, connectionKey: string | string[]): Promise<number> {
    const keys = Array.isArray(connectionKey) ? connectionKey : [connectionKey];
    if (keys.length === 0) return 0;
    return (await this.redis.eval(REMOVE_SCRIPT, { keys: this.#scriptKeys(projectId), arguments: ['keys', ...keys] })) as number;
  }

  /**
   * Removes the connections under `prefix` (one node's) that are not in
   * `live`: those that closed while Redis was unreachable. Returns how many.
   */
  async removeStale(projectId: string, prefix: string, live: ReadonlySet<string>): Promise<number> {
    const keys = await this.redis.hKeys(this.keys.presenceInfo(projectId));
    const stale = keys.filter((key) => key.startsWith(prefix) && !live.has(key));
    return this.remove(projectId, stale);
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

  /** Removes expired connections of a project (publishing their going); returns how many went. */
  async sweep(projectId: string): Promise<number> {
    const removed = (await this.redis.eval(REMOVE_SCRIPT, {
      keys: this.#scriptKeys(projectId),
      arguments: ['expired', String(Date.now())],
    })) as number;
    if ((await this.redis.zCard(this.keys.presenceConnections(projectId))) === 0) {
      await this.redis.sRem(this.keys.presenceProjects(), projectId);
    }
    return removed;
  }

  /** Projects that may have connections (for the sweeper). */
  async projects(): Promise<string[]> {
    return this.redis.sMembers(this.keys.presenceProjects());
  }

  /** The project's presence version now (0: none yet). */
  async version(projectId: string): Promise<number> {
    return Number((await this.redis.get(this.keys.presenceVersion(projectId))) ?? 0);
  }

  /** Every recorded connection of the project and the version they make, read at once. */
  async snapshot(projectId: string): Promise<PresenceSnapshot> {
    const reply = (await this.redis.eval(SNAPSHOT_SCRIPT, {
      keys: [this.keys.presenceInfo(projectId), this.keys.presenceVersion(projectId)],
    })) as string[];
    return parseSnapshot(reply);
  }

  /** Live users of the project, one entry per user, sorted by name. */
  async list(projectId: string): Promise<PresenceEntry[]> {
    return foldPresence((await this.snapshot(projectId)).connections);
  }
}
