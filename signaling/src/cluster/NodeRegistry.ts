/**
 * Several Chantier processes (nodes) share one Redis; a meeting's media room
 * lives on exactly one of them. This module keeps the shared facts:
 *
 * - liveness: `node:<id>` = {url, startedAt}, PX LIVENESS_TTL_MS, renewed
 *   every HEARTBEAT_MS, deleted on clean shutdown;
 * - the meeting → node map: `meetingnode` of a meeting names its holder.
 *   A meeting socket's hello claims it (CLAIM: take it when free or when its
 *   holder's liveness key is gone, else answer the holder); the holder deletes
 *   it when the room closes (RELEASE: only if still its own).
 *
 * Keys come from store/keys.ts. The claim script builds the holder's liveness
 * key from a prefix: fine on one Redis, not on a Redis Cluster (keys of other
 * slots).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient } from '../redis/client.js';
import { isUnavailable } from '../redis/bounded.js';
import type { Keys } from '../store/keys.js';

/** A node silent for this long is dead: its meetings may be taken over. */
export const LIVENESS_TTL_MS = 6_000;
export const HEARTBEAT_MS = 2_000;
/** A meeting key outlives a dead node this long at most (renewed by its holder). */
const MEETING_NODE_TTL_S = 24 * 3600;

/**
 * KEYS[1] meeting node key; ARGV[1] this node's id, ARGV[2] prefix of liveness
 * keys, ARGV[3] TTL (s). Returns {holder, previous}: previous is the dead
 * holder taken over from ('' when none).
 */
const CLAIM = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return {holder, ''}
end
if holder and redis.call('EXISTS', ARGV[2] .. holder) == 1 then
  return {holder, ''}
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return {ARGV[1], holder or ''}
`;

/** KEYS[1] meeting node key; ARGV[1] this node's id. Deletes only our own claim. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/**
 * KEYS: meeting node keys; ARGV[1] node id, ARGV[2] TTL (s). Renews our
 * claims, claims again those that vanished (a Redis restarted without its
 * data: the meetings still live here); returns how many another node holds.
 */
const RENEW = `
local lost = 0
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == ARGV[1] then
    redis.call('EXPIRE', key, ARGV[2])
  elseif not holder then
    redis.call('SET', key, ARGV[1], 'EX', ARGV[2])
  else
    lost = lost + 1
  end
end
return lost
`;

export type Claim =
  /** This node holds the meeting (it did already, it was free, or its holder was dead: `tookOverFrom`). */
  | { mine: true; tookOverFrom?: string }
  /** Another live node holds it; `url` is where clients reach it (undefined if it vanished meanwhile). */
  | { mine: false; holder: string; url: string | undefined };

interface NodeInfo {
  url: string;
  startedAt: number;
}

export class NodeRegistry {
  readonly nodeId: string;
  readonly url: string;
  readonly #redis: RedisClient;
  readonly #keys: Keys;
  readonly #log: FastifyBaseLogger;
  readonly #startedAt = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** The meetings held here, as [projectId, roomId]: renewed with each heartbeat. */
  readonly #held: () => Array<[string, string]>;

  constructor(options: {
    redis: RedisClient;
    keys: Keys;
    log: FastifyBaseLogger;
    nodeId: string;
    url: string;
    held: () => Array<[string, string]>;
  }) {
    this.#redis = options.redis;
    this.#keys = options.keys;
    this.#log = options.log;
    this.nodeId = options.nodeId;
    this.url = options.url;
    this.#held = options.held;
  }

  /** Announces this node and keeps announcing it. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => {
      this.#beat().catch((error: unknown) => {
        // An outage is logged once by RedisLink, not every 2 s here.
        if (isUnavailable(error)) this.#log.debug({ err: error }, 'node heartbeat failed: Redis unavailable');
        else this.#log.warn({ err: error }, 'node heartbeat failed');
      });
    }, HEARTBEAT_MS);
    this.#timer.unref();
    this.#log.info({ nodeId: this.nodeId, url: this.url }, 'node announced');
  }

  /**
   * Redis is back after an outage: liveness and claims renewed now, not at the
   * next heartbeat (the liveness key may have expired meanwhile, and another
   * node must not take this node's meetings over).
   */
  async renewNow(): Promise<void> {
    if (!this.#timer) return;
    await this.#beat();
    this.#log.info('node liveness and meeting claims renewed after the Redis outage');
  }

  /** Clean shutdown: the node's liveness goes at once (its meetings were released as their rooms closed). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#redis.multi().del(this.#keys.node(this.nodeId)).sRem(this.#keys.nodes(), this.nodeId).exec();
  }

  async #beat(): Promise<void> {
    const info: NodeInfo = { url: this.url, startedAt: this.#startedAt };
    await this.#redis
      .multi()
      .set(this.#keys.node(this.nodeId), JSON.stringify(info), { PX: LIVENESS_TTL_MS })
      .sAdd(this.#keys.nodes(), this.nodeId)
      .exec();
    const held = this.#held();
    if (held.length === 0) return;
    const lost = Number(
      await this.#redis.eval(RENEW, {
        keys: held.map(([projectId, roomId]) => this.#keys.meetingNode(projectId, roomId)),
        arguments: [this.nodeId, String(MEETING_NODE_TTL_S)],
      }),
    );
    // Our liveness lapsed (Redis unreachable, process stalled) and another node took a meeting over.
    if (lost > 0) this.#log.error({ lost }, 'meetings held here are claimed by another node');
  }

  /** Claims the meeting for this node, or says who holds it. */
  async claim(projectId: string, roomId: string): Promise<Claim> {
    for (let attempt = 0; ; attempt++) {
      const [holder, previous] = (await this.#redis.eval(CLAIM, {
        keys: [this.#keys.meetingNode(projectId, roomId)],
        arguments: [this.nodeId, this.#keys.nodePrefix(), String(MEETING_NODE_TTL_S)],
      })) as [string, string];
      if (holder === this.nodeId) return previous ? { mine: true, tookOverFrom: previous } : { mine: true };
      const url = (await this.#info(holder))?.url;
      // The holder's liveness lapsed between the claim and this read: claim again (and take over).
      if (url || attempt >= 2) return { mine: false, holder, url };
    }
  }

  /** The room closed here: the meeting is free again (unless another node holds it by now). */
  async release(projectId: string, roomId: string): Promise<void> {
    await this.#redis.eval(RELEASE, { keys: [this.#keys.meetingNode(projectId, roomId)], arguments: [this.nodeId] });
  }

  /** The URL of the other live node that holds the meeting; undefined when nobody, this node, or a dead node holds it. */
  async liveHolderUrl(projectId: string, roomId: string): Promise<string | undefined> {
    const holder = await this.holder(projectId, roomId);
    if (!holder || holder === this.nodeId) return undefined;
    return (await this.#info(holder))?.url;
  }

  /** Which node holds the meeting (undefined: nobody). */
  async holder(projectId: string, roomId: string): Promise<string | undefined> {
    return (await this.#redis.get(this.#keys.meetingNode(projectId, roomId))) ?? undefined;
  }

  /** URLs of the live nodes, this one first. Forgets nodes whose liveness key is gone. */
  async liveUrls(): Promise<string[]> {
    const ids = (await this.#redis.sMembers(this.#keys.nodes())).slice(0, 1000);
    const others = ids.filter((id) => id !== this.nodeId);
    if (others.length === 0) return [this.url];
    const values = await this.#redis.mGet(others.map((id) => this.#keys.node(id)));
    const urls = new Set([this.url]);
    const dead: string[] = [];
    values.forEach((value, i) => {
      const info = parseInfo(value);
      if (info) urls.add(info.url);
      else dead.push(others[i]!);
    });
    if (dead.length > 0) await this.#redis.sRem(this.#keys.nodes(), dead);
    return [...urls];
  }

  async #info(nodeId: string): Promise<NodeInfo | undefined> {
    return parseInfo(await this.#redis.get(this.#keys.node(nodeId)));
  }
}

function parseInfo(value: string | null | undefined): NodeInfo | undefined {
  if (!value) return undefined;
  try {
    const info = JSON.parse(value) as Partial<NodeInfo>;
    return typeof info.url === 'string' ? { url: info.url, startedAt: Number(info.startedAt) } : undefined;
  } catch {
    return undefined;
  }
}
