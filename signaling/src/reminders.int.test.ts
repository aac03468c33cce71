/**
 * Reminders of planned meetings with two nodes on one Redis (two real apps
 * sharing a key prefix, each with its own reminder loop): each invitee's
 * page gets exactly one reminder before the start and exactly one ring at
 * it, whichever node their socket is on; one already in the meeting's room
 * is reminded but not rung; the ring's "Rejoindre" leads to the meeting's room.
 *
 * Plans are to the minute, so the meeting starts at the next minute
 * boundary (up to a minute of waiting); REMINDER_LEAD_MS is two minutes so
 * that the reminder is due as soon as the meeting is planned.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { utcToWallClock } from './planning/recurrence.js';
import { PROTOCOL_VERSION, type MeetingPlan } from './protocol/index.js';

let a: TestApp;
let b: TestApp;
const clients: TestClient[] = [];

beforeAll(async () => {
  const env = {
    REDIS_KEY_PREFIX: `test:reminders-${randomBytes(4).toString('hex')}:`,
    REMINDER_LEAD_MS: '120000',
    REMINDER_TICK_MS: '100',
  };
  [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([a?.close(), b?.close()]);
});

/** Polls a condition that no message announces (the other node's rounds). */
async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('reminders with two nodes on one Redis', () => {
  it('each invitee gets one reminder and one ring, never two; one already in the room is not rung', { timeout: 120_000 }, async () => {
    const projectId = `rem-${randomBytes(4).toString('hex')}`;
    const owner = await a.token({ projectId, role: 'owner', userId: 'lea', displayName: 'Léa Martin' });
    for (const [userId, displayName] of [['bruno', 'Bruno Petit'], ['chloe', 'Chloé Durand'], ['marc', 'Marc Roux']]) {
      const r = await fetch(`${a.url}/api/projects/${projectId}/members/${userId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
        body: JSON.stringify({ displayName, role: 'member' }),
      });
      expect(r.status).toBe(204);
    }
    // Bruno's page is on node a, Chloé's on node b.
    const pages: Record<string, TestClient> = {};
    for (const [userId, app] of [['bruno', a], ['chloe', b]] as const) {
      const c = await TestClient.connect(app.url);
      clients.push(c);
      await c.request('hello', { protocol: PROTOCOL_VERSION, token: await app.token({ projectId, userId, role: 'member' }), projectId });
      pages[userId] = c;
    }
    // Marc is in the meeting's room already, early: reminded, but not rung.
    const marc = await TestClient.connect(a.url);
    clients.push(marc);
    const hello = await marc.request('hello', { protocol: PROTOCOL_VERSION, token: await a.token({ projectId, userId: 'marc', role: 'member' }), projectId, roomId: 'reunion' });
    await marc.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });

    // The next minute boundary at least 5 s away, in the project's zone.
    const start = Math.ceil((Date.now() + 5_000) / 60_000) * 60_000;
    const { date, time } = utcToWallClock(start, 'Europe/Paris');
    const r = await fetch(`${b.url}/api/projects/${projectId}/meetings/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Réunion de chantier', roomId: 'reunion', date, time, durationMin: 30, invitees: ['bruno', 'chloe', 'marc'], guests: [], recurrence: { frequency: 'once' } }),
    });
    expect(r.status).toBe(201);
    const { plan } = (await r.json()) as { plan: MeetingPlan };

    const ofPlan = (c: TestClient) => ({
      reminders: c.notificationsOf('meetingReminder').filter((d) => d.occurrence.planId === plan.planId),
      rings: c.notificationsOf('incomingCall').filter((d) => d.call.plan?.planId === plan.planId),
    });
    for (const c of [...Object.values(pages), marc]) {
      const reminder = await c.waitFor('meetingReminder', (d) => d.occurrence.planId === plan.planId, 10_000);
      expect(reminder.occurrence).toMatchObject({ occurrenceId: date, start, roomId: 'reunion', title: 'Réunion de chantier' });
    }
    for (const c of Object.values(pages)) {
      const { call } = await c.waitFor('incomingCall', (d) => d.call.plan?.planId === plan.planId, 75_000);
      expect(call).toMatchObject({ roomId: 'reunion', audioOnly: false, caller: { userId: 'lea' }, plan: { planId: plan.planId, occurrenceId: date } });
    }
    // Both nodes have looked again several times since: nothing more was sent.
    const [ra, rb] = [a.app.reminders.rounds, b.app.reminders.rounds];
    await eventually(() => a.app.reminders.rounds >= ra + 3 && b.app.reminders.rounds >= rb + 3, 'three more rounds on each node');
    for (const [userId, c] of Object.entries(pages)) {
      const got = ofPlan(c);
      expect(got.reminders, `${userId}'s reminders`).toHaveLength(1);
      expect(got.rings, `${userId}'s rings`).toHaveLength(1);
      expect(c.violations).toEqual([]);
    }
    expect(ofPlan(marc).reminders).toHaveLength(1);
    expect(ofPlan(marc).rings).toHaveLength(0);
    expect(marc.violations).toEqual([]);

    // "Rejoindre": answering the ring leads to the meeting's room.
    const callId = ofPlan(pages.bruno!).rings[0]!.call.callId;
    const answered = await pages.bruno!.request('callAnswer', { callId, accept: true });
    expect(answered.call.roomId).toBe('reunion');
  });
});
