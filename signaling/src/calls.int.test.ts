/**
 * Calls (ringing project members) against the real app, a real Redis, real
 * mediasoup workers and, for the multi-node cases, separate server processes
 * sharing one Redis.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../../test/app.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { startServerProcess } from '../../test/serverProcess.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { CALL_ROOM_PREFIX, CALLS_PER_MINUTE } from './projects/Calls.js';
import { ErrorCode, PROTOCOL_VERSION, type ChatMessage } from './protocol/index.js';

const rid = (): string => randomBytes(6).toString('base64url');
const RING_MS = 1_500;

const { app: t, clients } = useTestApp({ CALL_RING_MS: String(RING_MS) });

async function connect(
  url: string,
  projectId: string,
  who: { userId: string; displayName: string },
  roomId?: string,
) {
  const c = await TestClient.connect(url);
  clients.push(c);
  const token = await t.token({ projectId, ...who });
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId, ...(roomId ? { roomId } : {}) });
  return { c, hello };
}

const missedCalls = (messages: ChatMessage[]): ChatMessage[] => messages.filter((m) => m.kind === 'missed-call');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('calls', () => {
  it('rings every socket of the invitee; one accepts, the other stops with answered-elsewhere; both meet audio-only', async () => {
    const p = `call-${rid()}`;
    const lea = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' });
    const brunoPage = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    // Bruno's second device is in a meeting.
    const brunoMeeting = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' }, 'reunion');
    const other = await connect(t.url, p, { userId: 'zoe', displayName: 'Zoé' });

    const { call } = await lea.c.request('callStart', { userIds: ['bruno'] });
    expect(call).toMatchObject({ caller: { userId: 'lea', displayName: 'Léa' }, invitees: [{ userId: 'bruno', displayName: 'Bruno' }], audioOnly: true });
    expect(call.roomId).toBe(`${CALL_ROOM_PREFIX}${call.callId}`);

    const rang = await Promise.all([
      brunoPage.c.waitFor('incomingCall', (d) => d.call.callId === call.callId),
      brunoMeeting.c.waitFor('incomingCall', (d) => d.call.callId === call.callId),
    ]);
    expect(rang[0].call).toEqual(call);
    expect(rang[1].call).toEqual(call);

    const answered = await brunoMeeting.c.request('callAnswer', { callId: call.callId, accept: true });
    expect(answered.call).toEqual(call);
    expect(await brunoPage.c.waitFor('callEnded', (d) => d.callId === call.callId)).toEqual({ callId: call.callId, reason: 'answered-elsewhere' });
    expect(await lea.c.waitFor('callUpdate', (d) => d.callId === call.callId)).toEqual({
      callId: call.callId,
      userId: 'bruno',
      displayName: 'Bruno',
      answer: 'accepted',
    });

    // Both meet in the call's room, audio-only.
    const leaIn = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' }, call.roomId);
    const brunoIn = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' }, call.roomId);
    await leaIn.c.request('join', { rtpCapabilities: deviceRtpCapabilities(leaIn.hello.routerRtpCapabilities!), audioOnly: true });
    const joined = await brunoIn.c.request('join', { rtpCapabilities: deviceRtpCapabilities(brunoIn.hello.routerRtpCapabilities!), audioOnly: true });
    expect(joined.peers.map((peer) => peer.userId)).toContain('lea');
    // The caller's page in the call room learnt the answer given before it connected.
    expect(await leaIn.c.waitFor('callUpdate', (d) => d.callId === call.callId)).toMatchObject({ userId: 'bruno', answer: 'accepted' });

    // Past the ring time: nothing was missed, nothing posted; the answering socket was told nothing more.
    await sleep(RING_MS + 1_200);
    expect(missedCalls((await lea.c.request('chatHistory', {})).messages)).toEqual([]);
    expect(brunoMeeting.c.notificationsOf('callEnded')).toEqual([]);
    expect(lea.c.notificationsOf('callEnded')).toEqual([]);
    // Nobody else rang.
    expect(other.c.notificationsOf('incomingCall')).toEqual([]);
    expect(lea.c.notificationsOf('incomingCall')).toEqual([]);
    // The call is over: a late answer is refused.
    expect((await brunoPage.c.expectError(brunoPage.c.request('callAnswer', { callId: call.callId, accept: true }))).code).toBe(ErrorCode.NOT_FOUND);
  });

  it('tells the caller who declined, ends when everyone declined, and posts nothing to the chat', async () => {
    const p = `call-${rid()}`;
    const lea = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' });
    const bruno = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    const brunoPhone = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    const zoe = await connect(t.url, p, { userId: 'zoe', displayName: 'Zoé' });
    const { call } = await lea.c.request('callStart', { userIds: ['bruno', 'zoe', 'bruno'] });
    expect(call.invitees.map((i) => i.userId)).toEqual(['bruno', 'zoe']);
    await zoe.c.waitFor('incomingCall');
    await bruno.c.waitFor('incomingCall');

    await bruno.c.request('callAnswer', { callId: call.callId, accept: false });
    expect(await lea.c.waitFor('callUpdate')).toMatchObject({ userId: 'bruno', answer: 'declined' });
    // Bruno's other device stops ringing; Zoé still rings.
    expect(await brunoPhone.c.waitFor('callEnded')).toEqual({ callId: call.callId, reason: 'declined' });
    expect(lea.c.notificationsOf('callEnded')).toEqual([]);
    // Answering twice is refused.
    expect((await brunoPhone.c.expectError(brunoPhone.c.request('callAnswer', { callId: call.callId, accept: true }))).code).toBe(ErrorCode.NOT_FOUND);

    await zoe.c.request('callAnswer', { callId: call.callId, accept: false });
    expect(await lea.c.waitFor('callEnded')).toEqual({ callId: call.callId, reason: 'declined' });
    expect(lea.c.notificationsOf('callUpdate').map((u) => `${u.userId}:${u.answer}`)).toEqual(['bruno:declined', 'zoe:declined']);

    await sleep(RING_MS + 1_200);
    expect(missedCalls((await lea.c.request('chatHistory', {})).messages)).toEqual([]);
    expect(zoe.c.notificationsOf('callEnded')).toEqual([]);
  });

  it('rings out: the caller and the invitee are told, one missed-call message names who did not answer', async () => {
    const p = `call-${rid()}`;
    const lea = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' });
    const bruno = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    const zoe = await connect(t.url, p, { userId: 'zoe', displayName: 'Zoé' });
    const { call } = await lea.c.request('callStart', { userIds: ['bruno', 'zoe'] });
    await zoe.c.waitFor('incomingCall');
    await zoe.c.request('callAnswer', { callId: call.callId, accept: true });

    expect(await bruno.c.waitFor('callEnded', () => true, RING_MS + 5_000)).toEqual({ callId: call.callId, reason: 'missed' });
    expect(await lea.c.waitFor('callUpdate', (u) => u.answer === 'missed')).toMatchObject({ userId: 'bruno' });
    const message = await bruno.c.waitFor('chatMessage', (d) => d.message.kind === 'missed-call');
    expect(message.message).toMatchObject({
      author: { userId: 'lea', displayName: 'Léa' },
      call: { callId: call.callId, roomId: call.roomId, caller: { userId: 'lea' }, missed: [{ userId: 'bruno', displayName: 'Bruno' }] },
    });
    // Someone accepted: the call goes on, the caller is not told it ended.
    expect(lea.c.notificationsOf('callEnded')).toEqual([]);
    await sleep(1_500);
    expect(missedCalls((await lea.c.request('chatHistory', {})).messages)).toHaveLength(1);
  });

  it('tells a caller whom nobody answered that the call rang out', async () => {
    const p = `call-${rid()}`;
    const lea = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' });
    await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    const { call } = await lea.c.request('callStart', { userIds: ['bruno'] });
    expect(await lea.c.waitFor('callEnded', () => true, RING_MS + 5_000)).toEqual({ callId: call.callId, reason: 'missed' });
    // A page of Bruno's opened after the ringing does not ring.
    const late = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    await sleep(300);
    expect(late.c.notificationsOf('incomingCall')).toEqual([]);
  });

  it('rings a page the invitee opens while the call rings', async () => {
    const p = `call-${rid()}`;
    const lea = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' });
    const first = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    first.c.close();
    const { call } = await lea.c.request('callStart', { userIds: ['bruno'] });
    const opened = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    expect((await opened.c.waitFor('incomingCall')).call).toEqual(call);
    await opened.c.request('callAnswer', { callId: call.callId, accept: true });
  });

  it('cancels: invitees still ringing stop, the missed-call message lists them only', async () => {
    const p = `call-${rid()}`;
    const lea = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' });
    const leaPhone = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' });
    const bruno = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    const zoe = await connect(t.url, p, { userId: 'zoe', displayName: 'Zoé' });
    const { call } = await lea.c.request('callStart', { userIds: ['bruno', 'zoe'] });
    await zoe.c.waitFor('incomingCall');
    await zoe.c.request('callAnswer', { callId: call.callId, accept: false });

    // Only the caller may cancel.
    expect((await bruno.c.expectError(bruno.c.request('callCancel', { callId: call.callId }))).code).toBe(ErrorCode.FORBIDDEN);
    await lea.c.request('callCancel', { callId: call.callId });
    expect(await bruno.c.waitFor('callEnded')).toEqual({ callId: call.callId, reason: 'cancelled' });
    // The caller's other page drops it too.
    expect(await leaPhone.c.waitFor('callEnded')).toEqual({ callId: call.callId, reason: 'cancelled' });
    const { message } = await lea.c.waitFor('chatMessage', (d) => d.message.kind === 'missed-call');
    expect(message.call?.missed.map((m) => m.userId)).toEqual(['bruno']);
    // Cancelling again is harmless; nothing more is posted, and it never rings out.
    await lea.c.request('callCancel', { callId: call.callId });
    await sleep(RING_MS + 1_200);
    expect(missedCalls((await lea.c.request('chatHistory', {})).messages)).toHaveLength(1);
    expect(bruno.c.notificationsOf('callEnded')).toHaveLength(1);
    expect(zoe.c.notificationsOf('callEnded')).toEqual([]);
  });

  it('refuses bad calls with typed errors', async () => {
    const p = `call-${rid()}`;
    const lea = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' });
    const bruno = await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    const zoe = await connect(t.url, p, { userId: 'zoe', displayName: 'Zoé' });
    const code = async (type: string, data: unknown) => (await lea.c.expectError(lea.c.rawRequest(type, data))).code;

    expect(await code('callStart', { userIds: ['nobody-here'] })).toBe(ErrorCode.NOT_FOUND);
    expect(await code('callStart', { userIds: ['bruno', 'nobody-here'] })).toBe(ErrorCode.NOT_FOUND);
    expect(await code('callStart', { userIds: ['lea'] })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code('callStart', { userIds: ['bruno', 'lea'] })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code('callStart', { userIds: [] })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code('callStart', { userIds: Array.from({ length: 9 }, (_, i) => `u${i}`) })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code('callStart', { userIds: 'bruno' })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code('callStart', { userIds: ['bruno'], extra: 1 })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code('callAnswer', { callId: 'no such/id', accept: true })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code('callAnswer', { callId: 'nope', accept: 'yes' })).toBe(ErrorCode.BAD_REQUEST);
    expect(await code('callAnswer', { callId: 'nope', accept: true })).toBe(ErrorCode.NOT_FOUND);
    expect(await code('callCancel', { callId: 'nope' })).toBe(ErrorCode.NOT_FOUND);
    // A member of another project is unknown here.
    await connect(t.url, `other-${rid()}`, { userId: 'max', displayName: 'Max' });
    expect(await code('callStart', { userIds: ['max'] })).toBe(ErrorCode.NOT_FOUND);
    // Before hello.
    const fresh = await TestClient.connect(t.url);
    clients.push(fresh);
    expect((await fresh.expectError(fresh.request('callStart', { userIds: ['bruno'] }))).code).toBe(ErrorCode.HELLO_REQUIRED);

    // Someone not invited cannot answer.
    const { call } = await lea.c.request('callStart', { userIds: ['bruno'] });
    expect((await zoe.c.expectError(zoe.c.request('callAnswer', { callId: call.callId, accept: true }))).code).toBe(ErrorCode.NOT_FOUND);
    // No ringing storms: a few calls a minute per caller.
    for (let i = 1; i < CALLS_PER_MINUTE; i++) await lea.c.request('callStart', { userIds: ['bruno'] });
    expect(await code('callStart', { userIds: ['bruno'] })).toBe(ErrorCode.RATE_LIMITED);
    // ...which does not stop others from calling.
    await zoe.c.request('callStart', { userIds: ['bruno'] });
    expect(bruno.c.notificationsOf('incomingCall').length).toBeGreaterThanOrEqual(1);
  });

  it('lets exactly one of many concurrent ring-outs end a call', async () => {
    const p = `call-${rid()}`;
    const lea = await connect(t.url, p, { userId: 'lea', displayName: 'Léa' });
    await connect(t.url, p, { userId: 'bruno', displayName: 'Bruno' });
    // A second app on the same Redis and key prefix: another node.
    const second = await startTestApp({ CALL_RING_MS: '600000', REDIS_KEY_PREFIX: t.config.redisKeyPrefix });
    try {
      const { call } = await lea.c.request('callStart', { userIds: ['bruno'] });
      // Not yet rung out: nobody may end it.
      expect(await second.app.calls.ringOut(p, call.callId)).toBe(false);
      // Make its ring time past (as if the clock had run), then race both nodes.
      await t.app.redis.zAdd(t.app.keys.callsRinging(p), { score: 1, value: call.callId });
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? t.app : second.app).calls.ringOut(p, call.callId)),
      );
      // At most one (a sweep of the first node may even win before this race starts).
      expect(results.filter(Boolean).length).toBeLessThanOrEqual(1);
      await lea.c.waitFor('callEnded');
      await sleep(RING_MS + 1_200);
      expect(missedCalls((await lea.c.request('chatHistory', {})).messages)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe('calls across server processes', () => {
  it('rings an invitee on another process, and posts one missed-call message when two nodes race the ring-out', async () => {
    const prefix = `calls-${rid()}:`;
    const p = `call-${rid()}`;
    const env = { REDIS_KEY_PREFIX: prefix, CALL_RING_MS: '1500' };
    const [one, two] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      const lea = await connect(one.url, p, { userId: 'lea', displayName: 'Léa' });
      const bruno = await connect(two.url, p, { userId: 'bruno', displayName: 'Bruno' });
      const zoe = await connect(two.url, p, { userId: 'zoe', displayName: 'Zoé' });

      // Answered across processes.
      const first = await lea.c.request('callStart', { userIds: ['bruno'] });
      await bruno.c.waitFor('incomingCall', (d) => d.call.callId === first.call.callId);
      await bruno.c.request('callAnswer', { callId: first.call.callId, accept: true });
      expect(await lea.c.waitFor('callUpdate')).toMatchObject({ callId: first.call.callId, answer: 'accepted' });

      // Rung out: the placing node's timer and both nodes' sweeps all try.
      const second = await lea.c.request('callStart', { userIds: ['zoe'] });
      await zoe.c.waitFor('incomingCall');
      expect(await zoe.c.waitFor('callEnded', () => true, 6_000)).toEqual({ callId: second.call.callId, reason: 'missed' });
      await lea.c.waitFor('callEnded', (d) => d.callId === second.call.callId);
      await sleep(3_000);
      const missed = missedCalls((await bruno.c.request('chatHistory', {})).messages);
      expect(missed).toHaveLength(1);
      expect(missed[0]!.call).toMatchObject({ callId: second.call.callId, missed: [{ userId: 'zoe' }] });
      expect(zoe.c.notificationsOf('chatMessage').filter((n) => n.message.kind === 'missed-call')).toHaveLength(1);
    } finally {
      await Promise.all([one.kill(), two.kill()]);
    }
  });

  it('rings out a call whose node died (another node sweeps it)', async () => {
    const prefix = `calls-${rid()}:`;
    const p = `call-${rid()}`;
    const env = { REDIS_KEY_PREFIX: prefix, CALL_RING_MS: '1500' };
    const [one, two] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    try {
      const lea = await connect(one.url, p, { userId: 'lea', displayName: 'Léa' });
      const bruno = await connect(two.url, p, { userId: 'bruno', displayName: 'Bruno' });
      const { call } = await lea.c.request('callStart', { userIds: ['bruno'] });
      await bruno.c.waitFor('incomingCall');
      await one.kill('SIGKILL');
      expect(await bruno.c.waitFor('callEnded', () => true, 6_000)).toEqual({ callId: call.callId, reason: 'missed' });
      const { message } = await bruno.c.waitFor('chatMessage', (d) => d.message.kind === 'missed-call');
      expect(message.call?.callId).toBe(call.callId);
    } finally {
      await Promise.all([one.kill(), two.kill()]);
    }
  });
});
