/**
 * The marks of presented documents, per meeting and document, in Redis
 * (keys.ts: markupMarks, markupOrder, markupMeta, markupColors). Each change is
 * one Lua call, so that the server alone decides, atomically: the order (a
 * sequence number), the page limit, pin numbers (a counter, never reused, the
 * same number for the same mark id), authors' colours (first come, first
 * colour), and idempotency (a mark id already stored answers the stored mark).
 * Nothing lives in the node's memory: a node that takes the meeting over finds
 * everything here.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { MARKUP_LIMITS, MARKUP_PALETTE, Mark } from '../protocol/index.js';
import type { RedisClient } from '../redis/client.js';
import type { Keys } from './keys.js';

/** How long a document's marks are kept after their last change (the meeting's end included). */
export const MARKUP_TTL_S = 7 * 24 * 3600;

/** Returns the author's palette index, giving the next one on first use. KEYS[4] colours hash; ARGV[2] user id. */
const COLOR_OF = `
local function colorIndex(colors, userId)
  local ci = redis.call('HGET', colors, userId)
  if not ci then
    ci = redis.call('HLEN', colors)
    redis.call('HSET', colors, userId, ci)
  end
  return tonumber(ci)
end
`;

/**
 * KEYS: marks, order, meta, colours. ARGV: mark id, user id, page, is pin ('1'|'0'),
 * the mark's JSON without color and pin, marks per page, TTL (s), then the palette.
 * Answers {'exists', json} | {'full'} | {'added', json}.
 */
const ADD_SCRIPT = `${COLOR_OF}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {'exists', existing} end
local pageField = 'p:' .. ARGV[3]
if tonumber(redis.call('HGET', KEYS[3], pageField) or '0') >= tonumber(ARGV[6]) then return {'full'} end
local palette = {unpack(ARGV, 8)}
local extra = ',"color":"' .. palette[(colorIndex(KEYS[4], ARGV[2]) % #palette) + 1] .. '"'
if ARGV[4] == '1' then
  local pin = redis.call('HGET', KEYS[3], 'pin:' .. ARGV[1])
  if not pin then
    pin = redis.call('HINCRBY', KEYS[3], 'pins', 1)
    redis.call('HSET', KEYS[3], 'pin:' .. ARGV[1], pin)
  end
  extra = extra .. ',"pin":' .. pin
end
local json = string.sub(ARGV[5], 1, -2) .. extra .. '}'
local seq = redis.call('HINCRBY', KEYS[3], 'seq', 1)
redis.call('HSET', KEYS[1], ARGV[1], json)
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('HINCRBY', KEYS[3], pageField, 1)
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[7]) end
return {'added', json}
`;

/** KEYS: colours. ARGV: (unused), user id, TTL (s), then the palette. Answers the colour. */
const COLOR_SCRIPT = `${COLOR_OF}
local palette = {unpack(ARGV, 4)}
local color = palette[(colorIndex(KEYS[1], ARGV[2]) % #palette) + 1]
redis.call('EXPIRE', KEYS[1], ARGV[3])
return color
`;

/**
 * KEYS: marks, order, meta. ARGV: user id, may erase anyone's ('1'|'0'), TTL (s), then distinct mark ids.
 * Checks every id first, so that a refusal erases nothing. Answers {'forbidden', id} | {'erased', ids...}.
 */
const ERASE_SCRIPT = `
local found = {}
for i = 4, #ARGV do
  local json = redis.call('HGET', KEYS[1], ARGV[i])
  if json then
    local mark = cjson.decode(json)
    if ARGV[2] ~= '1' and mark.authorId ~= ARGV[1] then return {'forbidden', ARGV[i]} end
    table.insert(found, {ARGV[i], mark.page})
  end
end
local out = {'erased'}
for _, e in ipairs(found) do
  redis.call('HDEL', KEYS[1], e[1])
  redis.call('ZREM', KEYS[2], e[1])
  redis.call('HINCRBY', KEYS[3], 'p:' .. e[2], -1)
  table.insert(out, e[1])
end
if #found > 0 then for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end end
return out
`;

/** KEYS: marks, order, meta. ARGV: page, TTL (s). Answers the erased ids. */
const CLEAR_SCRIPT = `
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  if cjson.decode(all[i + 1]).page == tonumber(ARGV[1]) then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('ZREM', KEYS[2], all[i])
    table.insert(out, all[i])
  end
end
if #out > 0 then
  redis.call('HSET', KEYS[3], 'p:' .. ARGV[1], 0)
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
end
return out
`;

/** KEYS: marks, order. Answers the marks' JSON in the server's order (HMGET in slices: unpack has a stack limit). */
const LIST_SCRIPT = `
local ids = redis.call('ZRANGE', KEYS[2], 0, -1)
local out = {}
for i = 1, #ids, 1000 do
  local part = redis.call('HMGET', KEYS[1], unpack(ids, i, math.min(i + 999, #ids)))
  for _, json in ipairs(part) do if json then table.insert(out, json) end end
end
return out
`;

const markCheck = TypeCompiler.Compile(Mark);

/** Which document of which meeting. */
export interface MarkupScope {
  projectId: string;
  roomId: string;
  meetingId: string;
  documentId: string;
}

/** A mark as handlers hand it in: the author, the time and the document are set; colour and pin come from here. */
export type NewMark = Omit<Mark, 'color' | 'pin'>;

export type AddResult = { status: 'added' | 'exists'; mark: Mark } | { status: 'full' };
export type EraseResult = { status: 'erased'; erased: string[] } | { status: 'forbidden'; markId: string };

export class MarkupStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async add(scope: MarkupScope, mark: NewMark): Promise<AddResult> {
    const reply = (await this.redis.eval(ADD_SCRIPT, {
      keys: [...this.#docKeys(scope), this.#colorsKey(scope)],
      arguments: [
        mark.markId,
        mark.authorId,
        String(mark.page),
        mark.tool === 'pin' ? '1' : '0',
        JSON.stringify(mark),
        String(MARKUP_LIMITS.marksPerPage),
        String(MARKUP_TTL_S),
        ...MARKUP_PALETTE,
      ],
    })) as [string, string?];
    if (reply[0] === 'full') return { status: 'full' };
    return { status: reply[0] === 'added' ? 'added' : 'exists', mark: parseMark(reply[1]!) };
  }

  /** The author's colour in this meeting (given now if they have none yet). */
  async colorOf(scope: Omit<MarkupScope, 'documentId'>, userId: string): Promise<string> {
    return (await this.redis.eval(COLOR_SCRIPT, {
      keys: [this.#colorsKey(scope)],
      arguments: ['', userId, String(MARKUP_TTL_S), ...MARKUP_PALETTE],
    })) as string;
  }

  /** Every mark, in the server's order. */
  async list(scope: MarkupScope): Promise<Mark[]> {
    const [marks, order] = this.#docKeys(scope);
    const all = (await this.redis.eval(LIST_SCRIPT, { keys: [marks, order] })) as string[];
    return all.map(parseMark);
  }

  /** Erases these marks (ids not stored are ignored); none at all if one is someone else's and `anyone` is false. */
  async erase(scope: MarkupScope, userId: string, anyone: boolean, markIds: readonly string[]): Promise<EraseResult> {
    const reply = (await this.redis.eval(ERASE_SCRIPT, {
      keys: this.#docKeys(scope),
      arguments: [userId, anyone ? '1' : '0', String(MARKUP_TTL_S), ...new Set(markIds)],
    })) as string[];
    if (reply[0] === 'forbidden') return { status: 'forbidden', markId: reply[1]! };
    return { status: 'erased', erased: reply.slice(1) };
  }

  /** Erases every mark of a page; answers their ids. */
  async clearPage(scope: MarkupScope, page: number): Promise<string[]> {
    return (await this.redis.eval(CLEAR_SCRIPT, {
      keys: this.#docKeys(scope),
      arguments: [String(page), String(MARKUP_TTL_S)],
    })) as string[];
  }

  #docKeys(s: MarkupScope): [string, string, string] {
    return [
      this.keys.markupMarks(s.projectId, s.roomId, s.meetingId, s.documentId),
      this.keys.markupOrder(s.projectId, s.roomId, s.meetingId, s.documentId),
      this.keys.markupMeta(s.projectId, s.roomId, s.meetingId, s.documentId),
    ];
  }

  #colorsKey(s: Omit<MarkupScope, 'documentId'>): string {
    return this.keys.markupColors(s.projectId, s.roomId, s.meetingId);
  }
}

/** Marks are written by ADD_SCRIPT only; one that is not a Mark means the store is damaged. */
function parseMark(json: string): Mark {
  const value: unknown = JSON.parse(json);
  if (!markCheck.Check(value)) throw new Error('a stored mark does not match the protocol');
  return value;
}
