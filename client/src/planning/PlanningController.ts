/**
 * Planned meetings on the project page: loads the list, plans from the
 * form, edits a plan ("Modifier", the same form filled in), cancels, skips
 * and moves one occurrence, makes or revokes the person's calendar feed URL,
 * and follows the project socket (attached after each hello like calls):
 * `meetingPlanChanged` refreshes the list and, for a meeting this person is
 * invited to and someone else changed, shows a notice; `meetingReminder`
 * shows "starts in 10 minutes".
 *
 * Every public action resolves, never rejects: failures end up in `error`.
 */
import type { NotificationData, NotificationType, ResponseData } from '@chantier/signaling/protocol';
import type { PlanningApi } from '../api/PlanningApi';
import { createLogger } from '../log';
import { runBusy } from '../util/runBusy';
import { emptyPlanForm, planFormOf, planInput, type PlanForm } from './planForm';
import type { PlanningMember, PlanningState } from './planningState';

const log = createLogger('planning');

/** The part of SignalingClient planning listens to, so that tests can fake it. */
export interface PlanningSocket {
  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void;
}

export interface PlanningActions {
  load(): Promise<void>;
  openForm(open: boolean): void;
  setForm(change: Partial<PlanForm>): void;
  submit(): Promise<void>;
  /** Opens the form filled in with the plan; submitting it then saves the change. */
  edit(planId: string): void;
  cancel(planId: string): Promise<void>;
  skip(planId: string, occurrenceId: string): Promise<void>;
  /** Moves one occurrence to a date and time of the project's zone; resolves true when saved. */
  move(planId: string, occurrenceId: string, date: string, time: string): Promise<boolean>;
  makeFeed(): Promise<void>;
  downloadCalendar(planId: string): Promise<void>;
  revokeFeed(): Promise<void>;
  dismissNotice(): void;
  setTimeZone(timeZone: string): Promise<void>;
}

export interface PlanningControllerOptions {
  state: PlanningState;
  api: Pick<PlanningApi, 'list' | 'create' | 'update' | 'cancel' | 'changeOccurrence' | 'createFeed' | 'revokeFeed' | 'calendar' | 'setTimeZone'>;
  /** Hands a file to the browser as a download. */
  save?: (file: Blob, name: string) => void;
  /** The project's members, for the invitation list. */
  members: () => Promise<readonly PlanningMember[]>;
  /** The room a new plan takes place in. */
  roomId: string;
}

export class PlanningController implements PlanningActions {
  readonly state: PlanningState;
  private unsubscribe: Array<() => void> = [];
  private selfUserId: string | null = null;

  constructor(private readonly options: PlanningControllerOptions) {
    this.state = options.state;
  }

  // ------------------------------------------------------------ lifecycle

  attach(socket: PlanningSocket, hello?: Pick<ResponseData<'hello'>, 'self'>): void {
    this.detach();
    this.selfUserId = hello?.self?.userId ?? null;
    this.unsubscribe.push(
      socket.onNotification('meetingPlanChanged', (data) => {
        if (data.by.userId !== this.selfUserId && this.selfUserId !== null && data.plan.invitees.includes(this.selfUserId)) {
          this.state.notice.value = { kind: 'changed', plan: data.plan, by: data.by };
        }
        void this.refresh();
      }),
      socket.onNotification('meetingReminder', ({ occurrence }) => {
        this.state.notice.value = { kind: 'reminder', occurrence };
      }),
    );
    // What changed while the socket was away.
    void this.refresh();
  }

  detach(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }

  // -------------------------------------------------------------- actions

  async load(): Promise<void> {
    await this.run(async () => {
      const [members] = await Promise.all([this.options.members(), this.refreshOrThrow()]);
      this.state.members.value = members;
    });
  }

  openForm(open: boolean): void {
    if (this.state.editing.value !== null) {
      // Leaving an edit: the next "Planifier" starts from a blank form.
      this.state.editing.value = null;
      this.state.form.value = emptyPlanForm();
    }
    this.state.formOpen.value = open;
    this.state.problem.value = null;
    this.state.error.value = null;
  }

  edit(planId: string): void {
    const plan = this.state.plans.value?.find((p) => p.planId === planId);
    if (!plan) return;
    this.openForm(true);
    this.state.form.value = planFormOf(plan);
    this.state.editing.value = planId;
  }

  setForm(change: Partial<PlanForm>): void {
    this.state.form.value = { ...this.state.form.value, ...change };
  }

  async submit(): Promise<void> {
    const made = planInput(this.state.form.value, this.options.roomId);
    if ('problem' in made) {
      this.state.problem.value = made.problem;
      return;
    }
    this.state.problem.value = null;
    const editing = this.state.editing.value;
    await this.run(async () => {
      if (editing === null) {
        await this.options.api.create(made.input);
      } else {
        // The plan keeps its room: only what the form shows changes.
        const { roomId: _room, ...patch } = made.input;
        await this.options.api.update(editing, patch);
      }
      this.state.form.value = emptyPlanForm();
      this.state.editing.value = null;
      this.state.formOpen.value = false;
      await this.refreshOrThrow();
    });
  }

  async cancel(planId: string): Promise<void> {
    await this.run(async () => {
      await this.options.api.cancel(planId);
      await this.refreshOrThrow();
    });
  }

  async skip(planId: string, occurrenceId: string): Promise<void> {
    await this.run(async () => {
      await this.options.api.changeOccurrence(planId, occurrenceId, { status: 'skipped' });
      await this.refreshOrThrow();
    });
  }

  async move(planId: string, occurrenceId: string, date: string, time: string): Promise<boolean> {
    let saved = false;
    await this.run(async () => {
      await this.options.api.changeOccurrence(planId, occurrenceId, { status: 'moved', date, time });
      saved = true;
      await this.refreshOrThrow();
    });
    return saved;
  }

  async makeFeed(): Promise<void> {
    await this.run(async () => {
      this.state.feedUrl.value = await this.options.api.createFeed();
    });
  }

  async downloadCalendar(planId: string): Promise<void> {
    await this.run(async () => {
      const file = await this.options.api.calendar(planId);
      this.options.save?.(file, `${planId}.ics`);
    });
  }

  async revokeFeed(): Promise<void> {
    await this.run(async () => {
      await this.options.api.revokeFeed();
      this.state.feedUrl.value = null;
    });
  }

  async setTimeZone(timeZone: string): Promise<void> {
    await this.run(async () => {
      await this.options.api.setTimeZone(timeZone.trim());
      await this.refreshOrThrow();
    });
  }

  dismissNotice(): void {
    this.state.notice.value = null;
  }

  // ------------------------------------------------------------ internals

  private async refresh(): Promise<void> {
    try {
      await this.refreshOrThrow();
    } catch (error) {
      log.warn('planned meetings not refreshed', error);
    }
  }

  private async refreshOrThrow(): Promise<void> {
    const reply = await this.options.api.list();
    this.state.timeZone.value = reply.timeZone;
    this.state.plans.value = reply.plans;
    this.state.upcoming.value = reply.upcoming;
  }

  private async run(work: () => Promise<void>): Promise<void> {
    await runBusy(this.state, work, (error) => log.warn('planning action failed', error));
  }
}
