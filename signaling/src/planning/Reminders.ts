/**
 * Reminders of planned meetings, sent once whatever the number of nodes.
 *
 * Every node looks, every REMINDER_TICK_MS, at the plans of the projects
 * that have some, for occurrences that are due:
 *   - 'soon'  from REMINDER_LEAD_MS (10 min) before the start until the
 *             start: a `meetingReminder` notification to the invitees' open
 *             pages;
 *   - 'start' from the start until REMINDER_START_GRACE_MS after it: the
 *             invitees not in the meeting already are rung like a call
 *             (projects/Calls.ts ringMeeting), and "Rejoindre" takes them
 *             to the meeting's room.
 * A due reminder is sent by the node whose SET NX on its claim key
 * (keys.ts reminderClaim) succeeds, and by no other. A node that was down
 * past a window sends nothing late: a reminder an hour after the start helps
 * no one.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { EventBus } from '../events/EventBus.js';
import type { Calls } from '../projects/Calls.js';
import type { Occurrence } from '../protocol/index.js';
import type { PlanningStore } from '../store/planning.js';
import { occurrencesBetween } from './recurrence.js';

/** How long after its start a meeting still rings its invitees (a node that ticked late). */
export const REMINDER_START_GRACE_MS = 2 * 60_000;

export interface RemindersOptions {
  nodeId: string;
  /** Who is in a room's meeting already: they are not rung (they are there). */
  inRoom: (projectId: string, roomId: string) => Promise<ReadonlySet<string>>;
  leadMs: number;
  tickMs: number;
  now?: () => number;
}

export class Reminders {
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #rounds = 0;

  constructor(
    private readonly store: PlanningStore,
    private readonly bus: EventBus,
    private readonly calls: Calls,
    private readonly log: FastifyBaseLogger,
    private readonly options: RemindersOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.options.tickMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Rounds completed so far (a test waits for the other nodes to have looked too). */
  get rounds(): number {
    return this.#rounds;
  }

  /** One round over every project with plans. Never throws. */
  async tick(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const now = this.#now();
      for (const projectId of await this.store.projects()) {
        for (const plan of await this.store.list(projectId)) {
          if (plan.cancelledAt !== undefined || plan.invitees.length === 0) continue;
          // Occurrences whose start lies in [now - grace, now + lead].
          const due = occurrencesBetween(plan, now - REMINDER_START_GRACE_MS, now + this.options.leadMs, 10).filter(
            (o) => o.start >= now - REMINDER_START_GRACE_MS && o.start <= now + this.options.leadMs,
          );
          for (const occurrence of due) await this.#remind(projectId, plan.createdBy, occurrence, now);
        }
      }
    } catch (error) {
      this.log.warn({ err: error }, 'reminder round failed');
    } finally {
      this.#rounds++;
      this.#running = false;
    }
  }

  async #remind(projectId: string, organiser: { userId: string; displayName: string }, occurrence: Occurrence, now: number): Promise<void> {
    const { planId, occurrenceId } = occurrence;
    const to = occurrence.invitees.map((p) => p.userId);
    if (occurrence.start > now) {
      if (!(await this.store.claimReminder(projectId, planId, occurrenceId, 'soon', this.options.nodeId))) return;
      await this.bus.publish(projectId, { type: 'planning', to, notification: { type: 'meetingReminder', data: { occurrence } } });
      this.log.info({ projectId, planId, occurrenceId }, 'meeting reminder sent');
      return;
    }
    if (!(await this.store.claimReminder(projectId, planId, occurrenceId, 'start', this.options.nodeId))) return;
    const present = await this.options.inRoom(projectId, occurrence.roomId);
    const invitees = occurrence.invitees.filter((p) => !present.has(p.userId));
    if (invitees.length === 0) return;
    await this.calls.ringMeeting(projectId, organiser, { ...occurrence, invitees });
    this.log.info({ projectId, planId, occurrenceId, rung: invitees.length }, 'meeting start rung');
  }
}
