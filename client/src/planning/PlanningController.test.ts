import { describe, expect, it } from 'vitest';
import type { MeetingPlan, NotificationData, NotificationType, OccurrenceChange, PlanInput, PlanPatch, PlansReply } from '@chantier/signaling/protocol';
import { PlanningController, type PlanningSocket } from './PlanningController';
import { createPlanningState } from './planningState';

class FakeSocket implements PlanningSocket {
  readonly listeners = new Map<string, (data: unknown) => void>();
  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void {
    this.listeners.set(type, listener as (data: unknown) => void);
    return () => this.listeners.delete(type);
  }
  emit<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    this.listeners.get(type)?.(data);
  }
}

function setup() {
  const created: PlanInput[] = [];
  const updated: Array<[string, PlanPatch]> = [];
  const changed: Array<[string, string, OccurrenceChange]> = [];
  let refuse = false;
  let lists = 0;
  const reply: PlansReply = { timeZone: 'Europe/Paris', plans: [], upcoming: [] };
  const state = createPlanningState();
  const controller = new PlanningController({
    state,
    roomId: 'reunion',
    members: async () => [{ userId: 'bruno', displayName: 'Bruno' }],
    api: {
      list: async () => {
        lists++;
        return reply;
      },
      create: async (input) => {
        created.push(input);
        return {} as never;
      },
      update: async (planId, patch) => {
        updated.push([planId, patch]);
        return {} as never;
      },
      cancel: async () => {},
      changeOccurrence: async (planId, occurrenceId, change) => {
        if (refuse) throw new Error('refused');
        changed.push([planId, occurrenceId, change]);
        return {} as never;
      },
      createFeed: async () => 'http://x/api/calendar/secret.ics',
      revokeFeed: async () => {},
      calendar: async () => new Blob(['BEGIN:VCALENDAR']),
      setTimeZone: async () => {},
    },
  });
  return { state, controller, created, updated, changed, reply, refuse: () => (refuse = true), lists: () => lists };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const ref = { planId: 'p', title: 'Réunion', roomId: 'reunion', change: 'updated' as const, timeZone: 'Europe/Paris', invitees: ['bruno'] };

describe('PlanningController', () => {
  it('does not send a form with a wrong field, and says which', async () => {
    const { state, controller, created } = setup();
    controller.setForm({ title: 'Réunion', date: '2027-03-16', duration: '0' });
    await controller.submit();
    expect(state.problem.value).toBe('duration');
    expect(created).toEqual([]);
    controller.setForm({ duration: '90' });
    await controller.submit();
    expect(created).toHaveLength(1);
    expect(state.formOpen.value).toBe(false);
    expect(state.form.value.title).toBe('');
  });

  it('refreshes on every change, and shows a notice to an invitee for someone else\'s change only', async () => {
    const { state, controller, lists } = setup();
    const socket = new FakeSocket();
    controller.attach(socket, { self: { userId: 'bruno', displayName: 'Bruno', role: 'member' } });
    await flush();
    const before = lists();
    socket.emit('meetingPlanChanged', { plan: ref, by: { userId: 'bruno', displayName: 'Bruno' } });
    expect(state.notice.value).toBeNull();
    socket.emit('meetingPlanChanged', { plan: { ...ref, invitees: ['chloe'] }, by: { userId: 'lea', displayName: 'Léa' } });
    expect(state.notice.value).toBeNull();
    socket.emit('meetingPlanChanged', { plan: ref, by: { userId: 'lea', displayName: 'Léa' } });
    expect(state.notice.value).toMatchObject({ kind: 'changed', by: { userId: 'lea' } });
    await flush();
    expect(lists()).toBe(before + 3);
    controller.detach();
    socket.emit('meetingReminder', { occurrence: { planId: 'p', occurrenceId: '2027-03-16', title: 'R', roomId: 'r', start: 0, end: 1, timeZone: 'Europe/Paris', moved: false, invitees: [] } });
    expect(state.notice.value?.kind).toBe('changed');
  });

  it('"Modifier" fills the form with the plan and saves the change, not a new plan; the next "Planifier" starts blank', async () => {
    const { state, controller, created, updated, reply } = setup();
    const plan = {
      planId: 'p1', title: 'Réunion de chantier', roomId: 'salle', date: '2027-03-16', time: '09:00', durationMin: 90,
      invitees: [{ userId: 'bruno', displayName: 'Bruno' }], guests: [{ name: 'Élodie BET', email: 'elodie@bet.example' }],
      recurrence: { frequency: 'weekly', interval: 2, until: '2027-06-29' },
    } as unknown as MeetingPlan;
    reply.plans = [plan];
    await controller.load();
    controller.edit('p1');
    expect(state.formOpen.value).toBe(true);
    expect(state.editing.value).toBe('p1');
    expect(state.form.value).toEqual({
      title: 'Réunion de chantier', date: '2027-03-16', time: '09:00', duration: '90', rhythm: 'fortnightly',
      until: '2027-06-29', invitees: ['bruno'], guests: 'Élodie BET <elodie@bet.example>',
    });
    controller.setForm({ time: '10:30' });
    await controller.submit();
    expect(created).toEqual([]);
    expect(updated).toEqual([['p1', expect.objectContaining({ time: '10:30', durationMin: 90, recurrence: { frequency: 'weekly', interval: 2, until: '2027-06-29' } })]]);
    expect(updated[0]![1]).not.toHaveProperty('roomId');
    expect(state.formOpen.value).toBe(false);
    expect(state.editing.value).toBeNull();
    // Closing an edit half-done does not leave its words in the "Planifier" form.
    controller.edit('p1');
    controller.openForm(false);
    controller.openForm(true);
    expect(state.form.value.title).toBe('');
    expect(state.editing.value).toBeNull();
  });

  it('moves one occurrence to a date and time, and says when the server refused', async () => {
    const { state, controller, changed, refuse } = setup();
    expect(await controller.move('p1', '2027-03-23', '2027-03-24', '14:00')).toBe(true);
    expect(changed).toEqual([['p1', '2027-03-23', { status: 'moved', date: '2027-03-24', time: '14:00' }]]);
    refuse();
    expect(await controller.move('p1', '2027-03-30', '2027-03-31', '14:00')).toBe(false);
    expect(state.error.value).not.toBeNull();
  });
});
