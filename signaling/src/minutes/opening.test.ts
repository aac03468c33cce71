import { describe, expect, it } from 'vitest';
import type { MeetingPlan, MinutesItem } from '../protocol/index.js';
import type { MinutesContent } from '../store/minutes.js';
import { carriedActions, initialAttendance, markJoined } from './opening.js';

const plan = {
  invitees: [
    { userId: 'bruno', displayName: 'Bruno Petit' },
    { userId: 'chloe', displayName: 'Chloé Durand' },
  ],
  guests: [{ name: 'Élodie (BET)', email: 'elodie@bet.example' }],
} as unknown as MeetingPlan;

const by = { userId: 'lea', displayName: 'Léa Martin' };
function item(text: string, patch: Partial<MinutesItem>): MinutesItem {
  return { itemId: text, sectionId: 'general', kind: 'action', text, createdAt: 1, version: 1, editedBy: by, editedAt: 1, ...patch };
}

describe('the minutes as they are made', () => {
  it('attendance: invitees and guests absent, whoever joined present (invited or not)', () => {
    const table = initialAttendance(plan, [by, { userId: 'bruno', displayName: 'Bruno Petit' }]);
    expect(table.map((a) => [a.name, a.invited, a.status])).toEqual([
      ['Bruno Petit', true, 'present'],
      ['Chloé Durand', true, 'absent'],
      ['Élodie (BET)', true, 'absent'],
      ['Léa Martin', false, 'present'],
    ]);
  });

  it('a join does not overturn a line an editor set by hand', () => {
    const lines = new Map(initialAttendance(plan, []).map((a) => [a.personId, a]));
    lines.set('chloe', { ...lines.get('chloe')!, status: 'excused', auto: false });
    expect(markJoined(lines, { userId: 'chloe', displayName: 'Chloé Durand' })).toBeUndefined();
    expect(markJoined(lines, { userId: 'bruno', displayName: 'Bruno Petit' })?.status).toBe('present');
    expect(markJoined(lines, { userId: 'bruno', displayName: 'Bruno Petit' })).toBeUndefined();
  });

  it('carries only open actions, naming where each was first raised', () => {
    const previous = {
      info: { minutesId: 'm13', date: 1000, number: 13 },
      items: [
        item('ouverte', { status: 'open', owner: { company: 'Lefèvre' }, due: '2027-04-13' }),
        item('soldée', { status: 'done' }),
        item('observation', { kind: 'observation' }),
        item('reportée', { status: 'open', carriedFrom: { minutesId: 'm12', number: 12, date: 500 } }),
      ],
    } as unknown as MinutesContent;
    const carried = carriedActions(previous, 2000);
    expect(carried.map((i) => [i.text, i.sectionId, i.status, i.carriedFrom?.number])).toEqual([
      ['ouverte', 'carried', 'open', 13],
      ['reportée', 'carried', 'open', 12],
    ]);
    expect(carried[0]).toMatchObject({ owner: { company: 'Lefèvre' }, due: '2027-04-13', version: 1 });
    expect(new Set(carried.map((i) => i.itemId)).size).toBe(2);
    expect(carriedActions(undefined, 0)).toEqual([]);
  });
});
