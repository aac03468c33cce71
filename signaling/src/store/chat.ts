/**
 * The project's chat in a Redis Stream (see keys.ts). A message is stored and
 * announced to every node in ONE Lua call: the stream entry, the idempotency
 * record of its client message id, and the pub/sub event. So a message
 * acknowledged to its sender is stored, a retry of the same client message id
 * returns the stored one (never a duplicate), and no node can store a message
 * without it being published.
 */
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.js';
import {
  ErrorCode,
  formatStreamId,
  nextStreamId,
  parseStreamId,
  previousStreamId,
  type ChatMessage,
  type DocumentRef,
  type StreamIdParts,
} from '../protocol/index.js';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from './keys.js';

/** KEYS: stream, client-id hash, channel. ARGV: dedup field, message JSON (no id), then stream field/value pairs. */
const SEND_SCRIPT = `
local existing = redis.call('HGET', KEYS[2], ARGV[1])
if existing then return {0, existing} end
local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 3))
redis.call('HSET', KEYS[2], ARGV[1], id)
redis.call('PUBLISH', KEYS[3], '{"type":"chatMessage","id":"' .. id .. '","message":' .. ARGV[2] .. '}')
return {1, id}
`;

/**
 * KEYS: read marks, stream. ARGV: user id, message id (a valid id, checked
 * before: protocol/streamId.ts). Moves the user's mark forward to the message
 * id, clamped to the newest message, in one step (two tabs marking at once
 * cannot move it back). A stored mark that is no id of this chat (not an id,
 * or past the newest message: written by a version that checked neither) is
 * replaced. Ids compare as canonical decimals: the longer part is the larger,
 * else the string order is the numeric one. Returns 1 when the mark moved.
 */
const MARK_READ_SCRIPT = `
local function parts(id)
  if not id then return nil end
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  if not ms or (#ms > 1 and string.sub(ms, 1, 1) == '0') or (#seq > 1 and string.sub(seq, 1, 1) == '0') then return nil end
  return ms, seq
end
local function less(am, as, bm, bs)
  if #am ~= #bm then return #am < #bm end
  if am ~= bm then return am < bm end
  if #as ~= #bs then return #as < #bs end
  return as < bs
end
local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
if not newest then return 0 end
local lm, ls = parts(newest[1])
local target = ARGV[2]
local tm, ts = parts(target)
if less(lm, ls, tm, ts) then target, tm, ts = newest[1], lm, ls end
local cm, cs = parts(redis.call('HGET', KEYS[1], ARGV[1]))
if cm and not less(lm, ls, cm, cs) and not less(cm, cs, tm, ts) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], target)
return 1
`;

/**
 * KEYS: read marks, stream. ARGV: user id, most counted. The hello's unread
 * count in one round trip: the user's mark, and the messages by others after
 * it (an exclusive range from the mark). Returns {mark or nil, count}; the
 * count is -1 when Redis refused the mark as a range's start (not an id, or
 * the largest one): the caller then counts as before (ChatStore.unread).
 */
const UNREAD_SCRIPT = `
local mark = redis.call('HGET', KEYS[1], ARGV[1])
local start = '-'
if mark then start = '(' .. mark end
local entries = redis.pcall('XRANGE', KEYS[2], start, '+', 'COUNT', ARGV[2])
if entries.err then return {mark, -1} end
local n = 0
for _, entry in ipairs(entries) do
  local fields, uid = entry[2], nil
  for i = 1, #fields, 2 do
    if fields[i] == 'uid' then uid = fields[i + 1] break end
  end
  if uid ~= ARGV[1] then n = n + 1 end
end
return {mark, n}
`;

export interface NewMessage {
  clientMessageId: string;
  kind: ChatMessage['kind'];
  author: ChatMessage['author'];
  text: string;
  attachment?: DocumentRef | undefined;
  meetingId?: string | undefined;
  meeting?: ChatMessage['meeting'] | undefined;
  call?: ChatMessage['call'] | undefined;
  plan?: ChatMessage['plan'] | undefined;
}

/** Most unread messages counted; the UI shows "99+" long before. */
const UNREAD_CAP = 1000;

/** Bad stored read marks already logged (one warning each per process); cleared when this many. */
const MAX_WARNED_MARKS = 10_000;

export class ChatStore {
  readonly #warnedMarks = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly log?: FastifyBaseLogger,
  ) {}

  /** Stores (once per author and client message id) and publishes; returns the stored message. */
  async send(projectId: string, message: NewMessage): Promise<{ message: ChatMessage; created: boolean }> {
    const time = Date.now();
    const body: Omit<ChatMessage, 'id'> = {
      clientMessageId: message.clientMessageId,
      projectId,
      kind: message.kind,
      author: message.author,
      text: message.text,
      time,
      ...(message.attachment ? { attachment: message.attachment } : {}),
      ...(message.meetingId ? { meetingId: message.meetingId } : {}),
      ...(message.meeting ? { meeting: message.meeting } : {}),
      ...(message.call ? { call: message.call } : {}),
      ...(message.plan ? { plan: message.plan } : {}),
    };
    const fields: string[] = [
      'cmid', message.clientMessageId,
      'kind', message.kind,
      'uid', message.author.userId,
      'name', message.author.displayName,
      'text', message.text,
      'time', String(time),
    ];
    if (message.attachment) fields.push('att', JSON.stringify(message.attachment));
    if (message.meetingId) fields.push('mid', message.meetingId);
    if (message.meeting) fields.push('meeting', JSON.stringify(message.meeting));
    if (message.call) fields.push('call', JSON.stringify(message.call));
    if (message.plan) fields.push('plan', JSON.stringify(message.plan));

    const reply = (await this.redis.eval(SEND_SCRIPT, {
      keys: [this.keys.chat(projectId), this.keys.chatClientIds(projectId), this.keys.projectEvents(projectId)],
      arguments: [`${message.author.userId}:${message.clientMessageId}`, JSON.stringify(body), ...fields],
    })) as [number, string];
    const [created, id] = reply;
    if (created === 1) return { message: { id, ...body }, created: true };
    const stored = await this.get(projectId, id);
    if (!stored) throw new Error(`chat message ${id} is recorded as sent but missing from the stream`);
    return { message: stored, created: false };
  }

  async get(projectId: string, id: string): Promise<ChatMessage | undefined> {
    const entries = (await this.redis.xRange(this.keys.chat(projectId), id, id)) ?? [];
    const entry = entries[0];
    return entry ? toMessage(projectId, entry.id, entry.message) : undefined;
  }

  /**
   * Newest first: `limit` messages strictly before `before` (or the latest).
   * Before 0-0 there is nothing: an empty page.
   */
  async history(projectId: string, before: string | undefined, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    let end = '+';
    if (before !== undefined) {
      // Inclusive of the id right before: `(0-0` and ids past 2^64 are Redis errors.
      const previous = previousStreamId(requireId(before, 'before'));
      if (!previous) return { messages: [], hasMore: false };
      end = formatStreamId(previous);
    }
    const entries = (await this.redis.xRevRange(this.keys.chat(projectId), end, '-', { COUNT: limit + 1 })) ?? [];
    const messages = entries.slice(0, limit).map((e) => toMessage(projectId, e.id, e.message));
    return { messages, hasMore: entries.length > limit };
  }

  /**
   * Marks read up to `messageId` (never backwards, never past the newest
   * message; 0-0 marks nothing); returns what stays unread. An id Redis would
   * refuse is BAD_REQUEST, and nothing is stored.
   */
  async markRead(projectId: string, userId: string, messageId: string): Promise<number> {
    const id = requireId(messageId, 'messageId');
    if (id.ms > 0n || id.seq > 0n) {
      await this.redis.eval(MARK_READ_SCRIPT, {
        keys: [this.keys.chatRead(projectId), this.keys.chat(projectId)],
        arguments: [userId, formatStreamId(id)],
      });
    }
    return this.unread(projectId, userId);
  }

  /**
   * Messages by others after the user's read mark (capped): one script
   * (UNREAD_SCRIPT), counted as before when the stored mark is not a valid
   * id (refused by Redis, or by parseStreamId: then counted from the start, and logged).
   */
  async unread(projectId: string, userId: string): Promise<number> {
    const [stored, count] = (await this.redis.eval(UNREAD_SCRIPT, {
      keys: [this.keys.chatRead(projectId), this.keys.chat(projectId)],
      arguments: [userId, String(UNREAD_CAP)],
    })) as [string | null, number];
    if (count >= 0 && (stored === null || parseStreamId(stored))) return count;
    return this.#unreadChecked(projectId, userId);
  }

  /** unread() in two steps, the stored mark checked in TypeScript. */
  async #unreadChecked(projectId: string, userId: string): Promise<number> {
    const mark = await this.readMark(projectId, userId);
    // Inclusive of the id right after the mark: nothing comes after the largest id.
    const start = mark ? nextStreamId(mark) : undefined;
    if (mark && !start) return 0;
    const entries =
      (await this.redis.xRange(this.keys.chat(projectId), start ? formatStreamId(start) : '-', '+', { COUNT: UNREAD_CAP })) ?? [];
    return entries.filter((e) => e.message.uid !== userId).length;
  }

  /**
   * The user's read mark, read defensively: a stored value that is not a
   * valid id (an older version stored what its schema let through, e.g.
   * twenty 9s on both sides) counts as no mark, so that it can never make
   * unread counts, and with them hello, fail. Logged once; the next
   * markRead replaces it.
   */
  private async readMark(projectId: string, userId: string): Promise<StreamIdParts | undefined> {
    const stored = await this.redis.hGet(this.keys.chatRead(projectId), userId);
    if (stored === null || stored === undefined) return undefined;
    const mark = parseStreamId(stored);
    if (!mark) this.warnBadMark(projectId, userId, stored);
    return mark;
  }

  private warnBadMark(projectId: string, userId: string, stored: string): void {
    const key = `${projectId}\n${userId}`;
    if (this.#warnedMarks.has(key)) return;
    if (this.#warnedMarks.size >= MAX_WARNED_MARKS) this.#warnedMarks.clear();
    this.#warnedMarks.add(key);
    this.log?.warn({ projectId, userId, stored: stored.slice(0, 64) }, 'stored chat read mark is not a message id: ignored until the next markRead');
  }
}

/** The id's parts, or BAD_REQUEST: the schemas check the same rule, this is the store's own guard. */
function requireId(value: string, what: string): StreamIdParts {
  const id = parseStreamId(value);
  if (!id) throw new AppError(ErrorCode.BAD_REQUEST, `${what}: not a message id`);
  return id;
}

function toMessage(projectId: string, id: string, f: Record<string, string>): ChatMessage {
  return {
    id,
    clientMessageId: f.cmid ?? '',
    projectId,
    kind: (f.kind as ChatMessage['kind']) ?? 'text',
    author: { userId: f.uid ?? '', displayName: f.name ?? '' },
    text: f.text ?? '',
    time: Number(f.time ?? 0),
    ...(f.att ? { attachment: JSON.parse(f.att) as DocumentRef } : {}),
    ...(f.mid ? { meetingId: f.mid } : {}),
    ...(f.meeting ? { meeting: JSON.parse(f.meeting) as ChatMessage['meeting'] } : {}),
    ...(f.call ? { call: JSON.parse(f.call) as ChatMessage['call'] } : {}),
    ...(f.plan ? { plan: JSON.parse(f.plan) as ChatMessage['plan'] } : {}),
  };
}
