/**
 * The "Planifier une réunion" form as data, and its translation into the
 * API's PlanInput. The server checks everything again (and says why with a
 * coded error); this only catches what can be caught before sending.
 */
import {
  MAX_PLAN_DURATION_MIN,
  MAX_PLAN_GUESTS,
  MIN_PLAN_DURATION_MIN,
  type MeetingPlan,
  type PlanGuest,
  type PlanInput,
} from '@chantier/signaling/protocol';

export type PlanRhythm = 'once' | 'weekly' | 'fortnightly';

export interface PlanForm {
  title: string;
  date: string;
  time: string;
  /** Minutes, as typed. */
  duration: string;
  rhythm: PlanRhythm;
  /** Last date of a series ('' for none). */
  until: string;
  /** Invited members' user ids. */
  invitees: readonly string[];
  /** Guests, one a line: "Name <e-mail>" or "Name, e-mail". */
  guests: string;
}

export function emptyPlanForm(): PlanForm {
  return { title: '', date: '', time: '09:00', duration: '60', rhythm: 'weekly', until: '', invitees: [], guests: '' };
}

/** The form filled in with a plan, for "Modifier". */
export function planFormOf(plan: MeetingPlan): PlanForm {
  const { recurrence } = plan;
  return {
    title: plan.title,
    date: plan.date,
    time: plan.time,
    duration: String(plan.durationMin),
    rhythm: recurrence.frequency === 'once' ? 'once' : recurrence.interval === 2 ? 'fortnightly' : 'weekly',
    until: recurrence.until ?? '',
    invitees: plan.invitees.map((p) => p.userId),
    guests: plan.guests.map((g) => `${g.name} <${g.email}>`).join('\n'),
  };
}

const EMAIL = /^[^\s@<>",;:]+@[^\s@<>",;:]+$/;

/** The guests of the textarea; undefined when a line is not a name and an e-mail. */
export function parseGuests(text: string): PlanGuest[] | undefined {
  const guests: PlanGuest[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const angle = /^(.+?)\s*<([^>]+)>$/.exec(line);
    const comma = /^(.+?)\s*[,;]\s*(\S+)$/.exec(line);
    const [name, email] = angle ? [angle[1]!, angle[2]!] : comma ? [comma[1]!, comma[2]!] : ['', ''];
    if (name.trim() === '' || !EMAIL.test(email.trim())) return undefined;
    guests.push({ name: name.trim(), email: email.trim() });
  }
  return guests;
}

export type PlanFormProblem = 'title' | 'date' | 'time' | 'duration' | 'guests' | 'until';

/** The request for a form, or which field is wrong. */
export function planInput(form: PlanForm, roomId: string): { input: PlanInput } | { problem: PlanFormProblem } {
  if (form.title.trim() === '') return { problem: 'title' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.date)) return { problem: 'date' };
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(form.time)) return { problem: 'time' };
  const duration = Number(form.duration);
  if (!Number.isInteger(duration) || duration < MIN_PLAN_DURATION_MIN || duration > MAX_PLAN_DURATION_MIN) return { problem: 'duration' };
  const guests = parseGuests(form.guests);
  if (!guests || guests.length > MAX_PLAN_GUESTS) return { problem: 'guests' };
  if (form.rhythm !== 'once' && form.until !== '' && (!/^\d{4}-\d{2}-\d{2}$/.test(form.until) || form.until < form.date)) {
    return { problem: 'until' };
  }
  const recurrence: PlanInput['recurrence'] =
    form.rhythm === 'once'
      ? { frequency: 'once' }
      : { frequency: 'weekly', interval: form.rhythm === 'weekly' ? 1 : 2, ...(form.until !== '' ? { until: form.until } : {}) };
  return {
    input: {
      title: form.title.trim(),
      roomId,
      date: form.date,
      time: form.time,
      durationMin: duration,
      invitees: [...form.invitees],
      guests,
      recurrence,
    },
  };
}
