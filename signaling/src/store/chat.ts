/**
 * The project's chat in a Redis Stream (see keys.ts). A message is stored and
 * announced to every node in ONE Lua call: the stream entry, the idempotency
 * record of its client message id, and the pub/sub event. So a message
 * acknowledged to its sender is stored, a retry of the same client message id
 * returns the stored one (never a duplicate), and no node can store a message
 * without it being published.
 */
import type { ChatMessage, DocumentRef } from '../protocol/index.js';
import type { RedisClient } from '../plugins/redis.js';
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

export class ChatStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
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

  /** Newest first: `limit` messages strictly before `before` (or the latest). */
  async history(projectId: string, before: string | undefined, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    const entries =
      (await this.redis.xRevRange(this.keys.chat(projectId), before ? `(${before}` : '+', '-', { COUNT: limit + 1 })) ?? [];
    const messages = entries.slice(0, limit).map((e) => toMessage(projectId, e.id, e.message));
    return { messages, hasMore: entries.length > limit };
  }

  /** Marks read up to `messageId` (never backwards); returns what stays unread. */
  async markRead(projectId: string, userId: string, messageId: string): Promise<number> {
    const key = this.keys.chatRead(projectId);
    const current = await this.redis.hGet(key, userId);
    if (!current || compareIds(messageId, current) > 0) await this.redis.hSet(key, userId, messageId);
    return this.unread(projectId, userId);
  }

  /** Messages by others after the user's read mark (capped). */
  async unread(projectId: string, userId: string): Promise<number> {
    const mark = await this.redis.hGet(this.keys.chatRead(projectId), userId);
    const entries =
      (await this.redis.xRange(this.keys.chat(projectId), mark ? `(${mark}` : '-', '+', { COUNT: UNREAD_CAP })) ?? [];
    return entries.filter((e) => e.message.uid !== userId).length;
  }
}

/** Orders two stream ids "<ms>-<seq>". */
export function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
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
