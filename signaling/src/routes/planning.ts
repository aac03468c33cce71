/**
 * Planned meetings' HTTP API. Every route but the feed takes
 * `Authorization: Bearer <access token>` of the project (not one limited to
 * a meeting) or the admin token:
 *
 *   GET    /api/projects/:projectId/meetings/plans[?days=62]              → {timeZone, plans, upcoming}
 *   POST   /api/projects/:projectId/meetings/plans                        PlanInput → 201 {plan}          owners, moderators
 *   PATCH  /api/projects/:projectId/meetings/plans/:planId                PlanPatch → {plan}              owners, moderators
 *   DELETE /api/projects/:projectId/meetings/plans/:planId                → 204 (cancelled)               owners, moderators
 *   PUT    /api/projects/:projectId/meetings/plans/:planId/occurrences/:occurrenceId
 *                                                                         OccurrenceChange → {plan}       owners, moderators
 *   GET    /api/projects/:projectId/meetings/plans/:planId/calendar.ics   → text/calendar (RFC 5545)
 *   PUT    /api/projects/:projectId/meetings/settings                     {timeZone} → 204                owners
 *   POST   /api/projects/:projectId/meetings/feed                         → 201 {url}: the caller's secret feed URL (a new one replaces the old)
 *   DELETE /api/projects/:projectId/meetings/feed                         → 204: the caller's feed URL stops working
 *   GET    /api/calendar/:secret                                          → text/calendar: no token, the secret is the credential
 *
 * Errors: {error: {code, message}} like every API (plugins/auth.ts). An
 * unknown or revoked feed secret is NOT_FOUND (404), answered late like any
 * refused credential. Feed secrets are kept hashed and never logged
 * (app.ts redactQuery).
 */
import { Type, type Static } from '@sinclair/typebox';
import { setTimeout as sleep } from 'node:timers/promises';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../auth/tokens.js';
import type { CalendarOptions } from '../planning/calendar.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { MeetingPlanner, type Person } from '../planning/MeetingPlanner.js';
import { Reminders } from '../planning/Reminders.js';
import { AUTH_FAILURE_DELAY_MS } from '../plugins/auth.js';
import { ErrorCode, LocalDate, MeetingPlan, OccurrenceChange, PlanInput, PlanPatch, PlansReply, TimeZoneName } from '../protocol/index.js';
import { canModerate } from '../protocol/index.js';
import { PlanningStore } from '../store/planning.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Planned meetings (for the meetings' own features: which plan a meeting in a room belongs to). */
    planner: MeetingPlanner;
    /** This node's reminder loop. */
    reminders: Reminders;
  }
}

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const ProjectParams = Type.Object({ projectId: Id });
const PlanParams = Type.Object({ projectId: Id, planId: Id });
const OccurrenceParams = Type.Object({ projectId: Id, planId: Id, occurrenceId: LocalDate });
const FeedParams = Type.Object({ secret: Type.String({ maxLength: 100, pattern: '^[A-Za-z0-9_-]{20,90}(\\.ics)?$' }) });
const PlanReply = Type.Object({ plan: MeetingPlan });
/** How many days ahead `upcoming` lists (each plan's next meeting is listed anyway). */
const ListQuery = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) });

/** The calendar feed path; its last segment is the secret (app.ts redacts it from logs). */
export const CALENDAR_FEED_PATH = '/api/calendar/';

export const planningRoutes = fp<{ config: Config; clock?: () => number }>(
  async (app, { config, clock }) => {
    const store = new PlanningStore(app.redis, app.keys);
    const planner = new MeetingPlanner(store, app.projects, app.chat, app.bus, app.log.child({ component: 'planning' }), {
      defaultTimeZone: config.planning.defaultTimeZone,
    });
    app.decorate('planner', planner);
    const reminders = new Reminders(store, app.bus, app.calls, app.log.child({ component: 'reminders' }), {
      nodeId: config.cluster.nodeId,
      inRoom: async (projectId, roomId) => new Set((await app.meetingPresence.list(projectId, roomId)).map((p) => p.userId)),
      leadMs: config.planning.reminderLeadMs,
      tickMs: config.planning.reminderTickMs,
      ...(clock ? { now: clock } : {}),
    });
    app.decorate('reminders', reminders);
    reminders.start();
    app.addHook('onClose', async () => reminders.stop());
    await app.register(routes, { config, store, planner });
  },
  { name: 'planning', dependencies: ['auth', 'redis', 'projects'] },
);

/** ical-generator and its zones' table load with the first .ics asked for, not at start (most nodes serve none). */
let calendarLoaded: Promise<typeof import('../planning/calendar.js')> | undefined;
const loadCalendar = () => (calendarLoaded ??= import('../planning/calendar.js'));

interface RoutesOptions {
  config: Config;
  store: PlanningStore;
  planner: MeetingPlanner;
}

async function routes(app: FastifyInstance, { config, store, planner }: RoutesOptions): Promise<void> {
  const auth = { preHandler: app.authenticate };
  const icsFile = async (write: (calendar: Awaited<ReturnType<typeof loadCalendar>>, options: CalendarOptions) => string): Promise<string> => {
    const calendar = await loadCalendar();
    return write(calendar, calendar.calendarOptions(config.publicUrl));
  };

  /** Owners and moderators of the project plan its meetings (and the admin token). */
  function requirePlanner(request: FastifyRequest, projectId: string): Person {
    const who = app.requireProject(request, projectId);
    if (who === 'admin') return { userId: 'admin', displayName: 'Admin' };
    if (!canModerate(who)) throw new AppError(ErrorCode.FORBIDDEN, 'only owners and moderators plan meetings');
    return personOf(who);
  }

  app.get<{ Params: Static<typeof ProjectParams>; Querystring: Static<typeof ListQuery> }>(
    '/api/projects/:projectId/meetings/plans',
    { ...auth, schema: { params: ProjectParams, querystring: ListQuery, response: { 200: PlansReply } } },
    async (request) => {
      const { projectId } = request.params;
      app.requireProject(request, projectId);
      return planner.list(projectId, request.query.days);
    },
  );

  app.post<{ Params: Static<typeof ProjectParams>; Body: PlanInput }>(
    '/api/projects/:projectId/meetings/plans',
    { ...auth, schema: { params: ProjectParams, body: PlanInput, response: { 201: PlanReply } } },
    async (request, reply) => {
      const { projectId } = request.params;
      const by = requirePlanner(request, projectId);
      return reply.code(201).send({ plan: await planner.create(projectId, by, request.body) });
    },
  );

  app.patch<{ Params: Static<typeof PlanParams>; Body: PlanPatch }>(
    '/api/projects/:projectId/meetings/plans/:planId',
    { ...auth, schema: { params: PlanParams, body: PlanPatch, response: { 200: PlanReply } } },
    async (request) => {
      const { projectId, planId } = request.params;
      const by = requirePlanner(request, projectId);
      return { plan: await planner.update(projectId, planId, by, request.body) };
    },
  );

  app.delete<{ Params: Static<typeof PlanParams> }>(
    '/api/projects/:projectId/meetings/plans/:planId',
    { ...auth, schema: { params: PlanParams } },
    async (request, reply) => {
      const { projectId, planId } = request.params;
      const by = requirePlanner(request, projectId);
      await planner.cancel(projectId, planId, by);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: Static<typeof OccurrenceParams>; Body: OccurrenceChange }>(
    '/api/projects/:projectId/meetings/plans/:planId/occurrences/:occurrenceId',
    { ...auth, schema: { params: OccurrenceParams, body: OccurrenceChange, response: { 200: PlanReply } } },
    async (request) => {
      const { projectId, planId, occurrenceId } = request.params;
      const by = requirePlanner(request, projectId);
      return { plan: await planner.changeOccurrence(projectId, planId, occurrenceId, by, request.body) };
    },
  );

  app.get<{ Params: Static<typeof PlanParams> }>(
    '/api/projects/:projectId/meetings/plans/:planId/calendar.ics',
    { ...auth, schema: { params: PlanParams } },
    async (request, reply) => {
      const { projectId, planId } = request.params;
      app.requireProject(request, projectId);
      const plan = await planner.get(projectId, planId);
      return calendarReply(reply, `${planId}.ics`).send(await icsFile((c, options) => c.planIcs(plan, options)));
    },
  );

  app.put<{ Params: Static<typeof ProjectParams>; Body: { timeZone: string } }>(
    '/api/projects/:projectId/meetings/settings',
    { ...auth, schema: { params: ProjectParams, body: Type.Object({ timeZone: TimeZoneName }, { additionalProperties: false }) } },
    async (request, reply) => {
      const { projectId } = request.params;
      const who = app.requireProject(request, projectId);
      if (who !== 'admin' && who.role !== 'owner') throw new AppError(ErrorCode.FORBIDDEN, 'only an owner sets the project\'s time zone');
      await planner.setTimeZone(projectId, request.body.timeZone);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof ProjectParams> }>(
    '/api/projects/:projectId/meetings/feed',
    { ...auth, schema: { params: ProjectParams, response: { 201: Type.Object({ url: Type.String() }) } } },
    async (request, reply) => {
      const { projectId } = request.params;
      const who = requirePerson(request, projectId);
      const secret = await store.createFeed({ projectId, userId: who.userId });
      request.log.info({ projectId, userId: who.userId }, 'calendar feed URL made');
      return reply.code(201).send({ url: `${config.publicUrl}${CALENDAR_FEED_PATH}${secret}.ics` });
    },
  );

  app.delete<{ Params: Static<typeof ProjectParams> }>(
    '/api/projects/:projectId/meetings/feed',
    { ...auth, schema: { params: ProjectParams } },
    async (request, reply) => {
      const { projectId } = request.params;
      const who = requirePerson(request, projectId);
      if (await store.revokeFeed({ projectId, userId: who.userId })) {
        request.log.info({ projectId, userId: who.userId }, 'calendar feed URL revoked');
      }
      return reply.code(204).send();
    },
  );

  /** The feed itself: what calendar apps poll. No token: the secret is the credential. */
  app.get<{ Params: Static<typeof FeedParams> }>(
    `${CALENDAR_FEED_PATH}:secret`,
    { schema: { params: FeedParams } },
    async (request, reply) => {
      const secret = request.params.secret.replace(/\.ics$/, '');
      const owner = await store.feedOwner(secret);
      if (!owner) {
        await sleep(AUTH_FAILURE_DELAY_MS);
        throw new AppError(ErrorCode.NOT_FOUND, 'no such calendar feed (unknown or revoked)');
      }
      const plans = (await store.list(owner.projectId)).filter(
        (p) => p.createdBy.userId === owner.userId || p.invitees.some((i) => i.userId === owner.userId),
      );
      const project = await app.projects.get(owner.projectId);
      const name = `${project?.name ?? owner.projectId} — Chantier`;
      return calendarReply(reply, 'chantier.ics').send(await icsFile((c, options) => c.feedIcs(name, plans, options)));
    },
  );

  function requirePerson(request: FastifyRequest, projectId: string): Identity {
    const who = app.requireProject(request, projectId);
    if (who === 'admin') throw new AppError(ErrorCode.BAD_REQUEST, 'a calendar feed belongs to a person: use their token');
    return who;
  }
}

function personOf(who: Identity): Person {
  return { userId: who.userId, displayName: who.displayName };
}

function calendarReply(reply: FastifyReply, filename: string): FastifyReply {
  return reply
    .type('text/calendar; charset=utf-8')
    .header('content-disposition', `inline; filename="${filename}"`)
    .header('cache-control', 'private, no-cache')
    .header('x-content-type-options', 'nosniff');
}
