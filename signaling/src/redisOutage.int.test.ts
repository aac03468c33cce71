/**
 * A Redis outage (issue 16, item 8): the real server as a process, on a
 * redis-server of the test's own (killed with SIGKILL and started again on
 * its data dir, append-only file on). While Redis is down, requests that need
 * it answer a coded UNAVAILABLE at once (503 over HTTP), never INTERNAL or
 * nothing; /readyz says not ready. When it is back, chat and presence work
 * again on their own (the test waits at most 15 s, and prints how long it
 * took), a retried message is stored once, nothing acknowledged is lost. A
 * SIGTERM during an outage stops the server promptly with exit 0.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@redis/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from '../../test/config.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { startKillableRedis, type KillableRedis } from '../../test/killableRedis.js';
import { startServerProcess, type ServerProcess } from '../../test/serverProcess.js';
import { RequestFailed, TestClient } from '../../test/TestClient.js';
import { mintAccessToken } from './auth/tokens.js';
import { ErrorCode, PROTOCOL_VERSION, type ChatMessage, type Role } from './protocol/index.js';
import type { RedisClient } from './redis/client.js';
import { makeKeys } from './store/keys.js';
import { closeCheckedClients } from '../../test/session.js';

/** The server's bound on any wait for Redis in this test (REDIS_TIMEOUT_MS). */
const REDIS_TIMEOUT_MS = 1_000;
/** The bound on recovery after Redis returns. */
const RECOVERY_MS = 15_000;
/** How often the test sends the outage's message again, as the client would. */
const CHAT_RETRY_MS = 1_000;
/** What "at once" may take on a loaded 2-core machine, beyond the bound: an answer, not a hang. */
const ANSWER_SLACK_MS = 2_000;

const rid = (): string => randomBytes(5).toString('hex');
const clients: TestClient[] = [];
let redis: KillableRedis;
let server: ServerProcess | undefined;
const logLines: string[] = [];

interface Who {
  userId: string;
  displayName: string;
  role: Role;
}
const lea: Who = { userId: 'lea', displayName: 'Léa Martin', role: 'owner' };
const bruno: Who = { userId: 'bruno', displayName: 'Bruno Petit', role: 'member' };
const chloe: Who = { userId: 'chloe', displayName: 'Chloé Roux', role: 'member' };

beforeAll(async () => {
  redis = await startKillableRedis();
});
afterAll(async () => {
  await server?.kill('SIGKILL');
  await redis.stop();
});
afterEach(() => closeCheckedClients(clients));

async function start(): Promise<ServerProcess> {
  logLines.length = 0;
  server = await startServerProcess(
    { REDIS_URL: redis.url, REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS), PRESENCE_TTL_MS: '30000' },
    { onStdout: (line) => logLines.push(line) },
  );
  return server;
}

async function token(projectId: string, who: Who): Promise<string> {
  return mintAccessToken({ ...who, projectId }, TEST_JWT_SECRET);
}

/** A project page's socket (chat and presence, no media). */
async function page(s: ServerProcess, projectId: string, who: Who) {
  const c = await TestClient.connect(s.url);
  clients.push(c);
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token: await token(projectId, who), projectId });
  return { c, hello };
}

/** A meeting's socket, joined (its media is not needed here). */
async function meeting(s: ServerProcess, projectId: string, roomId: string, who: Who) {
  const c = await TestClient.connect(s.url);
  clients.push(c);
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token: await token(projectId, who), projectId, roomId });
  await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
  return { c, hello };
}

async function get(s: ServerProcess, path: string, bearer?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${s.url}${path}`, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});
  return { status: response.status, body: await response.json() };
}

/** Polls `condition` every `everyMs` until true; fails after `timeoutMs`. Returns how long it took. */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs: number, everyMs = 100): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
  return Date.now() - started;
}

/** The request's outcome and how long it took to come. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; result?: T; error?: RequestFailed }> {
  const started = performance.now();
  try {
    const result = await promise;
    return { ms: Math.round(performance.now() - started), result };
  } catch (error) {
    if (!(error instanceof RequestFailed)) throw error;
    return { ms: Math.round(performance.now() - started), error };
  }
}

/** Fails if `promise` does not settle within `ms`: a hang is the defect under test. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a Redis outage', () => {
  it('answers UNAVAILABLE while Redis is down, and chat and presence come back on their own', async () => {
    const s = await start();
    const projectId = `p-${rid()}`;
    const leaToken = await token(projectId, lea);
    const a = await page(s, projectId, lea);
    const b = await page(s, projectId, bruno);
    const c = await page(s, projectId, chloe);
    expect((await get(s, '/readyz')).status).toBe(200);
    // Léa and Chloé are in a meeting too: who is in it is kept in Redis.
    const leaInMeeting = await meeting(s, projectId, 'reunion', lea);
    const chloeInMeeting = await meeting(s, projectId, 'reunion', chloe);
    const keys = makeKeys('chantier:');
    /** Reads the test's Redis directly, on a connection of its own. */
    const direct = async <T>(read: (client: RedisClient) => Promise<T>): Promise<T> => {
      const client: RedisClient = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
      client.on('error', () => {});
      await client.connect();
      try {
        return await read(client);
      } finally {
        client.destroy();
      }
    };
    const meetingPeers = (): Promise<string[]> =>
      direct(async (r) => Object.keys(await r.hGetAll(keys.meetingPeers(projectId, 'reunion'))).sort());
    // Written after the join's answer (off its path): waited for, not read at once.
    const bothIn = [leaInMeeting.hello.peerId, chloeInMeeting.hello.peerId].sort().join();
    await until(async () => (await meetingPeers()).join() === bothIn, 'both in the meeting record', 5_000);
    const holder = await direct((r) => r.get(keys.meetingNode(projectId, 'reunion')));
    expect(holder).toBeTruthy();

    // Acknowledged before the outage: must be there after it.
    const before = await a.c.request('chatSend', { clientMessageId: `m-${rid()}`, text: 'Avant la coupure' });
    await c.c.waitFor('chatMessage', (d) => d.message.id === before.message.id);

    await redis.kill();
    const notReadyMs = await until(async () => (await get(s, '/readyz')).status === 503, '/readyz 503', 5_000);
    const ready = await get(s, '/readyz');
    expect(ready.body).toMatchObject({ status: 'not-ready', redis: false });

    // chatSend: a coded answer within the bound, never INTERNAL, never silence.
    const duringId = `m-${rid()}`;
    const send = await within(
      timed(a.c.request('chatSend', { clientMessageId: duringId, text: 'Pendant la coupure' })),
      REDIS_TIMEOUT_MS + ANSWER_SLACK_MS,
      'chatSend during the outage',
    );
    expect(send.error?.code).toBe(ErrorCode.UNAVAILABLE);
    const history = await timed(a.c.request('chatHistory', { limit: 10 }));
    expect(history.error?.code).toBe(ErrorCode.UNAVAILABLE);

    // HTTP: 503 in the documented shape.
    const httpChat = await within(get(s, `/api/projects/${projectId}/chat`, leaToken), REDIS_TIMEOUT_MS + ANSWER_SLACK_MS, 'HTTP chat');
    expect(httpChat.status).toBe(503);
    expect(httpChat.body).toEqual({ error: { code: 'UNAVAILABLE', message: expect.any(String) } });
    const httpPresence = await get(s, `/api/projects/${projectId}/presence`, leaToken);
    expect(httpPresence.status).toBe(503);
    expect(httpPresence.body).toMatchObject({ error: { code: 'UNAVAILABLE' } });

    // A new page cannot say hello without Redis: refused with the code, its socket closed.
    const late = await TestClient.connect(s.url);
    clients.push(late);
    const refused = await late.expectError(
      late.request('hello', { protocol: PROTOCOL_VERSION, token: await token(projectId, chloe), projectId }),
    );
    expect(refused.code).toBe(ErrorCode.UNAVAILABLE);

    // Bruno leaves while Redis cannot be told: presence must not keep him once it is back.
    b.c.close();
    await b.c.closed;
    // Chloé leaves the meeting (the server answers: media needs no Redis); Redis is told later.
    await chloeInMeeting.c.request('leave', {});

    // The media server never needed Redis: still alive, the process too.
    expect((await get(s, '/healthz')).status).toBe(200);

    // The outage lasts a few seconds (as a restart would).
    await sleep(3_000);
    const seenBefore = c.c.notificationsOf('presence').length;
    await redis.restart();
    const restartedAt = Date.now();

    // The same message again (the client's automatic retry): stored once it is possible.
    let stored: ChatMessage | undefined;
    const chatBackMs = await until(
      async () => {
        const retry = await timed(a.c.request('chatSend', { clientMessageId: duringId, text: 'Pendant la coupure' }));
        if (retry.error && retry.error.code !== ErrorCode.UNAVAILABLE) throw retry.error;
        stored = retry.result?.message;
        return stored !== undefined;
      },
      'chatSend to succeed after the restart',
      RECOVERY_MS,
      // The client's pace (client/src/chat/sendRetry.ts: 1 s, then 2): every 100 ms, a slow
      // restart spent the chat's burst of 10 and the server rightly answered RATE_LIMITED.
      CHAT_RETRY_MS,
    );
    // Delivered live to the others (pub/sub subscribed again).
    await c.c.waitFor('chatMessage', (d) => d.message.id === stored!.id, RECOVERY_MS);
    const deliveredMs = Date.now() - restartedAt;

    // Presence: announced again (a snapshot after the outage), with Léa and Chloé, without Bruno.
    await c.c.until(() => c.c.notificationsOf('presence').length > seenBefore, 'presence after the restart', RECOVERY_MS);
    const online = await c.c.waitForPeople((people) => people.every((e) => e.userId !== 'bruno'), RECOVERY_MS);
    const presenceMs = Date.now() - restartedAt;
    expect(online.map((e) => e.userId).sort()).toEqual(['chloe', 'lea']);
    const readyMs = await until(async () => (await get(s, '/readyz')).status === 200, '/readyz 200', RECOVERY_MS);
    // The meeting's record of who is in it: Chloé's leave is written, Léa still in; the claim is this node's.
    const meetingMs = await until(
      async () => (await meetingPeers()).join() === leaInMeeting.hello.peerId,
      'meeting presence without Chloé',
      RECOVERY_MS,
    );
    expect(await direct((r) => r.get(keys.meetingNode(projectId, 'reunion')))).toBe(holder);
    // The node is live again, and a claim Redis lost (a restart without its data) is made again.
    expect(await direct((r) => r.exists(keys.node(holder!)))).toBe(1);
    await direct((r) => r.del(keys.meetingNode(projectId, 'reunion')));
    const reclaimMs = await until(
      async () => (await direct((r) => r.get(keys.meetingNode(projectId, 'reunion')))) === holder,
      'the meeting claimed again',
      RECOVERY_MS,
    );

    // Stored once, whatever the retries; nothing acknowledged lost.
    const again = await a.c.request('chatSend', { clientMessageId: duringId, text: 'Pendant la coupure' });
    expect(again.message.id).toBe(stored!.id);
    const page1 = await a.c.request('chatHistory', { limit: 50 });
    const ids = page1.messages.map((m) => m.id);
    expect(ids).toContain(before.message.id);
    expect(page1.messages.filter((m) => m.clientMessageId === duringId)).toHaveLength(1);
    const httpAfter = await get(s, `/api/projects/${projectId}/presence`, leaToken);
    expect(httpAfter.status).toBe(200);

    // Nothing answered INTERNAL, nothing logged at error level.
    const errors = logLines.filter((l) => /"level":(50|60)/.test(l));
    expect(errors).toEqual([]);

    process.stdout.write(
      `[redis outage] /readyz not ready ${notReadyMs} ms after the kill; chatSend answered UNAVAILABLE in ${send.ms} ms, ` +
        `chatHistory in ${history.ms} ms; after the restart: chat stored again in ${chatBackMs} ms, ` +
        `delivered to others in ${deliveredMs} ms, presence back in ${presenceMs} ms, /readyz ready in ${readyMs} ms, meeting presence right ${meetingMs} ms later; ` +
        `a lost meeting claim made again in ${reclaimMs} ms\n`,
    );
    expect(chatBackMs).toBeLessThanOrEqual(RECOVERY_MS);
  }, 90_000);

  it('stops promptly with exit 0 on SIGTERM while Redis is down', async () => {
    if (!redis.running) await redis.restart();
    const s = await start();
    const projectId = `p-${rid()}`;
    await page(s, projectId, lea);
    // A meeting in progress: its room closes on the way out, and would write to Redis.
    await meeting(s, projectId, 'reunion', bruno);
    await meeting(s, projectId, 'reunion', chloe);
    await redis.kill();
    await until(async () => (await get(s, '/readyz')).status === 503, '/readyz 503', 5_000);

    const started = performance.now();
    s.child.kill('SIGTERM');
    // close-with-grace gives up (exit 1) after 10 s: the stop must end well before.
    const code = await within(s.exited, 9_000, 'the stop after SIGTERM');
    const stopMs = Math.round(performance.now() - started);
    server = undefined;
    process.stdout.write(`[redis outage] SIGTERM during the outage: exit ${code} after ${stopMs} ms\n`);
    expect(code).toBe(0);
  }, 60_000);
});
