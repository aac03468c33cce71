import { describe, expect, it } from 'vitest';
import { emptyPlanForm, parseGuests, planInput } from './planForm';

describe('the planning form', () => {
  it('reads guests as "Name <e-mail>" or "Name, e-mail", one a line', () => {
    expect(parseGuests('Élodie BET <elodie@bet.example>\n\n  Marc, marc@opc.example ')).toEqual([
      { name: 'Élodie BET', email: 'elodie@bet.example' },
      { name: 'Marc', email: 'marc@opc.example' },
    ]);
    expect(parseGuests('Sans courriel')).toBeUndefined();
    expect(parseGuests('')).toEqual([]);
  });

  it('makes a weekly, a fortnightly and a single meeting', () => {
    const form = { ...emptyPlanForm(), title: ' Réunion de chantier ', date: '2027-03-16', invitees: ['bruno'] };
    expect(planInput(form, 'reunion')).toEqual({
      input: {
        title: 'Réunion de chantier', roomId: 'reunion', date: '2027-03-16', time: '09:00', durationMin: 60,
        invitees: ['bruno'], guests: [], recurrence: { frequency: 'weekly', interval: 1 },
      },
    });
    const fortnightly = planInput({ ...form, rhythm: 'fortnightly', until: '2027-06-29' }, 'reunion');
    expect('input' in fortnightly && fortnightly.input.recurrence).toEqual({ frequency: 'weekly', interval: 2, until: '2027-06-29' });
    const once = planInput({ ...form, rhythm: 'once', until: '2027-06-29' }, 'reunion');
    expect('input' in once && once.input.recurrence).toEqual({ frequency: 'once' });
  });

  it('says which field is wrong', () => {
    const form = { ...emptyPlanForm(), title: 'R', date: '2027-03-16' };
    expect(planInput({ ...form, title: '  ' }, 'r')).toEqual({ problem: 'title' });
    expect(planInput({ ...form, date: '' }, 'r')).toEqual({ problem: 'date' });
    expect(planInput({ ...form, duration: '0' }, 'r')).toEqual({ problem: 'duration' });
    expect(planInput({ ...form, duration: '100000' }, 'r')).toEqual({ problem: 'duration' });
    expect(planInput({ ...form, guests: 'x' }, 'r')).toEqual({ problem: 'guests' });
    expect(planInput({ ...form, until: '2027-01-01' }, 'r')).toEqual({ problem: 'until' });
  });
});
