/**
 * Planned meetings ("réunions de chantier" planned ahead, once or every one
 * or two weeks): the shapes of the HTTP API under
 * /api/projects/:projectId/meetings/plans, of the project sockets'
 * notifications about them, and the limits that bad input is held to.
 * Shared by the server (routes/planning.ts validates with them) and the
 * client (types). No time-zone code here: the client bundles this module.
 *
 * Ids that later features key on: a plan's `planId` (stable for its life)
 * and an occurrence's `occurrenceId`, the local date ("YYYY-MM-DD", in the
 * project's time zone) the series first put it on. A moved occurrence keeps
 * its id; so minutes of a meeting can be filed under (planId, occurrenceId).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Person } from './pieces.js';

/** Longest title, in characters. */
export const MAX_PLAN_TITLE = 200;
/** Longest description (agenda, address of the site hut...), in characters. */
export const MAX_PLAN_DESCRIPTION = 2000;
/** Most invited members of one plan. */
export const MAX_PLAN_INVITEES = 100;
/** Most invited guests (by name and e-mail) of one plan. */
export const MAX_PLAN_GUESTS = 50;
/** Shortest and longest meeting, in minutes. */
export const MIN_PLAN_DURATION_MIN = 5;
export const MAX_PLAN_DURATION_MIN = 12 * 60;
/** Most skipped or moved occurrences kept on one plan. */
export const MAX_PLAN_OVERRIDES = 200;
/** Most plans (cancelled included) one project keeps. */
export const MAX_PLANS_PER_PROJECT = 500;

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
/** A calendar date, "2026-12-08". */
export const LocalDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10 });
/** A wall-clock time, 24 h, "09:00". */
export const LocalTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', maxLength: 5 });
/** An IANA zone name ("Europe/Paris"); unknown names are refused with UNKNOWN_TIME_ZONE. */
export const TimeZoneName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+\\-/]+$' });

export const PlanGuest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@<>",;:]+@[^\\s@<>",;:]+$' }),
  },
  { additionalProperties: false },
);
export type PlanGuest = Static<typeof PlanGuest>;

/**
 * Once, or every `interval` weeks (1 or 2; 1 when absent) on the start
 * date's weekday, until `until` (a local date, included) or for ever. One
 * object rather than a union: Fastify's validator strips unknown properties
 * per branch of a union, which would eat a weekly series' interval.
 */
export const PlanRecurrence = Type.Object(
  {
    frequency: Type.Union([Type.Literal('once'), Type.Literal('weekly')]),
    interval: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
    until: Type.Optional(LocalDate),
  },
  { additionalProperties: false },
);
export type PlanRecurrence = Static<typeof PlanRecurrence>;

/** What is planned: the body of POST .../meetings/plans (PATCH takes any part of it). */
const planFields = {
  title: Type.String({ minLength: 1, maxLength: MAX_PLAN_TITLE }),
  description: Type.Optional(Type.String({ maxLength: MAX_PLAN_DESCRIPTION })),
  /** The meeting room it takes place in (/p/:projectId/r/:roomId). */
  roomId: Id,
  /** First (or only) occurrence, in the project's time zone. */
  date: LocalDate,
  time: LocalTime,
  durationMin: Type.Integer({ minimum: MIN_PLAN_DURATION_MIN, maximum: MAX_PLAN_DURATION_MIN }),
  /** Project members, by user id. */
  invitees: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: MAX_PLAN_INVITEES, uniqueItems: true }),
  guests: Type.Array(PlanGuest, { maxItems: MAX_PLAN_GUESTS }),
  recurrence: PlanRecurrence,
};
export const PlanInput = Type.Object(planFields, { additionalProperties: false });
export type PlanInput = Static<typeof PlanInput>;
export const PlanPatch = Type.Partial(Type.Object(planFields), { additionalProperties: false, minProperties: 1 });
export type PlanPatch = Static<typeof PlanPatch>;

/** One occurrence taken out of the series (EXDATE), or moved (a RECURRENCE-ID override). */
export const PlanOverride = Type.Union([
  Type.Object({ occurrenceId: LocalDate, status: Type.Literal('skipped') }),
  Type.Object({ occurrenceId: LocalDate, status: Type.Literal('moved'), date: LocalDate, time: LocalTime }),
]);
export type PlanOverride = Static<typeof PlanOverride>;

/** Body of PUT .../plans/:planId/occurrences/:occurrenceId: skip it, move it (date and time required), or put it back. */
export const OccurrenceChange = Type.Object(
  {
    status: Type.Union([Type.Literal('skipped'), Type.Literal('moved'), Type.Literal('planned')]),
    date: Type.Optional(LocalDate),
    time: Type.Optional(LocalTime),
  },
  { additionalProperties: false },
);
export type OccurrenceChange = Static<typeof OccurrenceChange>;

/** A plan as stored and answered. */
export const MeetingPlan = Type.Object({
  planId: Id,
  projectId: Id,
  title: Type.String(),
  description: Type.Optional(Type.String()),
  roomId: Id,
  /** The project's zone when it was planned: date and time are read in it. */
  timeZone: Type.String(),
  date: LocalDate,
  time: LocalTime,
  durationMin: Type.Integer(),
  invitees: Type.Array(Person),
  guests: Type.Array(PlanGuest),
  recurrence: PlanRecurrence,
  overrides: Type.Array(PlanOverride),
  /** Raised on every change (the .ics SEQUENCE). */
  sequence: Type.Integer({ minimum: 0 }),
  createdBy: Person,
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
  /** Set when cancelled: the plan stays, so that calendars get its cancellation. */
  cancelledAt: Type.Optional(Type.Integer()),
});
export type MeetingPlan = Static<typeof MeetingPlan>;

/** One meeting of a plan, at its real instant. */
export const Occurrence = Type.Object({
  planId: Id,
  occurrenceId: LocalDate,
  title: Type.String(),
  roomId: Id,
  /** Start and end, ms since the epoch (UTC instants). */
  start: Type.Integer(),
  end: Type.Integer(),
  /** The zone the plan is read in (the viewer's own zone may differ). */
  timeZone: Type.String(),
  moved: Type.Boolean(),
  invitees: Type.Array(Person),
});
export type Occurrence = Static<typeof Occurrence>;

/** GET .../meetings/plans: the project's zone, its live plans, the next occurrences (soonest first). */
export const PlansReply = Type.Object({
  timeZone: Type.String(),
  plans: Type.Array(MeetingPlan),
  upcoming: Type.Array(Occurrence),
});
export type PlansReply = Static<typeof PlansReply>;

/** What changed in a plan (notification and chat line). */
export const PlanChange = Type.Union([
  Type.Literal('planned'),
  Type.Literal('updated'),
  Type.Literal('occurrence'),
  Type.Literal('cancelled'),
]);
export type PlanChange = Static<typeof PlanChange>;

/** A plan as a chat line and a notification name it. */
export const PlanRef = Type.Object({
  planId: Id,
  title: Type.String(),
  roomId: Id,
  change: PlanChange,
  /** The next occurrence's start (ms), when there is one. */
  next: Type.Optional(Type.Integer()),
  timeZone: Type.String(),
  /** Members invited: their pages show the change as a notice. */
  invitees: Type.Array(Type.String()),
});
export type PlanRef = Static<typeof PlanRef>;

/** Notifications on project sockets (merged into messages.ts Notifications). */
export const planningNotifications = {
  /** A plan was made, edited or cancelled: every page of the project refreshes its list; invitees see a notice. */
  meetingPlanChanged: Type.Object({ plan: PlanRef, by: Person }),
  /** To invitees with a page open, REMINDER_LEAD_MS (10 min) before an occurrence starts. */
  meetingReminder: Type.Object({ occurrence: Occurrence }),
};

/** A ring for a planned meeting's start carries the plan (CallInfo.plan). */
export const CallPlanRef = Type.Object({ planId: Id, occurrenceId: LocalDate, title: Type.String() });
export type CallPlanRef = Static<typeof CallPlanRef>;

/** The link of an occurrence's meeting room, relative to the site's root. */
export function planMeetingPath(projectId: string, plan: { roomId: string; planId: string }, occurrenceId?: string): string {
  const query = new URLSearchParams({ plan: plan.planId, ...(occurrenceId ? { occurrence: occurrenceId } : {}) });
  return `/p/${encodeURIComponent(projectId)}/r/${encodeURIComponent(plan.roomId)}?${query.toString()}`;
}
