import { describe, expect, it } from 'vitest';
import type { NotificationData, NotificationType, PlanInput, PlansReply } from '@chantier/signaling/protocol';
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
      cancel: async () => {},
      changeOccurrence: async () => ({}) as never,
      createFeed: async () => 'http://x/api/calendar/secret.ics',
      revokeFeed: async () => {},
      calendar: async () => new Blob(['BEGIN:VCALENDAR']),
      setTimeZone: async () => {},
    },
  });
  return { state, controller, created, lists: () => lists };
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
});
