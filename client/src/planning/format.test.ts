import { afterEach, describe, expect, it } from 'vitest';
import { lang } from '../i18n';
import { formatBoth, formatWhen, planChatText, wallClockOf } from './format';

const tuesday9 = Date.parse('2026-12-08T08:00:00Z');

describe('planned meetings\' dates', () => {
  afterEach(() => {
    lang.value = 'fr';
  });

  it('reads as the trade writes it: "mardi 8 décembre 2026, 9 h 00"', () => {
    expect(formatWhen(tuesday9, 'Europe/Paris', 'fr')).toBe('mardi 8 décembre 2026, 9 h 00');
    expect(formatWhen(tuesday9, 'Europe/Paris', 'en')).toMatch(/^Tuesday,? 8 December 2026, 09:00$/);
    // Summer time: 9 h 00 in Paris is 07:00 UTC.
    expect(formatWhen(Date.parse('2027-04-06T07:00:00Z'), 'Europe/Paris', 'fr')).toBe('mardi 6 avril 2027, 9 h 00');
  });

  it('adds the project\'s reading only when the viewer\'s zone reads differently', () => {
    expect(formatBoth(tuesday9, 'Europe/Paris', 'Europe/Paris')).toEqual({ own: 'mardi 8 décembre 2026, 9 h 00', project: null });
    // Brussels shares Paris's clock.
    expect(formatBoth(tuesday9, 'Europe/Paris', 'Europe/Brussels').project).toBeNull();
    expect(formatBoth(tuesday9, 'Europe/Paris', 'America/Guadeloupe')).toEqual({
      own: 'mardi 8 décembre 2026, 4 h 00',
      project: 'mardi 8 décembre 2026, 9 h 00',
    });
  });

  it('writes the chat line of a plan', () => {
    const author = { userId: 'lea', displayName: 'Léa' };
    const plan = { planId: 'p', title: 'Réunion de chantier', roomId: 'reunion', change: 'planned' as const, next: tuesday9, timeZone: 'Europe/Paris', invitees: [] };
    expect(planChatText({ author, plan })).toBe('Léa a planifié « Réunion de chantier » : mardi 8 décembre 2026, 9 h 00');
    expect(planChatText({ author, plan: { ...plan, change: 'cancelled' } })).toBe('Léa a annulé « Réunion de chantier »');
  });

  it('gives an instant as the date and time inputs take it, on the zone\'s wall clock', () => {
    expect(wallClockOf(tuesday9, 'Europe/Paris')).toEqual({ date: '2026-12-08', time: '09:00' });
    expect(wallClockOf(Date.parse('2026-12-07T23:30:00Z'), 'Europe/Paris')).toEqual({ date: '2026-12-08', time: '00:30' });
    expect(wallClockOf(tuesday9, 'America/Guadeloupe')).toEqual({ date: '2026-12-08', time: '04:00' });
  });
});
