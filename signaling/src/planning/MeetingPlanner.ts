/**
 * Planning meetings: the rules of a plan (checked before anything is
 * stored: nothing is lost to a refused change), its changes, and telling
 * the project about them (a `meetingPlanChanged` notification to every page
 * of the project, shown as a notice to the invitees, and a chat line).
 *
 * Who may call what is the routes' business (routes/planning.ts).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.js';
import type { EventBus } from '../events/EventBus.js';
import {
  ErrorCode,
  MAX_PLAN_OVERRIDES,
  MAX_PLANS_PER_PROJECT,
  type MeetingPlan,
  type Occurrence,
  type OccurrenceChange,
  type PlanChange,
  type PlanInput,
  type PlanPatch,
  type PlanRef,
  type PlansReply,
} from '../protocol/index.js';
import type { ChatStore } from '../store/chat.js';
import type { PlanningStore } from '../store/planning.js';
import type { ProjectStore } from '../store/projects.js';
import { isKnownZone, isRealDate, isSeriesDate, nextOccurrence, occurrenceById, occurrencesBetween, wallClockToUtc } from './recurrence.js';

export interface Person {
  userId: string;
  displayName: string;
}

/** How far ahead the project page lists meetings by default, and how many at most. */
const UPCOMING_DAYS = 62;
const UPCOMING_MAX = 50;

export interface PlannerOptions {
  /** The zone of projects that did not choose one (DEFAULT_TIME_ZONE, Europe/Paris). */
  defaultTimeZone: string;
  now?: () => number;
}

export class MeetingPlanner {
  readonly #now: () => number;

  constructor(
    private readonly store: PlanningStore,
    private readonly projects: ProjectStore,
    private readonly chat: ChatStore,
    private readonly bus: EventBus,
    private readonly log: FastifyBaseLogger,
    private readonly options: PlannerOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  async timeZone(projectId: string): Promise<string> {
    return (await this.store.timeZone(projectId)) ?? this.options.defaultTimeZone;
  }

  async setTimeZone(projectId: string, timeZone: string): Promise<void> {
    if (!isKnownZone(timeZone)) throw new AppError(ErrorCode.UNKNOWN_TIME_ZONE, `unknown time zone ${timeZone}`);
    await this.store.setTimeZone(projectId, timeZone);
  }

  /** The live plans and the next meetings, soonest first. */
  async list(projectId: string, days = UPCOMING_DAYS): Promise<PlansReply> {
    const now = this.#now();
    const plans = (await this.store.list(projectId)).filter((p) => p.cancelledAt === undefined);
    plans.sort((a, b) => a.createdAt - b.createdAt);
    const upcoming: Occurrence[] = [];
    for (const plan of plans) {
      const soon = occurrencesBetween(plan, now, now + days * 24 * 3600_000, UPCOMING_MAX);
      // A series that meets less often than the window still shows its next meeting.
      const next = soon[0] ?? nextOccurrence(plan, now);
      upcoming.push(...(soon.length > 0 ? soon : next ? [next] : []));
    }
    upcoming.sort((a, b) => a.start - b.start);
    return { timeZone: await this.timeZone(projectId), plans, upcoming: upcoming.slice(0, UPCOMING_MAX) };
  }

  async get(projectId: string, planId: string): Promise<MeetingPlan> {
    const plan = await this.store.get(projectId, planId);
    if (!plan) throw new AppError(ErrorCode.NOT_FOUND, 'no such planned meeting');
    return plan;
  }

  async create(projectId: string, by: Person, input: PlanInput): Promise<MeetingPlan> {
    if ((await this.store.count(projectId)) >= MAX_PLANS_PER_PROJECT) {
      throw new AppError(ErrorCode.LIMIT_EXCEEDED, `a project keeps at most ${MAX_PLANS_PER_PROJECT} planned meetings`);
    }
    const timeZone = await this.timeZone(projectId);
    const now = this.#now();
    const plan: MeetingPlan = {
      planId: randomBytes(9).toString('base64url'),
      projectId,
      title: input.title.trim() || input.title,
      ...(input.description ? { description: input.description } : {}),
      roomId: input.roomId,
      timeZone,
      date: input.date,
      time: input.time,
      durationMin: input.durationMin,
      invitees: await this.#members(projectId, input.invitees),
      guests: input.guests,
      recurrence: input.recurrence,
      overrides: [],
      sequence: 0,
      createdBy: { userId: by.userId, displayName: by.displayName },
      createdAt: now,
      updatedAt: now,
    };
    this.#check(plan, now);
    if (!(await this.store.create(plan))) throw new Error('plan id collision');
    this.log.info({ projectId, planId: plan.planId, by: by.userId }, 'meeting planned');
    await this.#announce(plan, 'planned', by);
    return plan;
  }

  async update(projectId: string, planId: string, by: Person, patch: PlanPatch): Promise<MeetingPlan> {
    const invitees = patch.invitees ? await this.#members(projectId, patch.invitees) : undefined;
    const now = this.#now();
    const updated = await this.store.update(projectId, planId, (current) => {
      this.#live(current);
      const rebased = (patch.date !== undefined && patch.date !== current.date) || (patch.recurrence !== undefined);
      const next: MeetingPlan = {
        ...current,
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.roomId !== undefined ? { roomId: patch.roomId } : {}),
        ...(patch.date !== undefined ? { date: patch.date } : {}),
        ...(patch.time !== undefined ? { time: patch.time } : {}),
        ...(patch.durationMin !== undefined ? { durationMin: patch.durationMin } : {}),
        ...(invitees ? { invitees } : {}),
        ...(patch.guests !== undefined ? { guests: patch.guests } : {}),
        ...(patch.recurrence !== undefined ? { recurrence: patch.recurrence } : {}),
        sequence: current.sequence + 1,
        updatedAt: now,
      };
      // A new start date or rhythm makes new occurrence dates: changes of dates no longer in the series go.
      if (rebased) next.overrides = next.overrides.filter((o) => next.recurrence.frequency === 'weekly' && isSeriesDate(next, o.occurrenceId));
      this.#check(next, now, current);
      return next;
    });
    if (!updated) throw new AppError(ErrorCode.NOT_FOUND, 'no such planned meeting');
    this.log.info({ projectId, planId, by: by.userId, sequence: updated.sequence }, 'planned meeting changed');
    await this.#announce(updated, 'updated', by);
    return updated;
  }

  /** Skips, moves, or restores one occurrence of a series. */
  async changeOccurrence(projectId: string, planId: string, occurrenceId: string, by: Person, change: OccurrenceChange): Promise<MeetingPlan> {
    const now = this.#now();
    const updated = await this.store.update(projectId, planId, (current) => {
      this.#live(current);
      if (current.recurrence.frequency !== 'weekly') {
        throw new AppError(ErrorCode.BAD_REQUEST, 'a single meeting has no occurrences to skip or move: change the meeting itself');
      }
      if (!isSeriesDate(current, occurrenceId)) throw new AppError(ErrorCode.NOT_FOUND, 'no such occurrence in this series');
      const was = occurrenceById(current, occurrenceId) ?? { end: wallClockToUtc(occurrenceId, current.time, current.timeZone) };
      if (was.end <= now) throw new AppError(ErrorCode.MEETING_IN_PAST, 'this occurrence is over');
      const overrides = current.overrides.filter((o) => o.occurrenceId !== occurrenceId);
      if (change.status === 'skipped') overrides.push({ occurrenceId, status: 'skipped' });
      if (change.status === 'moved') {
        if (change.date === undefined || change.time === undefined) throw new AppError(ErrorCode.BAD_REQUEST, 'a move needs a date and a time');
        if (!isRealDate(change.date)) throw new AppError(ErrorCode.BAD_REQUEST, `no such date ${change.date}`);
        if (wallClockToUtc(change.date, change.time, current.timeZone) <= now) {
          throw new AppError(ErrorCode.MEETING_IN_PAST, 'an occurrence cannot be moved into the past');
        }
        overrides.push({ occurrenceId, status: 'moved', date: change.date, time: change.time });
      }
      if (overrides.length > MAX_PLAN_OVERRIDES) {
        throw new AppError(ErrorCode.LIMIT_EXCEEDED, `a series keeps at most ${MAX_PLAN_OVERRIDES} skipped or moved occurrences`);
      }
      overrides.sort((a, b) => a.occurrenceId.localeCompare(b.occurrenceId));
      return { ...current, overrides, sequence: current.sequence + 1, updatedAt: now };
    });
    if (!updated) throw new AppError(ErrorCode.NOT_FOUND, 'no such planned meeting');
    this.log.info({ projectId, planId, occurrenceId, change: change.status, by: by.userId }, 'planned occurrence changed');
    await this.#announce(updated, 'occurrence', by);
    return updated;
  }

  async cancel(projectId: string, planId: string, by: Person): Promise<MeetingPlan> {
    const now = this.#now();
    const cancelled = await this.store.update(projectId, planId, (current) => {
      this.#live(current);
      return { ...current, cancelledAt: now, sequence: current.sequence + 1, updatedAt: now };
    });
    if (!cancelled) throw new AppError(ErrorCode.NOT_FOUND, 'no such planned meeting');
    this.log.info({ projectId, planId, by: by.userId }, 'planned meeting cancelled');
    await this.#announce(cancelled, 'cancelled', by);
    return cancelled;
  }

  /**
   * The occurrence held in `roomId` around `at` (from 30 minutes before its
   * start to its end): how a meeting in progress finds its plan (minutes
   * will be filed under its planId and occurrenceId).
   */
  async occurrenceIn(projectId: string, roomId: string, at: number): Promise<Occurrence | undefined> {
    const early = 30 * 60_000;
    for (const plan of await this.store.list(projectId)) {
      if (plan.cancelledAt !== undefined || plan.roomId !== roomId) continue;
      const found = occurrencesBetween(plan, at, at + early, 1)[0];
      if (found) return found;
    }
    return undefined;
  }

  // ------------------------------------------------------------ internals

  /** Members by id, with their names; UNKNOWN_INVITEE for anyone who is not one. */
  async #members(projectId: string, userIds: readonly string[]): Promise<Person[]> {
    const members = await Promise.all(userIds.map((id) => this.projects.member(projectId, id)));
    return members.map((member, i) => {
      if (!member) throw new AppError(ErrorCode.UNKNOWN_INVITEE, `${userIds[i]} is not a member of this project`);
      return { userId: member.userId, displayName: member.displayName };
    });
  }

  #live(plan: MeetingPlan): void {
    if (plan.cancelledAt !== undefined) throw new AppError(ErrorCode.NOT_FOUND, 'this planned meeting was cancelled');
  }

  /**
   * The plan's own rules: real dates, an until after the start, and a first
   * meeting that has not started yet. On an edit (`before`), a start that is
   * already past may stay as it was (a running series keeps its origin).
   */
  #check(plan: MeetingPlan, now: number, before?: MeetingPlan): void {
    if (!isRealDate(plan.date)) throw new AppError(ErrorCode.BAD_REQUEST, `no such date ${plan.date}`);
    if (!isKnownZone(plan.timeZone)) throw new AppError(ErrorCode.UNKNOWN_TIME_ZONE, `unknown time zone ${plan.timeZone}`);
    if (plan.recurrence.frequency === 'once' && (plan.recurrence.interval !== undefined || plan.recurrence.until !== undefined)) {
      throw new AppError(ErrorCode.BAD_REQUEST, 'a single meeting has no interval nor end date');
    }
    if (plan.recurrence.frequency === 'weekly' && plan.recurrence.until !== undefined) {
      if (!isRealDate(plan.recurrence.until)) throw new AppError(ErrorCode.BAD_REQUEST, `no such date ${plan.recurrence.until}`);
      if (plan.recurrence.until < plan.date) throw new AppError(ErrorCode.BAD_REQUEST, 'the series ends before it starts');
    }
    const startChanged = !before || before.date !== plan.date || before.time !== plan.time || plan.recurrence.frequency === 'once';
    if (startChanged && wallClockToUtc(plan.date, plan.time, plan.timeZone) <= now) {
      throw new AppError(ErrorCode.MEETING_IN_PAST, 'the meeting would start in the past');
    }
  }

  async #announce(plan: MeetingPlan, change: PlanChange, by: Person): Promise<void> {
    const next = plan.cancelledAt === undefined ? nextOccurrence(plan, this.#now()) : undefined;
    const ref: PlanRef = {
      planId: plan.planId,
      title: plan.title,
      roomId: plan.roomId,
      change,
      ...(next ? { next: next.start } : {}),
      timeZone: plan.timeZone,
      invitees: plan.invitees.map((p) => p.userId),
    };
    const author = { userId: by.userId, displayName: by.displayName };
    try {
      await this.bus.publish(plan.projectId, { type: 'planning', notification: { type: 'meetingPlanChanged', data: { plan: ref, by: author } } });
      await this.chat.send(plan.projectId, {
        // One line per change, however often it is retried.
        clientMessageId: `plan-${plan.planId}-${plan.sequence}`,
        kind: 'meeting-planned',
        author,
        text: '',
        plan: ref,
      });
    } catch (error) {
      // The change is stored: pages find it on their next load.
      this.log.warn({ err: error, projectId: plan.projectId, planId: plan.planId }, 'planned meeting change not announced');
    }
  }
}
