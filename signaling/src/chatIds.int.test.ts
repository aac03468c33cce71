/**
 * Chat message ids at every boundary (issue 16, items 1 and 2), on the real
 * app and a real Redis: ids Redis would refuse are BAD_REQUEST over the
 * socket and 400 over HTTP (never INTERNAL or 500) and store nothing; 0-0 and
 * the largest id have their documented meaning; a bad read mark already in
 * Redis (written by an older version) never makes history, unread counts or
 * hello fail; marks never move back and never point past the chat.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { describe, expect, it } from 'vitest';
import { helloSession, httpJson, type HelloSession } from '../../test/session.js';
import { RequestFailed } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { AppError } from './errors.js';
import { ErrorCode, type ChatMessage } from './protocol/index.js';
import { ChatStore } from './store/chat.js';

const NINES = '9'.repeat(20);
const MAX = '18446744073709551615';
/** Ids the old schema let through and Redis refuses (or refuses in a range). */
const REFUSED_BY_REDIS = [`${NINES}-${NINES}`, `${NINES}-1`, `${MAX.slice(0, -1)}6-0`, `0-${MAX.slice(0, -1)}6`];
/** Not canonical (Redis reads them, the protocol does not). */
const NOT_CANONICAL = ['007-1', '1-01', '+1-0', ' 1-0', '1', '1-', '-1', '1-2-3', '', '١-0'];

const { app: t, clients } = useTestApp({ CHAT_MESSAGES_PER_MINUTE: '1000' });

async function session(projectId: string, userId: string, room?: string): Promise<HelloSession> {
  const s = await helloSession(t, { projectId, userId, displayName: userId, ...(room ? { room } : {}) });
  clients.push(s.c);
  return s;
}

async function post(s: HelloSession, text: string): Promise<ChatMessage> {
  return (await s.c.request('chatSend', { clientMessageId: randomBytes(9).toString('base64url'), text })).message;
}

async function storedMark(projectId: string, userId: string): Promise<string | null> {
  return (await t.app.redis.hGet(t.app.keys.chatRead(projectId), userId)) ?? null;
}

function project(): string {
  return `ids-${randomBytes(4).toString('hex')}`;
}

describe('message ids at the boundary', () => {
  it('refuses ids Redis would refuse, over the socket, with BAD_REQUEST, and stores no read mark', async () => {
    const p = project();
    const lea = await session(p, 'lea');
    await post(lea, 'Le béton du R+1 est coulé demain.');
    for (const id of [...REFUSED_BY_REDIS, ...NOT_CANONICAL]) {
      const markRead = await lea.c.expectError(lea.c.rawRequest('chatMarkRead', { messageId: id }));
      expect(markRead.code, `chatMarkRead ${JSON.stringify(id)}`).toBe(ErrorCode.BAD_REQUEST);
      const history = await lea.c.expectError(lea.c.rawRequest('chatHistory', { before: id }));
      expect(history.code, `chatHistory before ${JSON.stringify(id)}`).toBe(ErrorCode.BAD_REQUEST);
    }
    expect(await storedMark(p, 'lea')).toBeNull();
    // The socket and the session still work, and hello again too.
    expect((await lea.c.request('chatHistory', {})).messages).toHaveLength(1);
    await session(p, 'lea');
  });

  it('refuses them over HTTP with 400 and the documented error body', async () => {
    const p = project();
    const lea = await session(p, 'lea');
    await post(lea, 'Réunion de chantier jeudi.');
    for (const id of [...REFUSED_BY_REDIS, ...NOT_CANONICAL.filter((id) => id !== '')]) {
      const answer = await httpJson(t.url, `/api/projects/${p}/chat?before=${encodeURIComponent(id)}`, lea.token);
      expect(answer.status, `before ${JSON.stringify(id)}`).toBe(400);
      expect(answer.body).toEqual({ error: { code: ErrorCode.BAD_REQUEST, message: expect.any(String) } });
    }
  });

  it('the store refuses them too, whoever calls it, and stores nothing', async () => {
    const p = project();
    const lea = await session(p, 'lea');
    await post(lea, 'Plan du R+2 en ligne.');
    for (const id of REFUSED_BY_REDIS) {
      await expect(t.app.chat.markRead(p, 'lea', id)).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
      await expect(t.app.chat.history(p, id, 10)).rejects.toBeInstanceOf(AppError);
    }
    expect(await storedMark(p, 'lea')).toBeNull();
  });

  it('gives 0-0 and the largest id their documented meaning', async () => {
    const p = project();
    const lea = await session(p, 'lea');
    const bruno = await session(p, 'bruno');
    const sent = [await post(lea, 'un'), await post(lea, 'deux')];
    // Nothing comes before 0-0: an empty page, over the socket and HTTP.
    expect(await bruno.c.request('chatHistory', { before: '0-0' })).toEqual({ messages: [], hasMore: false });
    const page = await httpJson(t.url, `/api/projects/${p}/chat?before=0-0`, bruno.token);
    expect(page).toMatchObject({ status: 200, body: { messages: [], hasMore: false, unread: 2 } });
    // Everything comes before the largest id.
    const all = await bruno.c.request('chatHistory', { before: `${MAX}-${MAX}` });
    expect(all.messages.map((m) => m.id)).toEqual(sent.map((m) => m.id).reverse());
    // A 0-0 read mark reads nothing and stores nothing.
    expect((await bruno.c.request('chatMarkRead', { messageId: '0-0' })).unread).toBe(2);
    expect(await storedMark(p, 'bruno')).toBeNull();
    // A mark past the newest message stops at it: later messages are unread.
    expect((await bruno.c.request('chatMarkRead', { messageId: `${MAX}-${MAX}` })).unread).toBe(0);
    expect(await storedMark(p, 'bruno')).toBe(sent[1]!.id);
    await post(lea, 'trois');
    expect((await session(p, 'bruno')).hello.unread).toBe(1);
  });

  it('never moves a mark back, even when several tabs mark at once', async () => {
    const p = project();
    const lea = await session(p, 'lea');
    const bruno = await session(p, 'bruno');
    const sent: ChatMessage[] = [];
    for (let i = 0; i < 8; i++) sent.push(await post(lea, `message ${i}`));
    expect((await bruno.c.request('chatMarkRead', { messageId: sent[5]!.id })).unread).toBe(2);
    expect((await bruno.c.request('chatMarkRead', { messageId: sent[2]!.id })).unread).toBe(2);
    expect(await storedMark(p, 'bruno')).toBe(sent[5]!.id);
    const tabs = [bruno, await session(p, 'bruno'), await session(p, 'bruno')];
    // Every tab marks every message, newest last on one tab, first on another.
    await Promise.all(
      tabs.map((tab, i) => {
        const order = i % 2 === 0 ? sent : [...sent].reverse();
        return Promise.all(order.map((m) => tab.c.request('chatMarkRead', { messageId: m.id })));
      }),
    );
    expect(await storedMark(p, 'bruno')).toBe(sent[7]!.id);
  });
});

describe('a bad read mark already in Redis (an older version stored it)', () => {
  // Read defensively: not an id counts as no mark (3 unread); an id past the chat leaves nothing unread.
  const cases: [bad: string, unread: number][] = [
    [`${NINES}-${NINES}`, 3],
    [`${MAX}-${MAX}`, 0],
    ['12345678901234-5', 0],
    ['pas un id', 3],
    ['007-1', 3],
  ];
  for (const [bad, unread] of cases) {
    it(`never makes hello, history or unread fail: ${JSON.stringify(bad)}`, async () => {
      const p = project();
      const lea = await session(p, 'lea');
      const sent = [await post(lea, 'un'), await post(lea, 'deux'), await post(lea, 'trois')];
      await t.app.redis.hSet(t.app.keys.chatRead(p), 'bruno', bad);

      const bruno = await session(p, 'bruno');
      expect(bruno.hello.unread).toBe(unread);
      const meeting = await session(p, 'bruno', 'reunion');
      expect(meeting.hello.unread).toBe(unread);
      expect((await bruno.c.request('chatHistory', {})).messages).toHaveLength(3);
      const page = await httpJson(t.url, `/api/projects/${p}/chat`, bruno.token);
      expect(page).toMatchObject({ status: 200, body: { unread } });

      // The next mark replaces it, clamped to the chat, and then counts go on as usual.
      expect((await bruno.c.request('chatMarkRead', { messageId: sent[1]!.id })).unread).toBe(1);
      expect(await storedMark(p, 'bruno')).toBe(sent[1]!.id);
      await post(lea, 'quatre');
      expect((await session(p, 'bruno')).hello.unread).toBe(2);
    });
  }

  it('is logged once at warn, not on every read', async () => {
    const p = project();
    const lea = await session(p, 'lea');
    await post(lea, 'un');
    await t.app.redis.hSet(t.app.keys.chatRead(p), 'bruno', `${NINES}-${NINES}`);
    const warnings: unknown[] = [];
    const log = { warn: (...args: unknown[]) => warnings.push(args) } as unknown as FastifyBaseLogger;
    const chat = new ChatStore(t.app.redis, t.app.keys, log);
    for (let i = 0; i < 5; i++) expect(await chat.unread(p, 'bruno')).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it('is refused as BAD_REQUEST over the socket, never INTERNAL, on a fresh socket too', async () => {
    // The lock-out: a refused mark must not have been stored, so hello keeps working.
    const p = project();
    const lea = await session(p, 'lea');
    await post(lea, 'un');
    const refused = await lea.c.expectError(lea.c.rawRequest('chatMarkRead', { messageId: `${NINES}-${NINES}` }));
    expect(refused).toBeInstanceOf(RequestFailed);
    expect(refused.code).toBe(ErrorCode.BAD_REQUEST);
    expect((await session(p, 'lea')).hello.unread).toBe(0);
  });
});
