/**
 * Meetings' minutes in Redis (keys.ts: minutes, minutesOfMeeting,
 * minutesSeries, minutesNumber, minutesPublished), written as the meeting
 * goes so that a reload, a resume or another node's take-over finds them.
 *
 * Items are compare-and-set in one Lua call each: an item's JSON and its
 * version ("ver:<id>") change together, the item count is checked against
 * the limit in the same call, and an edit made on an older version gets back
 * the words it replaced (the caller tells their author). Nothing else can
 * interleave inside a script, so two edits of different items never lose
 * either, and an edit of a deleted item is refused rather than resurrecting it.
 */
import type { RedisClient } from '../redis/client.js';
import type {
  AttendanceEntry,
  MinutesInfo,
  MinutesItem,
  MinutesSection,
  MinutesSummary,
} from '../protocol/index.js';
import type { Keys } from './keys.js';

/** An item as stored: everything but its version (kept in its own field). */
export type StoredItem = Omit<MinutesItem, 'version'>;

/**
 * KEYS[1] minutes hash. ARGV: item id, base version ("0": a new item), item
 * JSON, item limit. Replies {'ok', version, replaced JSON or '', its version}
 * | {'limit'} | {'gone'} | {'exists'} | {'nominutes'}.
 */
const SAVE_ITEM = `
local key, id, base, json, limit = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
if redis.call('HEXISTS', key, 'info') == 0 then return {'nominutes'} end
local cur = redis.call('HGET', key, 'ver:' .. id)
if base == 0 then
  if cur then return {'exists'} end
  if tonumber(redis.call('HGET', key, 'nitems') or '0') >= limit then return {'limit'} end
  redis.call('HINCRBY', key, 'nitems', 1)
  redis.call('HSET', key, 'item:' .. id, json, 'ver:' .. id, 1)
  return {'ok', '1', '', '0'}
end
if not cur then return {'gone'} end
local replaced = ''
if tonumber(cur) ~= base then replaced = redis.call('HGET', key, 'item:' .. id) end
local v = redis.call('HINCRBY', key, 'ver:' .. id, 1)
redis.call('HSET', key, 'item:' .. id, json)
return {'ok', tostring(v), replaced, cur}
`;

/** KEYS[1] minutes hash. ARGV: item id. 1 if deleted, 0 if already gone. */
const DELETE_ITEM = `
local key, id = KEYS[1], ARGV[1]
if redis.call('HDEL', key, 'item:' .. id, 'ver:' .. id) == 0 then return 0 end
redis.call('HINCRBY', key, 'nitems', -1)
return 1
`;

/**
 * KEYS[1] minutes hash. ARGV: field, JSON, counter field, limit. A field that
 * exists is replaced; a new one counts against the limit. 1 written, 0 limit
 * reached, -1 no such minutes.
 */
const PUT_LIMITED = `
local key, field, json, counter, limit = KEYS[1], ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if redis.call('HEXISTS', key, 'info') == 0 then return -1 end
if redis.call('HEXISTS', key, field) == 0 then
  if tonumber(redis.call('HGET', key, counter) or '0') >= limit then return 0 end
  redis.call('HINCRBY', key, counter, 1)
end
redis.call('HSET', key, field, json)
return 1
`;

/** KEYS[1] minutes hash. ARGV: field/value pairs, "info" first. 1 created, 0 someone else did. */
const CREATE = `
if redis.call('HEXISTS', KEYS[1], 'info') == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
`;

/** KEYS[1] minutes hash. ARGV: expected info JSON, new info JSON. 1 written, 0 it changed meanwhile. */
const CAS_INFO = `
if redis.call('HGET', KEYS[1], 'info') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'info', ARGV[2])
return 1
`;

export type SaveResult =
  | { status: 'ok'; version: number; replaced?: { item: StoredItem; version: number } }
  | { status: 'limit' | 'gone' | 'exists' | 'nominutes' };

export interface MinutesContent {
  info: MinutesInfo;
  sections: MinutesSection[];
  items: MinutesItem[];
  attendance: AttendanceEntry[];
}

export class MinutesStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** The minutes a meeting writes, if decided. */
  async ofMeeting(projectId: string, meetingId: string): Promise<string | undefined> {
    return (await this.redis.hGet(this.keys.minutesOfMeeting(projectId), meetingId)) ?? undefined;
  }

  /** Links a meeting to minutes unless it is already linked; returns the linked minutes id. */
  async link(projectId: string, meetingId: string, minutesId: string): Promise<string> {
    const key = this.keys.minutesOfMeeting(projectId);
    if (await this.redis.hSetNX(key, meetingId, minutesId)) return minutesId;
    return (await this.redis.hGet(key, meetingId)) ?? minutesId;
  }

  async exists(projectId: string, minutesId: string): Promise<boolean> {
    return (await this.redis.hExists(this.keys.minutes(projectId, minutesId), 'info')) === 1;
  }

  /** Creates the minutes with their first content in one step; false if someone else made them first. */
  async create(content: Omit<MinutesContent, 'items'> & { items: MinutesItem[] }, seriesId: string, seriesScore: number): Promise<boolean> {
    const { info } = content;
    const fields: string[] = ['info', JSON.stringify(info), 'nitems', String(content.items.length)];
    fields.push('nsections', String(content.sections.length), 'natt', String(content.attendance.length));
    for (const s of content.sections) fields.push(`sec:${s.sectionId}`, JSON.stringify(s));
    for (const a of content.attendance) fields.push(`att:${a.personId}`, JSON.stringify(a));
    for (const { version, ...item } of content.items) fields.push(`item:${item.itemId}`, JSON.stringify(item), `ver:${item.itemId}`, String(version));
    const created = await this.redis.eval(CREATE, { keys: [this.keys.minutes(info.projectId, info.minutesId)], arguments: fields });
    if (created === 1) await this.redis.zAdd(this.keys.minutesSeries(info.projectId, seriesId), { score: seriesScore, value: info.minutesId });
    return created === 1;
  }

  /** Everything, or undefined if there are no such minutes. */
  async read(projectId: string, minutesId: string): Promise<MinutesContent | undefined> {
    const h = await this.redis.hGetAll(this.keys.minutes(projectId, minutesId));
    if (!h.info) return undefined;
    const content: MinutesContent = { info: JSON.parse(h.info) as MinutesInfo, sections: [], items: [], attendance: [] };
    for (const [field, value] of Object.entries(h)) {
      if (field.startsWith('sec:')) content.sections.push(JSON.parse(value) as MinutesSection);
      else if (field.startsWith('att:')) content.attendance.push(JSON.parse(value) as AttendanceEntry);
      else if (field.startsWith('item:')) {
        const item = JSON.parse(value) as StoredItem;
        content.items.push({ ...item, version: Number(h[`ver:${item.itemId}`] ?? 1) });
      }
    }
    content.sections.sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
    content.items.sort((a, b) => a.createdAt - b.createdAt || a.itemId.localeCompare(b.itemId));
    content.attendance.sort((a, b) => Number(b.invited) - Number(a.invited) || a.name.localeCompare(b.name));
    return content;
  }

  /** The minutes' info alone (what every edit checks), or undefined. */
  async info(projectId: string, minutesId: string): Promise<MinutesInfo | undefined> {
    const raw = await this.redis.hGet(this.keys.minutes(projectId, minutesId), 'info');
    return raw ? (JSON.parse(raw) as MinutesInfo) : undefined;
  }

  async item(projectId: string, minutesId: string, itemId: string): Promise<StoredItem | undefined> {
    const raw = await this.redis.hGet(this.keys.minutes(projectId, minutesId), `item:${itemId}`);
    return raw ? (JSON.parse(raw) as StoredItem) : undefined;
  }

  async section(projectId: string, minutesId: string, sectionId: string): Promise<MinutesSection | undefined> {
    const raw = await this.redis.hGet(this.keys.minutes(projectId, minutesId), `sec:${sectionId}`);
    return raw ? (JSON.parse(raw) as MinutesSection) : undefined;
  }

  async attendee(projectId: string, minutesId: string, personId: string): Promise<AttendanceEntry | undefined> {
    const raw = await this.redis.hGet(this.keys.minutes(projectId, minutesId), `att:${personId}`);
    return raw ? (JSON.parse(raw) as AttendanceEntry) : undefined;
  }

  /** Compare-and-set of one item (baseVersion 0: a new one), see SAVE_ITEM. */
  async saveItem(projectId: string, minutesId: string, item: StoredItem, baseVersion: number, limit: number): Promise<SaveResult> {
    const reply = (await this.redis.eval(SAVE_ITEM, {
      keys: [this.keys.minutes(projectId, minutesId)],
      arguments: [item.itemId, String(baseVersion), JSON.stringify(item), String(limit)],
    })) as string[];
    const [status, version, replaced, replacedVersion] = reply;
    if (status !== 'ok') return { status: status as 'limit' | 'gone' | 'exists' | 'nominutes' };
    return {
      status,
      version: Number(version),
      ...(replaced ? { replaced: { item: JSON.parse(replaced) as StoredItem, version: Number(replacedVersion) } } : {}),
    };
  }

  async deleteItem(projectId: string, minutesId: string, itemId: string): Promise<boolean> {
    return (await this.redis.eval(DELETE_ITEM, { keys: [this.keys.minutes(projectId, minutesId)], arguments: [itemId] })) === 1;
  }

  /** Writes a section or an attendance line; 'limit' when a new one would pass the limit. */
  async put(projectId: string, minutesId: string, what: 'sec' | 'att', id: string, value: unknown, limit: number): Promise<'ok' | 'limit' | 'nominutes'> {
    const counter = what === 'sec' ? 'nsections' : 'natt';
    const reply = await this.redis.eval(PUT_LIMITED, {
      keys: [this.keys.minutes(projectId, minutesId)],
      arguments: [`${what}:${id}`, JSON.stringify(value), counter, String(limit)],
    });
    return reply === 1 ? 'ok' : reply === 0 ? 'limit' : 'nominutes';
  }

  /** Changes the minutes' info (compare-and-set, retried); returns the new info. */
  async updateInfo(projectId: string, minutesId: string, change: (info: MinutesInfo) => MinutesInfo): Promise<MinutesInfo | undefined> {
    const key = this.keys.minutes(projectId, minutesId);
    for (let attempt = 0; attempt < 10; attempt++) {
      const raw = await this.redis.hGet(key, 'info');
      if (!raw) return undefined;
      const next = change(JSON.parse(raw) as MinutesInfo);
      if ((await this.redis.eval(CAS_INFO, { keys: [key], arguments: [raw, JSON.stringify(next)] })) === 1) return next;
    }
    throw new Error(`minutes ${minutesId} kept changing under 10 attempts to update them`);
  }

  /** The minutes of the same series just before `score` (the previous meeting), if any. */
  async previousInSeries(projectId: string, seriesId: string, score: number): Promise<string | undefined> {
    const ids = await this.redis.zRange(this.keys.minutesSeries(projectId, seriesId), `(${score}`, '-inf', {
      BY: 'SCORE',
      REV: true,
      LIMIT: { offset: 0, count: 1 },
    });
    return ids[0];
  }

  /** The next CR number of the project. */
  async nextNumber(projectId: string): Promise<number> {
    return this.redis.incr(this.keys.minutesNumber(projectId));
  }

  async setPublished(projectId: string, meetingId: string, summary: MinutesSummary): Promise<void> {
    await this.redis.hSet(this.keys.minutesPublished(projectId), meetingId, JSON.stringify(summary));
  }

  /** Published minutes by meeting id (the meeting history). */
  async published(projectId: string): Promise<Map<string, MinutesSummary>> {
    const all = await this.redis.hGetAll(this.keys.minutesPublished(projectId));
    return new Map(Object.entries(all).map(([meetingId, raw]) => [meetingId, JSON.parse(raw) as MinutesSummary]));
  }
}
