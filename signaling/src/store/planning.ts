/**
 * Planned meetings in Redis (keys.ts: meetingPlans, planningSettings,
 * planningProjects, calendarFeed, calendarFeedOf, reminderClaim).
 *
 * A plan is one JSON value in the project's plans hash. Changes are
 * compare-and-set on its `sequence` (one Lua call), so two moderators
 * editing at once never lose an edit nor reuse a SEQUENCE number: the loser
 * reads again and re-applies its change.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/client.js';
import type { MeetingPlan } from '../protocol/planning.js';
import type { Keys } from './keys.js';

/** KEYS: plans hash. ARGV: plan id, expected sequence (-1: must not exist), new JSON. Returns 1 if written. */
const CAS_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
local expected = tonumber(ARGV[2])
if expected < 0 then
  if current then return 0 end
else
  if not current then return 0 end
  if cjson.decode(current).sequence ~= expected then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

/** How long a reminder's claim is kept: longer than any window in which a node could send it. */
const CLAIM_TTL_MS = 24 * 3600_000;

export interface FeedOwner {
  projectId: string;
  userId: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export class PlanningStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async get(projectId: string, planId: string): Promise<MeetingPlan | undefined> {
    const raw = await this.redis.hGet(this.keys.meetingPlans(projectId), planId);
    return raw ? (JSON.parse(raw) as MeetingPlan) : undefined;
  }

  async list(projectId: string): Promise<MeetingPlan[]> {
    const all = await this.redis.hVals(this.keys.meetingPlans(projectId));
    return all.map((raw) => JSON.parse(raw) as MeetingPlan);
  }

  async count(projectId: string): Promise<number> {
    return this.redis.hLen(this.keys.meetingPlans(projectId));
  }

  /** Stores a new plan; false when its id is taken. */
  async create(plan: MeetingPlan): Promise<boolean> {
    const written = await this.#cas(plan, -1);
    if (written) await this.redis.sAdd(this.keys.planningProjects(), plan.projectId);
    return written;
  }

  /**
   * Applies `change` to the stored plan (sequence raised by the caller's
   * function) until no one else changed it in between. Undefined when there
   * is no such plan; `change` may throw to refuse.
   */
  async update(projectId: string, planId: string, change: (plan: MeetingPlan) => MeetingPlan): Promise<MeetingPlan | undefined> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.get(projectId, planId);
      if (!current) return undefined;
      const next = change(current);
      if (await this.#cas(next, current.sequence)) return next;
    }
    throw new Error(`plan ${planId} kept changing under 10 attempts to update it`);
  }

  async #cas(plan: MeetingPlan, expectedSequence: number): Promise<boolean> {
    const written = await this.redis.eval(CAS_SCRIPT, {
      keys: [this.keys.meetingPlans(plan.projectId)],
      arguments: [plan.planId, String(expectedSequence), JSON.stringify(plan)],
    });
    return written === 1;
  }

  /** Projects that have plans (the reminder loop's round). */
  async projects(): Promise<string[]> {
    return this.redis.sMembers(this.keys.planningProjects());
  }

  async timeZone(projectId: string): Promise<string | undefined> {
    return (await this.redis.hGet(this.keys.planningSettings(projectId), 'timeZone')) ?? undefined;
  }

  async setTimeZone(projectId: string, timeZone: string): Promise<void> {
    await this.redis.hSet(this.keys.planningSettings(projectId), 'timeZone', timeZone);
  }

  // ------------------------------------------------------------ feeds

  /** A new secret feed URL for the person (the previous one stops working). Returns the secret. */
  async createFeed(owner: FeedOwner): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    const hash = hashSecret(secret);
    const ofKey = this.keys.calendarFeedOf(owner.projectId, owner.userId);
    const previous = await this.redis.getSet(ofKey, hash);
    const multi = this.redis.multi().set(this.keys.calendarFeed(hash), JSON.stringify(owner));
    if (previous) multi.del(this.keys.calendarFeed(previous));
    await multi.exec();
    return secret;
  }

  /** The person a feed secret belongs to; undefined when unknown or revoked. */
  async feedOwner(secret: string): Promise<FeedOwner | undefined> {
    const raw = await this.redis.get(this.keys.calendarFeed(hashSecret(secret)));
    return raw ? (JSON.parse(raw) as FeedOwner) : undefined;
  }

  /** Revokes the person's feed URL; false when they had none. */
  async revokeFeed(owner: FeedOwner): Promise<boolean> {
    const ofKey = this.keys.calendarFeedOf(owner.projectId, owner.userId);
    const hash = await this.redis.getDel(ofKey);
    if (!hash) return false;
    await this.redis.del(this.keys.calendarFeed(hash));
    return true;
  }

  // ------------------------------------------------------------ reminders

  /** Claims one reminder for this node (SET NX PX): true for exactly one caller, whatever the node. */
  async claimReminder(projectId: string, planId: string, occurrenceId: string, kind: 'soon' | 'start', nodeId: string): Promise<boolean> {
    const key = this.keys.reminderClaim(projectId, planId, occurrenceId, kind);
    return (await this.redis.set(key, nodeId, { NX: true, PX: CLAIM_TTL_MS })) === 'OK';
  }
}
