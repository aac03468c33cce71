/**
 * Planned meetings as iCalendar (RFC 5545), written by ical-generator (well
 * kept, RFC-minded, takes luxon's DateTime) with VTIMEZONE blocks from
 * @touch4it/ical-timezones (the generator ical-generator documents).
 *
 * One plan is one VEVENT: DTSTART/DTEND with TZID (the project's zone) and a
 * VTIMEZONE for it, an RRULE for a series (UNTIL in UTC, as the RFC requires
 * with a TZID start), EXDATE for skipped occurrences, and one more VEVENT
 * with the same UID and a RECURRENCE-ID for each moved one. The UID is the
 * plan id (stable across edits); SEQUENCE is the plan's, raised on every
 * change. A cancelled plan's own .ics is METHOD:CANCEL with STATUS:CANCELLED;
 * in a feed it stays as STATUS:CANCELLED so that subscribed calendars drop it.
 *
 * The calendar's own timezone is left unset on purpose: ical-generator
 * writes DTSTAMP and UNTIL in the calendar's zone without a TZID when one is
 * set, which the RFC forbids; the events' zones still get their VTIMEZONE.
 */
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import {
  ICalCalendar,
  ICalCalendarMethod,
  ICalEventRepeatingFreq,
  ICalEventStatus,
  ICalWeekday,
  type ICalEventData,
} from 'ical-generator';
import { DateTime } from 'luxon';
import { planMeetingPath, type MeetingPlan } from '../protocol/planning.js';
import { weekdayOf } from './recurrence.js';

export interface CalendarOptions {
  /** Base URL of the links (PUBLIC_URL). */
  publicUrl: string;
  /** The domain of UIDs and of the organiser's no-reply address (PUBLIC_URL's host). */
  domain: string;
}

const weekdays = [ICalWeekday.MO, ICalWeekday.TU, ICalWeekday.WE, ICalWeekday.TH, ICalWeekday.FR, ICalWeekday.SA, ICalWeekday.SU];

export function calendarOptions(publicUrl: string): CalendarOptions {
  return { publicUrl, domain: new URL(publicUrl).hostname || 'chantier' };
}

/** The stable UID of a plan's events. */
export function planUid(plan: Pick<MeetingPlan, 'planId' | 'projectId'>, options: CalendarOptions): string {
  return `${plan.projectId}.${plan.planId}@${options.domain}`;
}

/** A plan's own .ics: METHOD:PUBLISH, or METHOD:CANCEL once cancelled. */
export function planIcs(plan: MeetingPlan, options: CalendarOptions): string {
  const calendar = newCalendar(plan.cancelledAt === undefined ? ICalCalendarMethod.PUBLISH : ICalCalendarMethod.CANCEL, plan.title);
  addPlan(calendar, plan, options);
  return calendar.toString();
}

/** A person's feed: every plan given (cancelled ones as STATUS:CANCELLED). */
export function feedIcs(name: string, plans: readonly MeetingPlan[], options: CalendarOptions): string {
  const calendar = newCalendar(ICalCalendarMethod.PUBLISH, name);
  // Calendar apps poll a feed; ask for an hour (Outlook and Apple read these).
  calendar.ttl(3600);
  for (const plan of plans) addPlan(calendar, plan, options);
  return calendar.toString();
}

function newCalendar(method: ICalCalendarMethod, name: string): ICalCalendar {
  const calendar = new ICalCalendar({
    method,
    name,
    prodId: { company: 'Chantier', product: 'Chantier', language: 'FR' },
  });
  calendar.timezone({ name: null, generator: getVtimezoneComponent });
  return calendar;
}

function local(date: string, time: string, zone: string): DateTime {
  return DateTime.fromISO(`${date}T${time}`, { zone });
}

function addPlan(calendar: ICalCalendar, plan: MeetingPlan, options: CalendarOptions): void {
  const zone = plan.timeZone;
  const link = options.publicUrl + planMeetingPath(plan.projectId, plan);
  const invited = plan.invitees.map((p) => p.displayName).concat(plan.guests.map((g) => g.name));
  const description = [plan.description ?? '', `Rejoindre / Join: ${link}`, invited.length > 0 ? `Convoqués / Invited: ${invited.join(', ')}` : '']
    .filter((line) => line !== '')
    .join('\n\n');
  const cancelled = plan.cancelledAt !== undefined;
  const common: Partial<ICalEventData> = {
    id: planUid(plan, options),
    sequence: plan.sequence,
    stamp: new Date(plan.cancelledAt ?? plan.updatedAt),
    timezone: zone,
    summary: plan.title,
    description,
    url: link,
    location: link,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: plan.createdBy.displayName, email: `no-reply@${options.domain}` },
    attendees: plan.guests.map((g) => ({ name: g.name, email: g.email })),
  };
  const start = local(plan.date, plan.time, zone);
  const recurrence = plan.recurrence;
  calendar.createEvent({
    ...common,
    start,
    end: start.plus({ minutes: plan.durationMin }),
    ...(recurrence.frequency === 'weekly'
      ? {
          repeating: {
            freq: ICalEventRepeatingFreq.WEEKLY,
            interval: recurrence.interval ?? 1,
            byDay: [weekdays[weekdayOf(plan.date) - 1]!],
            ...(recurrence.until ? { until: local(recurrence.until, plan.time, zone).toUTC() } : {}),
            ...(plan.overrides.some((o) => o.status === 'skipped')
              ? { exclude: plan.overrides.filter((o) => o.status === 'skipped').map((o) => local(o.occurrenceId, plan.time, zone)) }
              : {}),
          },
        }
      : {}),
  });
  if (recurrence.frequency !== 'weekly') return;
  for (const moved of plan.overrides) {
    if (moved.status !== 'moved') continue;
    const movedStart = local(moved.date, moved.time, zone);
    calendar.createEvent({
      ...common,
      recurrenceId: local(moved.occurrenceId, plan.time, zone),
      start: movedStart,
      end: movedStart.plus({ minutes: plan.durationMin }),
    });
  }
}
