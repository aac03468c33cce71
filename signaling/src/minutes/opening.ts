/**
 * What a meeting's minutes hold when they are made: the attendance table
 * from the invitation list (absent until they join) and from who joined
 * (present), the two fixed sections, and the previous meeting's open
 * actions carried in under "Points en suspens" to be reviewed. Pure, so
 * that it is tested without Redis.
 */
import { randomBytes } from 'node:crypto';
import {
  CARRIED_SECTION_ID,
  GENERAL_SECTION_ID,
  MAX_MINUTES_ATTENDANCE,
  MAX_MINUTES_ITEMS,
  type AttendanceEntry,
  type MeetingPlan,
  type MinutesInfo,
  type MinutesItem,
  type MinutesSection,
} from '../protocol/index.js';
import type { MinutesContent } from '../store/minutes.js';

export interface Person {
  userId: string;
  displayName: string;
}

export function newItemId(): string {
  return randomBytes(9).toString('base64url');
}

export const FIXED_SECTIONS: readonly MinutesSection[] = [
  { sectionId: CARRIED_SECTION_ID, title: 'Points en suspens', order: 0 },
  { sectionId: GENERAL_SECTION_ID, title: 'Généralités', order: 9000 },
];

/** The attendance table: invited members and guests, absent; whoever joined, present. */
export function initialAttendance(plan: MeetingPlan | undefined, joined: readonly Person[]): AttendanceEntry[] {
  const table = new Map<string, AttendanceEntry>();
  for (const p of plan?.invitees ?? []) {
    table.set(p.userId, { personId: p.userId, userId: p.userId, name: p.displayName, invited: true, status: 'absent', auto: true });
  }
  (plan?.guests ?? []).forEach((g, i) => {
    table.set(`guest-${i + 1}`, { personId: `guest-${i + 1}`, name: g.name, invited: true, status: 'absent', auto: true });
  });
  for (const p of joined) markJoined(table, p);
  return [...table.values()].slice(0, MAX_MINUTES_ATTENDANCE);
}

/** Someone joined: present, unless an editor set their line by hand. Returns the changed line, if any. */
export function markJoined(table: Map<string, AttendanceEntry>, person: Person): AttendanceEntry | undefined {
  const line = table.get(person.userId);
  if (line && (!line.auto || line.status === 'present')) return undefined;
  const entry: AttendanceEntry = line
    ? { ...line, status: 'present' }
    : { personId: person.userId, userId: person.userId, name: person.displayName, invited: false, status: 'present', auto: true };
  table.set(person.userId, entry);
  return entry;
}

/** The previous meeting's open actions, as new items of this one (reviewed, then done or carried again). */
export function carriedActions(previous: MinutesContent | undefined, now: number): MinutesItem[] {
  if (!previous) return [];
  const from = { minutesId: previous.info.minutesId, date: previous.info.date, ...(previous.info.number ? { number: previous.info.number } : {}) };
  return previous.items
    .filter((item) => item.kind === 'action' && item.status !== 'done')
    .slice(0, MAX_MINUTES_ITEMS)
    .map((item, i) => ({
      itemId: newItemId(),
      sectionId: CARRIED_SECTION_ID,
      kind: 'action' as const,
      text: item.text,
      ...(item.owner ? { owner: item.owner } : {}),
      ...(item.due ? { due: item.due } : {}),
      status: 'open' as const,
      ...(item.markup ? { markup: item.markup } : {}),
      // Carried again: it keeps naming the meeting where it was first raised.
      carriedFrom: item.carriedFrom ?? from,
      createdAt: now + i,
      version: 1,
      editedBy: item.editedBy,
      editedAt: now,
    }));
}

export function initialContent(
  info: MinutesInfo,
  plan: MeetingPlan | undefined,
  joined: readonly Person[],
  previous: MinutesContent | undefined,
  now: number,
): MinutesContent {
  return {
    info,
    sections: [...FIXED_SECTIONS],
    items: carriedActions(previous, now),
    attendance: initialAttendance(plan, joined),
  };
}
