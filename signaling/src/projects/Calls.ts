/**
 * Calls: a project member rings others (all their open pages and devices, on
 * any node); those who accept meet in the call's own room, audio-only.
 *
 * The state of a call lives in Redis (keys.ts: call, callsRinging,
 * callProjects, callRate), so that any node can answer, cancel or ring it
 * out. Each change that decides something is one Lua call:
 *   - an answer is recorded once per invitee (HSETNX), and the last answer
 *     ends the ringing;
 *   - the end of the ringing (cancel, ring-out) is claimed by removing the
 *     call from the project's ringing set in the same call that marks it
 *     ended. Only the node whose ZREM removed it tells the others and posts
 *     the missed-call message, so it is posted once however many nodes try.
 * The node that placed the call ends it at its ring time with a local timer;
 * every node also sweeps the ringing sets, which ends the calls of a node
 * that died.
 *
 * Notifications travel on the project's event channel (EventBus, type
 * 'call') addressed to user ids; ProjectHub hands them to those users'
 * sessions, project pages and meetings alike.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.js';
import type { CallNotification, EventBus } from '../events/EventBus.js';
import type { RedisClient } from '../redis/client.js';
import { ErrorCode, type CallInfo } from '../protocol/index.js';
import type { ChatStore } from '../store/chat.js';
import type { Keys } from '../store/keys.js';
import type { ProjectStore } from '../store/projects.js';

export interface Person {
  userId: string;
  displayName: string;
}

/** Calls one user may start per minute in a project (any node): no ringing storms. */
export const CALLS_PER_MINUTE = 6;
/** A call's record outlives its ringing this long: late answers get NOT_FOUND, a caller's page can catch up. */
const KEEP_AFTER_RING_MS = 10 * 60_000;
/** How often every node looks for calls past their ring time (those of a node that died). */
const SWEEP_MS = 1_000;
/** The prefix of a call's room id; the rest is the call id. */
export const CALL_ROOM_PREFIX = 'appel-';

/**
 * KEYS: call hash, ringing set. ARGV: user id, answer ('accepted' | 'declined'), call id.
 * Returns {status, detail}: status 'gone' (no such call), 'ended' (detail =
 * reason), 'answered' (detail = the earlier answer), 'ok' (others still
 * ringing) or 'last' (detail = '1' if anyone accepted).
 */
const ANSWER_SCRIPT = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'gone', ''} end
if state ~= 'ringing' then return {'ended', redis.call('HGET', KEYS[1], 'reason') or ''} end
local field = 'ans:' .. ARGV[1]
if redis.call('HSETNX', KEYS[1], field, ARGV[2]) == 0 then
  return {'answered', redis.call('HGET', KEYS[1], field)}
end
local invitees = cjson.decode(redis.call('HGET', KEYS[1], 'invitees'))
local pending, accepted = 0, 0
for _, id in ipairs(invitees) do
  local answer = redis.call('HGET', KEYS[1], 'ans:' .. id)
  if not answer then pending = pending + 1 elseif answer == 'accepted' then accepted = accepted + 1 end
end
if pending > 0 then return {'ok', ''} end
local reason = 'declined'
if accepted > 0 then reason = 'answered' end
redis.call('HSET', KEYS[1], 'state', 'ended', 'reason', reason)
redis.call('ZREM', KEYS[2], ARGV[3])
if accepted > 0 then return {'last', '1'} end
return {'last', '0'}
`;

/**
 * KEYS: call hash, ringing set. ARGV: call id, reason ('cancelled' | 'missed'), now (ms).
 * 'missed' only once the ring time has passed. Returns nil when this caller
 * did not end the call (someone else did, or it still rings), otherwise
 * {JSON array of the invitees who had not answered, number who accepted}.
 */
const END_SCRIPT = `
if redis.call('HGET', KEYS[1], 'state') ~= 'ringing' then return nil end
local deadline = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not deadline then return nil end
if ARGV[2] == 'missed' and tonumber(deadline) > tonumber(ARGV[3]) then return nil end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'ended', 'reason', ARGV[2])
local invitees = cjson.decode(redis.call('HGET', KEYS[1], 'invitees'))
local missed, accepted = {}, 0
for _, id in ipairs(invitees) do
  local answer = redis.call('HGET', KEYS[1], 'ans:' .. id)
  if not answer then table.insert(missed, id) elseif answer == 'accepted' then accepted = accepted + 1 end
end
return {cjson.encode(missed), accepted}
`;

export interface CallsOptions {
  ringMs: number;
  callsPerMinute?: number;
  sweepMs?: number;
}

export class Calls {
  /** Ring-out timers of the calls this node placed. */
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #ringMs: number;
  readonly #callsPerMinute: number;
  readonly #sweepMs: number;
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping = false;
  #closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly bus: EventBus,
    private readonly chat: ChatStore,
    private readonly projects: ProjectStore,
    private readonly log: FastifyBaseLogger,
    options: CallsOptions,
  ) {
    this.#ringMs = options.ringMs;
    this.#callsPerMinute = options.callsPerMinute ?? CALLS_PER_MINUTE;
    this.#sweepMs = options.sweepMs ?? SWEEP_MS;
  }

  /** Starts the sweep of calls past their ring time. */
  open(): void {
    this.#sweeper = setInterval(() => void this.sweep(), this.#sweepMs);
    this.#sweeper.unref();
  }

  /** Stops timers; calls this node placed are rung out by the other nodes' sweeps. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Rings `userIds` (members of the project, not the caller). */
  async place(projectId: string, caller: Person, userIds: readonly string[]): Promise<CallInfo> {
    const ids = [...new Set(userIds)];
    if (ids.includes(caller.userId)) throw new AppError(ErrorCode.BAD_REQUEST, 'you cannot call yourself');
    const members = await Promise.all(ids.map((id) => this.projects.member(projectId, id)));
    const invitees: Person[] = [];
    for (const [i, member] of members.entries()) {
      if (!member) throw new AppError(ErrorCode.NOT_FOUND, `no member ${ids[i]} in this project`);
      invitees.push({ userId: member.userId, displayName: member.displayName });
    }
    const rateKey = this.keys.callRate(projectId, caller.userId);
    // A fixed window that starts with the first call (SET NX PX, then INCR: Redis < 7 has no PEXPIRE NX).
    const [, count] = (await this.redis.multi().set(rateKey, '0', { NX: true, PX: 60_000 }).incr(rateKey).exec()) as unknown as [
      unknown,
      number,
    ];
    if (count > this.#callsPerMinute) throw new AppError(ErrorCode.RATE_LIMITED, 'too many calls');

    const callId = randomBytes(9).toString('base64url');
    const call: CallInfo = {
      callId,
      roomId: `${CALL_ROOM_PREFIX}${callId}`,
      caller: { userId: caller.userId, displayName: caller.displayName },
      invitees,
      startedAt: Date.now(),
      audioOnly: true,
    };
    await this.#ring(projectId, call);
    this.log.info({ projectId, callId, caller: caller.userId, invitees: ids }, 'call placed');
    return call;
  }

  /**
   * A planned meeting starts: its invitees are rung like a call, from the
   * organiser, into the meeting's own room (with video, through its lobby
   * as usual). Nobody answering posts no "missed call": the plan is in the
   * chat already.
   */
  async ringMeeting(
    projectId: string,
    organiser: Person,
    occurrence: { planId: string; occurrenceId: string; title: string; roomId: string; invitees: readonly Person[] },
  ): Promise<CallInfo> {
    const call: CallInfo = {
      callId: randomBytes(9).toString('base64url'),
      roomId: occurrence.roomId,
      caller: { userId: organiser.userId, displayName: organiser.displayName },
      invitees: occurrence.invitees.map((p) => ({ userId: p.userId, displayName: p.displayName })),
      startedAt: Date.now(),
      audioOnly: false,
      plan: { planId: occurrence.planId, occurrenceId: occurrence.occurrenceId, title: occurrence.title },
    };
    await this.#ring(projectId, call);
    return call;
  }

  /** Stores a new call as ringing, arms its ring-out, and rings its invitees. */
  async #ring(projectId: string, call: CallInfo): Promise<void> {
    const { callId, startedAt } = call;
    const ids = call.invitees.map((p) => p.userId);
    const key = this.keys.call(projectId, callId);
    await this.redis
      .multi()
      .hSet(key, { info: JSON.stringify(call), invitees: JSON.stringify(ids), state: 'ringing' })
      .pExpire(key, this.#ringMs + KEEP_AFTER_RING_MS)
      .zAdd(this.keys.callsRinging(projectId), { score: startedAt + this.#ringMs, value: callId })
      .sAdd(this.keys.callProjects(), projectId)
      .exec();
    const timer = setTimeout(() => {
      this.#timers.delete(callId);
      this.ringOut(projectId, callId).catch((error: unknown) => this.log.warn({ err: error, callId }, 'ring-out failed'));
    }, this.#ringMs);
    timer.unref();
    this.#timers.set(callId, timer);
    await this.#send(projectId, ids, { type: 'incomingCall', data: { call } });
  }

  /** An invitee's answer from one of their devices (`connectionKey`: that device, told nothing more). */
  async answer(projectId: string, user: Person, callId: string, accept: boolean, connectionKey: string): Promise<CallInfo> {
    const key = this.keys.call(projectId, callId);
    const call = await this.#info(projectId, callId);
    if (!call || !call.invitees.some((p) => p.userId === user.userId)) throw new AppError(ErrorCode.NOT_FOUND, 'no such call');
    const answer = accept ? 'accepted' : 'declined';
    const [status, detail] = (await this.redis.eval(ANSWER_SCRIPT, {
      keys: [key, this.keys.callsRinging(projectId)],
      arguments: [user.userId, answer, callId],
    })) as [string, string];
    if (status === 'gone') throw new AppError(ErrorCode.NOT_FOUND, 'no such call');
    if (status === 'ended') throw new AppError(ErrorCode.NOT_FOUND, `the call is over (${detail})`);
    if (status === 'answered') throw new AppError(ErrorCode.NOT_FOUND, `already ${detail} on another device`);

    const displayName = call.invitees.find((p) => p.userId === user.userId)?.displayName ?? user.displayName;
    await this.#send(projectId, [user.userId], { type: 'callEnded', data: { callId, reason: accept ? 'answered-elsewhere' : 'declined' } }, connectionKey);
    await this.#send(projectId, [call.caller.userId], { type: 'callUpdate', data: { callId, userId: user.userId, displayName, answer } });
    if (status === 'last') {
      this.#clearTimer(callId);
      // Everyone declined: the caller stops waiting.
      if (detail === '0') await this.#send(projectId, [call.caller.userId], { type: 'callEnded', data: { callId, reason: 'declined' } });
    }
    this.log.info({ projectId, callId, userId: user.userId, answer }, 'call answered');
    return call;
  }

  /** The caller hangs up before everyone answered. Nothing happens when it no longer rings. */
  async cancel(projectId: string, userId: string, callId: string): Promise<void> {
    const call = await this.#info(projectId, callId);
    if (!call) throw new AppError(ErrorCode.NOT_FOUND, 'no such call');
    if (call.caller.userId !== userId) throw new AppError(ErrorCode.FORBIDDEN, 'only the caller may cancel a call');
    await this.#end(projectId, call, 'cancelled');
  }

  /** Ends the ringing of a call past its ring time; false when it was not this node's to end. */
  async ringOut(projectId: string, callId: string): Promise<boolean> {
    const call = await this.#info(projectId, callId);
    if (!call) {
      // Its record expired (long after ringing): nothing to tell anyone.
      await this.redis.zRem(this.keys.callsRinging(projectId), callId);
      return false;
    }
    return this.#end(projectId, call, 'missed');
  }

  /** Rings out every call past its ring time, in every project (calls of a node that died included). */
  async sweep(): Promise<void> {
    if (this.#sweeping || this.#closed) return;
    this.#sweeping = true;
    try {
      for (const projectId of await this.redis.sMembers(this.keys.callProjects())) {
        const ringing = this.keys.callsRinging(projectId);
        for (const callId of await this.redis.zRangeByScore(ringing, '-inf', Date.now())) {
          await this.ringOut(projectId, callId);
        }
        // A call placed between these two lines is still rung out by its own node's timer.
        if ((await this.redis.zCard(ringing)) === 0) await this.redis.sRem(this.keys.callProjects(), projectId);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'call sweep failed');
    } finally {
      this.#sweeping = false;
    }
  }

  /** The project's calls ringing now (what `replay` goes through): read with the hello's other reads. */
  ringingIds(projectId: string): Promise<string[]> {
    return this.redis.zRange(this.keys.callsRinging(projectId), 0, -1);
  }

  /**
   * A session just said hello: what it missed. An invitee's new page rings
   * for the calls still ringing (`ringing`: ringingIds, read during the
   * hello); the caller's page in a call's room (it navigated there right
   * after callStart) learns the answers so far.
   */
  async replay(
    projectId: string,
    userId: string,
    roomId: string | undefined,
    ringing: readonly string[],
    notify: (n: CallNotification) => void,
  ): Promise<void> {
    for (const callId of ringing) {
      const record = await this.redis.hGetAll(this.keys.call(projectId, callId));
      if (record.state !== 'ringing' || !record.info || record[`ans:${userId}`]) continue;
      const call = JSON.parse(record.info) as CallInfo;
      if (call.invitees.some((p) => p.userId === userId)) notify({ type: 'incomingCall', data: { call } });
    }
    if (!roomId?.startsWith(CALL_ROOM_PREFIX)) return;
    const callId = roomId.slice(CALL_ROOM_PREFIX.length);
    const record = await this.redis.hGetAll(this.keys.call(projectId, callId));
    if (!record.info) return;
    const call = JSON.parse(record.info) as CallInfo;
    if (call.caller.userId !== userId) return;
    let accepted = 0;
    for (const invitee of call.invitees) {
      const answer = record[`ans:${invitee.userId}`];
      if (answer === 'accepted') accepted++;
      if (answer === 'accepted' || answer === 'declined' || (record.state === 'ended' && record.reason === 'missed')) {
        notify({ type: 'callUpdate', data: { callId, ...invitee, answer: answer === 'accepted' || answer === 'declined' ? answer : 'missed' } });
      }
    }
    if (record.state === 'ended' && accepted === 0 && (record.reason === 'declined' || record.reason === 'missed' || record.reason === 'cancelled')) {
      notify({ type: 'callEnded', data: { callId, reason: record.reason } });
    }
  }

  // ------------------------------------------------------------ internals

  async #info(projectId: string, callId: string): Promise<CallInfo | undefined> {
    const raw = await this.redis.hGet(this.keys.call(projectId, callId), 'info');
    return raw ? (JSON.parse(raw) as CallInfo) : undefined;
  }

  /** Claims the end of the ringing; the claimant tells everyone and posts the missed call. */
  async #end(projectId: string, call: CallInfo, reason: 'cancelled' | 'missed'): Promise<boolean> {
    const { callId } = call;
    const reply = (await this.redis.eval(END_SCRIPT, {
      keys: [this.keys.call(projectId, callId), this.keys.callsRinging(projectId)],
      arguments: [callId, reason, String(Date.now())],
    })) as [string, number] | null;
    if (!reply) return false;
    this.#clearTimer(callId);
    const missedIds = JSON.parse(reply[0]) as string[] | Record<string, never>;
    // cjson encodes an empty Lua table as {}.
    const missed = call.invitees.filter((p) => Array.isArray(missedIds) && missedIds.includes(p.userId));
    const accepted = reply[1];
    if (missed.length > 0) {
      await this.#send(projectId, missed.map((p) => p.userId), { type: 'callEnded', data: { callId, reason } });
    }
    if (reason === 'missed') {
      for (const p of missed) {
        await this.#send(projectId, [call.caller.userId], { type: 'callUpdate', data: { callId, ...p, answer: 'missed' } });
      }
      if (accepted === 0) await this.#send(projectId, [call.caller.userId], { type: 'callEnded', data: { callId, reason } });
    } else {
      // The caller's other pages stop showing it.
      await this.#send(projectId, [call.caller.userId], { type: 'callEnded', data: { callId, reason } });
    }
    if (missed.length > 0 && !call.plan) {
      await this.chat.send(projectId, {
        // One message per call, whatever happens: the chat's idempotency backs up the claim.
        clientMessageId: `call-${callId}`,
        kind: 'missed-call',
        author: call.caller,
        text: '',
        call: { callId, roomId: call.roomId, caller: call.caller, missed },
      });
    }
    this.log.info({ projectId, callId, reason, missed: missed.map((p) => p.userId) }, 'call stopped ringing');
    return true;
  }

  #clearTimer(callId: string): void {
    clearTimeout(this.#timers.get(callId));
    this.#timers.delete(callId);
  }

  async #send(projectId: string, to: string[], notification: CallNotification, except?: string): Promise<void> {
    await this.bus.publish(projectId, { type: 'call', to, ...(except ? { except } : {}), notification });
  }
}
