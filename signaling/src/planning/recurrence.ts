/**
 * When a plan's meetings happen, as UTC instants. Dates and times are the
 * project's wall clock (Europe/Paris by default): a weekly 9 h 00 meeting
 * stays at 9 h 00 across the daylight-saving changes, so its UTC instant
 * moves by an hour. Luxon does the zone arithmetic (IANA rules from the
 * runtime's ICU, DST gaps and overlaps resolved the documented way); it is
 * small, well kept, and needs no polyfill on Node 20, where Temporal is not
 * built in. The series itself is simple enough to walk here: every 1 or 2
 * weeks from the start date, minus skipped dates, with moved ones replaced.
 */
import { DateTime, IANAZone } from 'luxon';
import type { MeetingPlan, Occurrence } from '../protocol/planning.js';

export type SeriesPlan = Pick<
  MeetingPlan,
  'planId' | 'title' | 'roomId' | 'timeZone' | 'date' | 'time' | 'durationMin' | 'recurrence' | 'overrides' | 'invitees'
>;

/** Whether `zone` is an IANA zone this runtime knows. */
export function isKnownZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Whether "YYYY-MM-DD" is a real calendar date. */
export function isRealDate(date: string): boolean {
  return DateTime.fromISO(date, { zone: 'UTC' }).isValid;
}

/**
 * The UTC instant (ms) of a wall-clock date and time in `zone`. A time that
 * does not exist (skipped by the spring change, 02:30 on the last Sunday of
 * March in Paris) is moved forward by the gap, as calendar apps do.
 */
export function wallClockToUtc(date: string, time: string, zone: string): number {
  const local = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!local.isValid) throw new RangeError(`invalid date ${date} ${time} in ${zone}: ${local.invalidExplanation ?? ''}`);
  return local.toMillis();
}

/** The local date and time ("YYYY-MM-DD", "HH:mm") of an instant in `zone`. */
export function utcToWallClock(ms: number, zone: string): { date: string; time: string } {
  const local = DateTime.fromMillis(ms, { zone });
  return { date: local.toISODate()!, time: local.toFormat('HH:mm') };
}

/** Adds whole days to a local date (calendar days, not 24-hour periods). */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: string): number {
  return DateTime.fromISO(date, { zone: 'UTC' }).weekday;
}

/**
 * The dates the series puts meetings on (occurrence ids), before skips and
 * moves, from the start date while `keep` says so; at most `limit`.
 */
export function* seriesDates(plan: Pick<SeriesPlan, 'date' | 'recurrence'>, limit = 10_000): Generator<string> {
  if (plan.recurrence.frequency === 'once') {
    yield plan.date;
    return;
  }
  const step = 7 * (plan.recurrence.interval ?? 1);
  const until = plan.recurrence.until;
  for (let i = 0; i < limit; i++) {
    const date = addDays(plan.date, i * step);
    if (until !== undefined && date > until) return;
    yield date;
  }
}

/** Whether `occurrenceId` is one of the series' dates (before skips and moves). */
export function isSeriesDate(plan: Pick<SeriesPlan, 'date' | 'recurrence'>, occurrenceId: string): boolean {
  if (occurrenceId < plan.date) return false;
  if (plan.recurrence.frequency === 'once') return occurrenceId === plan.date;
  if (plan.recurrence.until !== undefined && occurrenceId > plan.recurrence.until) return false;
  const days = DateTime.fromISO(occurrenceId, { zone: 'UTC' }).diff(DateTime.fromISO(plan.date, { zone: 'UTC' }), 'days').days;
  return Number.isInteger(days) && days % (7 * (plan.recurrence.interval ?? 1)) === 0;
}

/**
 * The plan's meetings that end after `from` and start before `to` (ms),
 * soonest first, at their real instants: skipped ones left out, moved ones
 * at their new date and time (and in order by it).
 */
export function occurrencesBetween(plan: SeriesPlan, from: number, to: number, limit = 500): Occurrence[] {
  const overrides = new Map(plan.overrides.map((o) => [o.occurrenceId, o]));
  const found: Occurrence[] = [];
  const make = (occurrenceId: string, date: string, time: string, moved: boolean): Occurrence =>
    occurrenceAt(plan, occurrenceId, date, time, moved);
  // Series dates a week past `to` cannot start before it, moved ones aside.
  const lastDate = utcToWallClock(to, plan.timeZone).date;
  for (const date of seriesDates(plan)) {
    if (date > addDays(lastDate, 1)) break;
    const override = overrides.get(date);
    if (override) continue;
    const occurrence = make(date, date, plan.time, false);
    if (occurrence.end > from && occurrence.start < to) found.push(occurrence);
  }
  for (const override of plan.overrides) {
    if (override.status !== 'moved' || !isSeriesDate(plan, override.occurrenceId)) continue;
    const occurrence = make(override.occurrenceId, override.date, override.time, true);
    if (occurrence.end > from && occurrence.start < to) found.push(occurrence);
  }
  found.sort((a, b) => a.start - b.start);
  return found.slice(0, limit);
}

/** The next occurrence that has not ended at `now`, within a year; undefined when the series is over. */
export function nextOccurrence(plan: SeriesPlan, now: number): Occurrence | undefined {
  return occurrencesBetween(plan, now, now + 366 * 24 * 3600_000, 1)[0];
}

/** The occurrence `occurrenceId` of the plan at its real instant (moved or not); undefined if skipped or not in the series. */
export function occurrenceById(plan: SeriesPlan, occurrenceId: string): Occurrence | undefined {
  if (!isSeriesDate(plan, occurrenceId)) return undefined;
  const override = plan.overrides.find((o) => o.occurrenceId === occurrenceId);
  if (override?.status === 'skipped') return undefined;
  const [date, time] = override?.status === 'moved' ? [override.date, override.time] : [occurrenceId, plan.time];
  return occurrenceAt(plan, occurrenceId, date, time, override?.status === 'moved');
}

function occurrenceAt(plan: SeriesPlan, occurrenceId: string, date: string, time: string, moved: boolean): Occurrence {
  const start = wallClockToUtc(date, time, plan.timeZone);
  return {
    planId: plan.planId,
    occurrenceId,
    title: plan.title,
    roomId: plan.roomId,
    start,
    end: start + plan.durationMin * 60_000,
    timeZone: plan.timeZone,
    moved,
    invitees: plan.invitees,
  };
}
