/**
 * Planned meetings against the real app and a real Redis: plan, edit, move,
 * skip, cancel and list over HTTP; the project's pages told; the .ics and
 * the calendar feed read back by a real iCalendar parser (ical.js, Mozilla's);
 * a revoked feed refused; bad input refused with its code and nothing
 * stored; feed secrets kept out of the logs.
 */
import { randomBytes } from 'node:crypto';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { startLoggedTestApp, type TestApp } from '../../test/app.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { ErrorCode, PROTOCOL_VERSION, type MeetingPlan, type PlansReply, type Role } from './protocol/index.js';

const rid = (): string => randomBytes(5).toString('hex');

const { app: t, clients } = useTestApp();

interface Project {
  id: string;
  owner: string;
  member: string;
  moderator: string;
}

/** A project with an owner, a moderator and two members (Bruno, Chloé) on record. */
async function project(app: TestApp = t): Promise<Project> {
  const id = `plan-${rid()}`;
  const owner = await app.token({ projectId: id, role: 'owner', userId: 'lea', displayName: 'Léa Martin' });
  for (const [userId, displayName, role] of [
    ['bruno', 'Bruno Petit', 'member'],
    ['chloe', 'Chloé Durand', 'member'],
    ['marc', 'Marc Roux', 'moderator'],
  ] as const) {
    const r = await fetch(`${app.url}/api/projects/${id}/members/${userId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName, role }),
    });
    expect(r.status).toBe(204);
  }
  return {
    id,
    owner,
    member: await app.token({ projectId: id, role: 'member', userId: 'bruno', displayName: 'Bruno Petit' }),
    moderator: await app.token({ projectId: id, role: 'moderator', userId: 'marc', displayName: 'Marc Roux' }),
  };
}

async function api(method: string, path: string, token: string | undefined, body?: unknown, app: TestApp = t): Promise<{ status: number; json: any; text: string; type: string | null }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${app.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, text, type: r.headers.get('content-type') };
}

/** A Tuesday far enough ahead (whatever today is) that every occurrence is in the future. */
const FIRST = '2027-03-16';
const weekly = {
  title: 'Réunion de chantier — Lot 02 Charpente',
  description: 'Ordre du jour : avancement, points en suspens.',
  roomId: 'reunion',
  date: FIRST,
  time: '09:00',
  durationMin: 90,
  invitees: ['bruno', 'chloe'],
  guests: [{ name: 'Élodie Bureau d’études', email: 'elodie@bet.example' }],
  recurrence: { frequency: 'weekly', interval: 1, until: '2027-11-09' },
};

async function projectSocket(p: Project, token: string): Promise<TestClient> {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: p.id });
  return c;
}

// ------------------------------------------------------------ iCalendar
interface ParsedCalendar {
  method: string | null;
  events: ICAL.Event[];
  master: ICAL.Event;
}

/** Parses with ical.js, registering the file's own VTIMEZONEs (not the parser's built-ins). */
function parse(ics: string): ParsedCalendar {
  const root = new ICAL.Component(ICAL.parse(ics));
  for (const vtimezone of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtimezone);
  const events = root.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  const master = events.find((e) => !e.isRecurrenceException());
  if (!master) throw new Error('no master VEVENT');
  for (const e of events) if (e.isRecurrenceException()) master.relateException(e);
  return { method: (root.getFirstPropertyValue('method') as string | null) ?? null, events, master };
}

/** The first `n` occurrences' UTC starts, exceptions applied, as ISO strings. */
function expand(master: ICAL.Event, n: number): string[] {
  const starts: string[] = [];
  const it = master.iterator();
  for (let next = it.next(); next && starts.length < n; next = it.next()) {
    starts.push(master.getOccurrenceDetails(next).startDate.toJSDate().toISOString());
  }
  return starts;
}

describe('planning, editing, cancelling', () => {
  it('an owner plans a weekly series; members list it; invitees are told; the chat has a line', async () => {
    const p = await project();
    const bruno = await projectSocket(p, p.member);
    const created = await api('POST', `/api/projects/${p.id}/meetings/plans`, p.owner, weekly);
    expect(created.status, created.text).toBe(201);
    const plan = created.json.plan as MeetingPlan;
    expect(plan).toMatchObject({
      title: weekly.title,
      roomId: 'reunion',
      timeZone: 'Europe/Paris',
      sequence: 0,
      invitees: [
        { userId: 'bruno', displayName: 'Bruno Petit' },
        { userId: 'chloe', displayName: 'Chloé Durand' },
      ],
      createdBy: { userId: 'lea', displayName: 'Léa Martin' },
    });
    const told = await bruno.waitFor('meetingPlanChanged', (d) => d.plan.planId === plan.planId);
    expect(told).toMatchObject({ plan: { change: 'planned', invitees: ['bruno', 'chloe'], next: Date.parse('2027-03-16T08:00:00Z') }, by: { userId: 'lea' } });
    const line = await bruno.waitFor('chatMessage', (d) => d.message.kind === 'meeting-planned');
    expect(line.message.plan).toMatchObject({ planId: plan.planId, change: 'planned' });

    const listed = await api('GET', `/api/projects/${p.id}/meetings/plans`, p.member);
    expect(listed.status).toBe(200);
    const reply = listed.json as PlansReply;
    expect(reply.timeZone).toBe('Europe/Paris');
    expect(reply.plans.map((x) => x.planId)).toEqual([plan.planId]);
    expect(reply.upcoming[0]).toMatchObject({ planId: plan.planId, occurrenceId: FIRST, start: Date.parse('2027-03-16T08:00:00Z') });
  });

  it('editing raises the sequence and tells the project; a moved and a skipped occurrence show in the list; cancelling hides it', async () => {
    const p = await project();
    const bruno = await projectSocket(p, p.member);
    const plan = (await api('POST', `/api/projects/${p.id}/meetings/plans`, p.owner, weekly)).json.plan as MeetingPlan;

    // A moderator changes the hour: 9 h 30 from now on.
    const edited = await api('PATCH', `/api/projects/${p.id}/meetings/plans/${plan.planId}`, p.moderator, { time: '09:30', invitees: ['bruno'] });
    expect(edited.status).toBe(200);
    expect(edited.json.plan).toMatchObject({ time: '09:30', sequence: 1, invitees: [{ userId: 'bruno' }] });
    await bruno.waitFor('meetingPlanChanged', (d) => d.plan.change === 'updated' && d.by.userId === 'marc');

    const skipped = await api('PUT', `/api/projects/${p.id}/meetings/plans/${plan.planId}/occurrences/2027-03-23`, p.owner, { status: 'skipped' });
    expect(skipped.json.plan.sequence).toBe(2);
    const moved = await api('PUT', `/api/projects/${p.id}/meetings/plans/${plan.planId}/occurrences/2027-03-30`, p.owner, { status: 'moved', date: '2027-03-31', time: '14:00' });
    expect(moved.status).toBe(200);
    expect(moved.json.plan.sequence).toBe(3);
    await bruno.waitFor('meetingPlanChanged', (d) => d.plan.change === 'occurrence');

    const { upcoming } = (await api('GET', `/api/projects/${p.id}/meetings/plans?days=366`, p.member)).json as PlansReply;
    expect(upcoming.slice(0, 3).map((o) => [o.occurrenceId, new Date(o.start).toISOString(), o.moved])).toEqual([
      ['2027-03-16', '2027-03-16T08:30:00.000Z', false],
      ['2027-03-30', '2027-03-31T12:00:00.000Z', true],
      ['2027-04-06', '2027-04-06T07:30:00.000Z', false],
    ]);

    // Members neither plan nor edit.
    expect((await api('PATCH', `/api/projects/${p.id}/meetings/plans/${plan.planId}`, p.member, { title: 'x' })).json.error.code).toBe('FORBIDDEN');

    const cancelled = await api('DELETE', `/api/projects/${p.id}/meetings/plans/${plan.planId}`, p.owner);
    expect(cancelled.status).toBe(204);
    await bruno.waitFor('meetingPlanChanged', (d) => d.plan.change === 'cancelled');
    const after = (await api('GET', `/api/projects/${p.id}/meetings/plans`, p.member)).json as PlansReply;
    expect(after.plans).toEqual([]);
    expect(after.upcoming).toEqual([]);
    // A cancelled plan is not edited any more.
    expect((await api('PATCH', `/api/projects/${p.id}/meetings/plans/${plan.planId}`, p.owner, { title: 'x' })).json.error.code).toBe('NOT_FOUND');
  });

  it('two moderators editing at once: both edits kept, each with its own sequence number', async () => {
    const p = await project();
    const plan = (await api('POST', `/api/projects/${p.id}/meetings/plans`, p.owner, weekly)).json.plan as MeetingPlan;
    const [a, b] = await Promise.all([
      api('PATCH', `/api/projects/${p.id}/meetings/plans/${plan.planId}`, p.owner, { title: 'Réunion OPC' }),
      api('PATCH', `/api/projects/${p.id}/meetings/plans/${plan.planId}`, p.moderator, { durationMin: 60 }),
    ]);
    expect([a.json.plan.sequence, b.json.plan.sequence].sort()).toEqual([1, 2]);
    const { plans } = (await api('GET', `/api/projects/${p.id}/meetings/plans`, p.member)).json as PlansReply;
    expect(plans[0]).toMatchObject({ title: 'Réunion OPC', durationMin: 60, sequence: 2 });
  });
});

describe('calendars', () => {
  it('the .ics is RFC 5545 as a parser reads it: TZID + VTIMEZONE, RRULE, EXDATE, RECURRENCE-ID, stable UID, rising SEQUENCE, the link; METHOD:CANCEL once cancelled', async () => {
    const p = await project();
    const plan = (await api('POST', `/api/projects/${p.id}/meetings/plans`, p.owner, weekly)).json.plan as MeetingPlan;
    const icsPath = `/api/projects/${p.id}/meetings/plans/${plan.planId}/calendar.ics`;

    const first = await api('GET', icsPath, p.member);
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^text\/calendar/);
    const v0 = parse(first.text);
    expect(v0.method).toBe('PUBLISH');
    expect(v0.master.summary).toBe(weekly.title);
    expect(v0.master.sequence).toBe(0);
    expect(v0.master.startDate.zone?.tzid).toBe('Europe/Paris');
    expect(first.text).toMatch(/BEGIN:VTIMEZONE\r\nTZID:Europe\/Paris/);
    expect(v0.master.component.getFirstPropertyValue('url')).toBe(`${t.config.publicUrl}/p/${p.id}/r/reunion?plan=${plan.planId}`);
    expect(v0.master.attendees.map((a) => String(a.getFirstValue()).toLowerCase())).toEqual(['mailto:elodie@bet.example']);
    const uid = v0.master.uid;

    await api('PUT', `/api/projects/${p.id}/meetings/plans/${plan.planId}/occurrences/2027-03-23`, p.owner, { status: 'skipped' });
    await api('PUT', `/api/projects/${p.id}/meetings/plans/${plan.planId}/occurrences/2027-03-30`, p.owner, { status: 'moved', date: '2027-03-31', time: '14:00' });
    await api('PUT', `/api/projects/${p.id}/meetings/plans/${plan.planId}/occurrences/2027-10-26`, p.owner, { status: 'moved', date: '2027-10-25', time: '09:00' });
    const v3 = parse((await api('GET', icsPath, p.member)).text);
    expect(v3.master.uid).toBe(uid);
    expect(v3.master.sequence).toBe(3);
    expect(v3.events.filter((e) => e.isRecurrenceException())).toHaveLength(2);
    // The parser's expansion, across both daylight-saving changes, with the skip and the moves.
    const starts = expand(v3.master, 40);
    expect(starts.slice(0, 3)).toEqual(['2027-03-16T08:00:00.000Z', '2027-03-31T12:00:00.000Z', '2027-04-06T07:00:00.000Z']);
    expect(starts).not.toContain('2027-03-23T08:00:00.000Z');
    expect(starts.slice(-4)).toEqual(['2027-10-19T07:00:00.000Z', '2027-10-25T07:00:00.000Z', '2027-11-02T08:00:00.000Z', '2027-11-09T08:00:00.000Z']);

    expect((await api('DELETE', `/api/projects/${p.id}/meetings/plans/${plan.planId}`, p.owner)).status).toBe(204);
    const gone = parse((await api('GET', icsPath, p.member)).text);
    expect(gone.method).toBe('CANCEL');
    expect(gone.master.uid).toBe(uid);
    expect(gone.master.sequence).toBe(4);
    expect(gone.master.component.getFirstPropertyValue('status')).toBe('CANCELLED');
  });

  it('a person\'s feed URL works without a token, lists their meetings, and stops working when revoked or replaced', async () => {
    const p = await project();
    const mine = (await api('POST', `/api/projects/${p.id}/meetings/plans`, p.owner, weekly)).json.plan as MeetingPlan;
    const notMine = (await api('POST', `/api/projects/${p.id}/meetings/plans`, p.owner, { ...weekly, title: 'Réunion MOA', invitees: ['chloe'], recurrence: { frequency: 'once' } })).json.plan as MeetingPlan;
    const made = await api('POST', `/api/projects/${p.id}/meetings/feed`, p.member);
    expect(made.status).toBe(201);
    const url = made.json.url as string;
    expect(url).toMatch(new RegExp(`^${t.config.publicUrl}/api/calendar/[A-Za-z0-9_-]{40,}\\.ics$`));
    const path = url.slice(t.config.publicUrl.length);

    const feed = await api('GET', path, undefined);
    expect(feed.status).toBe(200);
    const parsed = parse(feed.text);
    expect(parsed.method).toBe('PUBLISH');
    expect(parsed.events.map((e) => e.summary)).toEqual([mine.title]);
    expect(parsed.events.map((e) => e.summary)).not.toContain(notMine.title);

    // A new URL replaces the old one.
    const again = await api('POST', `/api/projects/${p.id}/meetings/feed`, p.member);
    const old = await api('GET', path, undefined);
    expect(old.status).toBe(404);
    expect(old.json.error.code).toBe('NOT_FOUND');
    const newPath = (again.json.url as string).slice(t.config.publicUrl.length);
    expect((await api('GET', newPath, undefined)).status).toBe(200);

    expect((await api('DELETE', `/api/projects/${p.id}/meetings/feed`, p.member)).status).toBe(204);
    const revoked = await api('GET', newPath, undefined);
    expect(revoked.status).toBe(404);
    expect(revoked.json).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    // A guessed secret gets the same answer.
    expect((await api('GET', `/api/calendar/${randomBytes(32).toString('base64url')}.ics`, undefined)).status).toBe(404);
  });

  it('writes no feed secret in any log line at trace level', async () => {
    const logged = await startLoggedTestApp();
    let secret = '';
    try {
      const token = await logged.token({ userId: 'u', displayName: 'U', projectId: 'logs', role: 'member' });
      const made = await fetch(`${logged.url}/api/projects/logs/meetings/feed`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      const feedUrl = ((await made.json()) as { url: string }).url;
      secret = feedUrl.split('/').pop()!.replace(/\.ics$/, '');
      expect((await fetch(`${logged.url}/api/calendar/${secret}.ics`)).status).toBe(200);
    } finally {
      await logged.close();
    }
    expect(logged.log()).toContain('/api/calendar/[redacted]');
    expect(logged.log()).not.toContain(secret);
  });
});

describe('bad input: a coded error, and nothing stored', () => {
  it('refuses each with its code and keeps the project as it was', async () => {
    const p = await project();
    const good = (await api('POST', `/api/projects/${p.id}/meetings/plans`, p.owner, weekly)).json.plan as MeetingPlan;
    const before = (await api('GET', `/api/projects/${p.id}/meetings/plans`, p.owner)).json as PlansReply;
    const plans = `/api/projects/${p.id}/meetings/plans`;
    const cases: Array<[string, string, string, unknown, number, string]> = [
      ['a date in the past', 'POST', plans, { ...weekly, date: '2020-01-07' }, 400, ErrorCode.MEETING_IN_PAST],
      ['a date that does not exist', 'POST', plans, { ...weekly, date: '2027-02-30' }, 400, ErrorCode.BAD_REQUEST],
      ['a zero duration', 'POST', plans, { ...weekly, durationMin: 0 }, 400, ErrorCode.BAD_REQUEST],
      ['an absurd duration', 'POST', plans, { ...weekly, durationMin: 100_000 }, 400, ErrorCode.BAD_REQUEST],
      ['an unknown member', 'POST', plans, { ...weekly, invitees: ['bruno', 'personne'] }, 400, ErrorCode.UNKNOWN_INVITEE],
      ['too many invitees', 'POST', plans, { ...weekly, invitees: Array.from({ length: 101 }, (_, i) => `u${i}`) }, 400, ErrorCode.BAD_REQUEST],
      ['too many guests', 'POST', plans, { ...weekly, guests: Array.from({ length: 51 }, (_, i) => ({ name: `G${i}`, email: `g${i}@x.fr` })) }, 400, ErrorCode.BAD_REQUEST],
      ['an oversize title', 'POST', plans, { ...weekly, title: 'é'.repeat(201) }, 400, ErrorCode.BAD_REQUEST],
      ['an oversize description', 'POST', plans, { ...weekly, description: 'x'.repeat(2001) }, 400, ErrorCode.BAD_REQUEST],
      ['a guest without an e-mail', 'POST', plans, { ...weekly, guests: [{ name: 'Sans courriel', email: 'pas-un-courriel' }] }, 400, ErrorCode.BAD_REQUEST],
      ['a fortnight of three weeks', 'POST', plans, { ...weekly, recurrence: { frequency: 'weekly', interval: 3 } }, 400, ErrorCode.BAD_REQUEST],
      ['a series that ends before it starts', 'POST', plans, { ...weekly, recurrence: { frequency: 'weekly', interval: 1, until: '2027-01-01' } }, 400, ErrorCode.BAD_REQUEST],
      ['an edit into the past', 'PATCH', `${plans}/${good.planId}`, { date: '2021-03-16' }, 400, ErrorCode.MEETING_IN_PAST],
      ['an edit with an unknown member', 'PATCH', `${plans}/${good.planId}`, { invitees: ['personne'] }, 400, ErrorCode.UNKNOWN_INVITEE],
      ['an empty edit', 'PATCH', `${plans}/${good.planId}`, {}, 400, ErrorCode.BAD_REQUEST],
      ['an occurrence moved into the past', 'PUT', `${plans}/${good.planId}/occurrences/2027-03-23`, { status: 'moved', date: '2021-01-01', time: '09:00' }, 400, ErrorCode.MEETING_IN_PAST],
      ['an occurrence not in the series', 'PUT', `${plans}/${good.planId}/occurrences/2027-03-24`, { status: 'skipped' }, 404, ErrorCode.NOT_FOUND],
      ['an unknown plan', 'PATCH', `${plans}/nope`, { title: 'x' }, 404, ErrorCode.NOT_FOUND],
      ['an unknown time zone', 'PUT', `/api/projects/${p.id}/meetings/settings`, { timeZone: 'Europe/Lutece' }, 400, ErrorCode.UNKNOWN_TIME_ZONE],
    ];
    const wrong: string[] = [];
    for (const [what, method, path, body, status, code] of cases) {
      const r = await api(method, path, p.owner, body);
      if (r.status !== status || r.json?.error?.code !== code) wrong.push(`${what}: got ${r.status} ${r.json?.error?.code}, want ${status} ${code}`);
    }
    expect(wrong).toEqual([]);
    const after = (await api('GET', `/api/projects/${p.id}/meetings/plans`, p.owner)).json as PlansReply;
    expect(after).toEqual(before);
  });

  it('a project in another zone reads its dates there; the zone is the owners\' to set', async () => {
    const p = await project();
    expect((await api('PUT', `/api/projects/${p.id}/meetings/settings`, p.moderator, { timeZone: 'America/Guadeloupe' })).status).toBe(403);
    expect((await api('PUT', `/api/projects/${p.id}/meetings/settings`, p.owner, { timeZone: 'America/Guadeloupe' })).status).toBe(204);
    const plan = (await api('POST', `/api/projects/${p.id}/meetings/plans`, p.owner, { ...weekly, recurrence: { frequency: 'once' } })).json.plan as MeetingPlan;
    expect(plan.timeZone).toBe('America/Guadeloupe');
    const { upcoming, timeZone } = (await api('GET', `/api/projects/${p.id}/meetings/plans`, p.owner)).json as PlansReply;
    expect(timeZone).toBe('America/Guadeloupe');
    expect(new Date(upcoming[0]!.start).toISOString()).toBe('2027-03-16T13:00:00.000Z');
  });

  it('roles: a guest and a member read but do not plan', async () => {
    const p = await project();
    for (const role of ['member', 'guest'] as Role[]) {
      const token = await t.token({ projectId: p.id, role });
      expect((await api('POST', `/api/projects/${p.id}/meetings/plans`, token, weekly)).json.error.code).toBe('FORBIDDEN');
      expect((await api('GET', `/api/projects/${p.id}/meetings/plans`, token)).status).toBe(200);
    }
  });
});
