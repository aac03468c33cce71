/**
 * Project chat, presence and meeting records against the real app, a real
 * Redis and, where a process must die, real server processes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { startServerProcess } from '../../test/serverProcess.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { ErrorCode, PROTOCOL_VERSION, type ChatMessage } from './protocol/index.js';

const cmid = (): string => randomBytes(9).toString('base64url');

const { app: t, clients } = useTestApp({ PRESENCE_TTL_MS: '3000' });

async function member(
  url: string,
  projectId: string,
  who: { userId: string; displayName: string; role?: 'owner' | 'member' | 'guest' },
  options: { roomId?: string; device?: 'desktop' | 'phone' } = {},
) {
  const c = await TestClient.connect(url);
  clients.push(c);
  const token = await t.token({ projectId, ...who });
  const hello = await c.request('hello', {
    protocol: PROTOCOL_VERSION,
    token,
    projectId,
    ...(options.roomId ? { roomId: options.roomId } : {}),
    ...(options.device ? { device: options.device } : {}),
  });
  return { c, hello, token };
}

async function http(url: string, path: string, token: string, init: RequestInit = {}) {
  const response = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('project chat', () => {
  it('acknowledges once stored, delivers live to every member, and stores a retried send once', async () => {
    const project = `chat-${cmid()}`;
    const lea = await member(t.url, project, { userId: 'lea', displayName: 'Léa' });
    const bruno = await member(t.url, project, { userId: 'bruno', displayName: 'Bruno' });
    const id = cmid();
    const { message } = await lea.c.request('chatSend', { clientMessageId: id, text: '  Béton coulé au R+1 <b>demain</b>  ' });
    expect(message).toMatchObject({ kind: 'text', text: 'Béton coulé au R+1 <b>demain</b>', author: { userId: 'lea' } });
    const seen = await bruno.c.waitFor('chatMessage', (d) => d.message.id === message.id);
    expect(seen.message).toEqual(message);
    // The sender's own sockets get it too (other tabs).
    await lea.c.waitFor('chatMessage', (d) => d.message.id === message.id);

    // A retry after a lost answer: same client id, same stored message, no second entry.
    const retry = await lea.c.request('chatSend', { clientMessageId: id, text: 'Béton coulé au R+1 <b>demain</b>' });
    expect(retry.message).toEqual(message);
    const history = await lea.c.request('chatHistory', {});
    expect(history.messages.filter((m) => m.clientMessageId === id)).toHaveLength(1);
    // Another author may reuse the same client id: it is a different message.
    const other = await bruno.c.request('chatSend', { clientMessageId: id, text: 'Bien reçu' });
    expect(other.message.id).not.toBe(message.id);
  });

  it('pages history newest first, over WebSocket and HTTP, and counts unread messages', async () => {
    const project = `page-${cmid()}`;
    const lea = await member(t.url, project, { userId: 'lea', displayName: 'Léa' });
    const sent: ChatMessage[] = [];
    for (let i = 0; i < 7; i++) sent.push((await lea.c.request('chatSend', { clientMessageId: cmid(), text: `m${i}` })).message);
    const first = await lea.c.request('chatHistory', { limit: 3 });
    expect(first.messages.map((m) => m.text)).toEqual(['m6', 'm5', 'm4']);
    expect(first.hasMore).toBe(true);
    const second = await lea.c.request('chatHistory', { limit: 10, before: first.messages[2]!.id });
    expect(second.messages.map((m) => m.text)).toEqual(['m3', 'm2', 'm1', 'm0']);
    expect(second.hasMore).toBe(false);

    const bruno = await member(t.url, project, { userId: 'bruno', displayName: 'Bruno' });
    expect(bruno.hello.unread).toBe(7);
    const page = await http(t.url, `/api/projects/${project}/chat?limit=2`, bruno.token);
    expect(page.status).toBe(200);
    expect((page.body.messages as ChatMessage[]).map((m) => m.text)).toEqual(['m6', 'm5']);
    expect(page.body.unread).toBe(7);
    expect((await bruno.c.request('chatMarkRead', { messageId: sent[4]!.id })).unread).toBe(2);
    // Never backwards.
    expect((await bruno.c.request('chatMarkRead', { messageId: sent[1]!.id })).unread).toBe(2);
    // One's own messages are not unread.
    expect(lea.hello.unread).toBe(0);
  });

  it('refuses empty, over-long, unattached-document and flooding messages with coded errors', async () => {
    const project = `bad-${cmid()}`;
    const lea = await member(t.url, project, { userId: 'lea', displayName: 'Léa' });
    const code = async (data: Record<string, unknown>) =>
      (await lea.c.expectError(lea.c.rawRequest('chatSend', data))).code;
    expect(await code({ clientMessageId: cmid(), text: '   ' })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code({ clientMessageId: cmid(), text: 'x'.repeat(4001) })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code({ clientMessageId: 'short', text: 'hi' })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code({ clientMessageId: cmid(), text: 'voir', documentId: 'nope' })).toBe(ErrorCode.NOT_FOUND);
    const burst = await Promise.all(
      Array.from({ length: 15 }, () =>
        lea.c.request('chatSend', { clientMessageId: cmid(), text: 'spam' }).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      ),
    );
    expect(burst.filter((r) => r === 'ok')).toHaveLength(10);
    expect(burst).toContain(ErrorCode.RATE_LIMITED);
  });

  it("keeps one project's chat and presence away from another project's members", async () => {
    const a = `a-${cmid()}`;
    const b = `b-${cmid()}`;
    const inA = await member(t.url, a, { userId: 'lea', displayName: 'Léa' });
    await inA.c.request('chatSend', { clientMessageId: cmid(), text: 'secret du projet A' });
    const inB = await member(t.url, b, { userId: 'eve', displayName: 'Ève' });
    const history = await inB.c.request('chatHistory', {});
    expect(history.messages).toEqual([]);
    expect(inB.c.presence.people.map((p) => p.userId)).toEqual(['eve']);
    for (const path of [`/api/projects/${a}/chat`, `/api/projects/${a}/presence`, `/api/projects/${a}`, `/api/projects/${a}/meetings`]) {
      const r = await http(t.url, path, inB.token);
      expect(r.status, path).toBe(403);
      expect((r.body.error as { code: string }).code).toBe(ErrorCode.FORBIDDEN);
    }
    expect((await http(t.url, `/api/projects/${a}/chat`, 'garbage')).status).toBe(401);
    expect(inB.c.notificationsOf('chatMessage')).toEqual([]);
  });
});

describe('chat across server processes', () => {
  it('delivers a message sent through one process to a client of another, and keeps it after a SIGKILL', async () => {
    const prefix = `proc-${cmid()}:`;
    const project = `multi-${cmid()}`;
    const one = await startServerProcess({ REDIS_KEY_PREFIX: prefix });
    const two = await startServerProcess({ REDIS_KEY_PREFIX: prefix });
    try {
      const onOne = await member(one.url, project, { userId: 'lea', displayName: 'Léa' });
      const onTwo = await member(two.url, project, { userId: 'bruno', displayName: 'Bruno' });
      const { message } = await onOne.c.request('chatSend', { clientMessageId: cmid(), text: 'Livraison à 8 h' });
      await onTwo.c.waitFor('chatMessage', (d) => d.message.id === message.id);
      // Presence crosses processes too.
      await onTwo.c.waitForPeople((online) => online.some((p) => p.userId === 'lea'));

      // Acknowledged, then the process dies at once: the message must survive.
      const acked = await onOne.c.request('chatSend', { clientMessageId: cmid(), text: 'Dernier message avant la panne' });
      await one.kill('SIGKILL');
      const three = await startServerProcess({ REDIS_KEY_PREFIX: prefix });
      try {
        const after = await member(three.url, project, { userId: 'lea', displayName: 'Léa' });
        const history = await after.c.request('chatHistory', {});
        expect(history.messages.map((m) => m.id)).toEqual([acked.message.id, message.id]);
        // And Léa's connection on the dead process leaves presence within the TTL.
        await onTwo.c.waitForPeople(
          (online) => online.filter((p) => p.userId === 'lea').length === 1 && online.length === 2,
          10_000,
        );
      } finally {
        await three.kill();
      }
    } finally {
      await one.kill();
      await two.kill();
    }
  });

  it('keeps the history across a graceful restart of the only server', async () => {
    const prefix = `restart-${cmid()}:`;
    const project = `restart-${cmid()}`;
    const first = await startServerProcess({ REDIS_KEY_PREFIX: prefix });
    const c = await member(first.url, project, { userId: 'lea', displayName: 'Léa' });
    const { message } = await c.c.request('chatSend', { clientMessageId: cmid(), text: 'Avant redémarrage' });
    await first.kill('SIGTERM');
    const second = await startServerProcess({ REDIS_KEY_PREFIX: prefix });
    try {
      const d = await member(second.url, project, { userId: 'lea', displayName: 'Léa' });
      expect((await d.c.request('chatHistory', {})).messages).toEqual([message]);
    } finally {
      await second.kill();
    }
  });
});

describe('presence', () => {
  it('folds a user’s tabs and devices into one entry, and shows who is in a meeting', async () => {
    const project = `pres-${cmid()}`;
    const watcher = await member(t.url, project, { userId: 'chef', displayName: 'Chef' });
    const tab1 = await member(t.url, project, { userId: 'lea', displayName: 'Léa' });
    await member(t.url, project, { userId: 'lea', displayName: 'Léa' }, { device: 'phone' });
    const online = await watcher.c.waitForPeople((people) => {
      const lea = people.find((p) => p.userId === 'lea');
      return !!lea && lea.devices.length === 2;
    });
    expect(online.filter((p) => p.userId === 'lea')).toHaveLength(1);
    expect(online.find((p) => p.userId === 'lea')!.devices.sort()).toEqual(['desktop', 'phone']);

    const inRoom = await member(t.url, project, { userId: 'bruno', displayName: 'Bruno' }, { roomId: 'reunion' });
    await inRoom.c.request('join', { rtpCapabilities: deviceRtpCapabilities(inRoom.hello.routerRtpCapabilities!) });
    await watcher.c.waitForPeople((online) => online.some((p) => p.userId === 'bruno' && p.rooms.includes('reunion')));

    tab1.c.close();
    await watcher.c.waitForPeople((online) => {
      const lea = online.find((p) => p.userId === 'lea');
      return !!lea && lea.devices.length === 1 && lea.devices[0] === 'phone';
    });
  });

  it('drops a client that vanished without closing (no pong) and one whose process was killed, within the TTL', async () => {
    const project = `gone-${cmid()}`;
    const watcher = await member(t.url, project, { userId: 'chef', displayName: 'Chef' });
    const start = async (userId: string) => {
      const token = await t.token({ projectId: project, userId, displayName: userId });
      const child = spawn(process.execPath, ['test/fixtures/idleClient.mjs', t.url, token, project], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).on('line', (line) => (line === 'ready' ? resolve() : reject(new Error(line))));
      });
      return child;
    };
    const frozen = await start('phone-in-a-tunnel');
    const killed = await start('crashed-tab');
    await watcher.c.waitForPeople((online) => online.length === 3);
    try {
      frozen.kill('SIGSTOP');
      killed.kill('SIGKILL');
      // Gone within the TTL (PRESENCE_TTL_MS is 3 s here, 30 s by default), with some slack.
      await watcher.c.waitForPeople((online) => online.map((p) => p.userId).join() === 'chef', 3000 + 1500);
    } finally {
      frozen.kill('SIGKILL');
    }
  });
});

describe('meetings in the project', () => {
  it('records who started, who came and how long, as chat messages and as a record', async () => {
    const project = `meet-${cmid()}`;
    const watcher = await member(t.url, project, { userId: 'chef', displayName: 'Chef' });
    const a = await member(t.url, project, { userId: 'lea', displayName: 'Léa' }, { roomId: 'reunion' });
    await a.c.request('join', { rtpCapabilities: deviceRtpCapabilities(a.hello.routerRtpCapabilities!) });
    const started = await watcher.c.waitFor('chatMessage', (d) => d.message.kind === 'meeting-started');
    expect(started.message.author.displayName).toBe('Léa');
    const b = await member(t.url, project, { userId: 'bruno', displayName: 'Bruno' }, { roomId: 'reunion' });
    await b.c.request('join', { rtpCapabilities: deviceRtpCapabilities(b.hello.routerRtpCapabilities!) });
    // A message sent from the meeting carries its id.
    const during = await b.c.request('chatSend', { clientMessageId: cmid(), text: 'Je partage le plan' });
    expect(during.message.meetingId).toBe(started.message.meetingId);
    const current = await http(t.url, `/api/projects/${project}/meetings/reunion/current`, watcher.token);
    expect((current.body.participants as unknown[]).length).toBe(2);

    await a.c.request('leave', {});
    await b.c.request('leave', {});
    const ended = await watcher.c.waitFor('chatMessage', (d) => d.message.kind === 'meeting-ended');
    expect(ended.message.meetingId).toBe(started.message.meetingId);
    expect(ended.message.meeting!.attendees.map((p) => p.displayName)).toEqual(['Léa', 'Bruno']);
    expect(ended.message.meeting!.durationMs).toBeGreaterThanOrEqual(0);
    const records = await http(t.url, `/api/projects/${project}/meetings`, watcher.token);
    expect((records.body.meetings as Array<{ meetingId: string }>)[0]!.meetingId).toBe(started.message.meetingId);
  });
});

describe('projects over HTTP', () => {
  it('lets an owner create the project, an owner add members, and refuses members and guests', async () => {
    const project = `proj-${cmid()}`;
    const owner = await t.token({ projectId: project, role: 'owner', userId: 'o1', displayName: 'Odile' });
    const memberToken = await t.token({ projectId: project, role: 'member', userId: 'm1', displayName: 'Marc' });
    const body = JSON.stringify({ id: project, name: 'Groupe scolaire Lyon 7' });
    expect((await http(t.url, '/api/projects', memberToken, { method: 'POST', body })).status).toBe(403);
    const created = await http(t.url, '/api/projects', owner, { method: 'POST', body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: project, name: 'Groupe scolaire Lyon 7' });
    expect((await http(t.url, '/api/projects', owner, { method: 'POST', body })).status).toBe(409);
    const put = (token: string) =>
      http(t.url, `/api/projects/${project}/members/g1`, token, {
        method: 'PUT',
        body: JSON.stringify({ displayName: 'Gaston (électricien)', role: 'guest' }),
      });
    expect((await put(memberToken)).status).toBe(403);
    expect((await put(owner)).status).toBe(204);
    const got = await http(t.url, `/api/projects/${project}`, memberToken);
    expect((got.body.members as Array<{ userId: string }>).map((m) => m.userId).sort()).toEqual(['g1', 'o1']);
    expect((await http(t.url, '/api/projects', owner, { method: 'POST', body: '{"id":"../x","name":"y"}' })).status).toBe(400);
  });
});
