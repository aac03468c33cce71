/**
 * Planned meetings on the project page as signals: the project's zone, its
 * plans and next meetings, the planning form, the calendar feed URL just
 * made, and the last notice for this person (a change to a meeting they are
 * invited to, a reminder). Components read them; only PlanningController
 * writes them.
 */
import { signal, type Signal } from '@preact/signals';
import type { MeetingPlan, Occurrence, PlanRef } from '@chantier/signaling/protocol';
import type { AppErrorCode } from '../errors';
import { emptyPlanForm, type PlanForm, type PlanFormProblem } from './planForm';

export interface PlanningMember {
  userId: string;
  displayName: string;
}

export type PlanningNotice =
  | { kind: 'changed'; plan: PlanRef; by: PlanningMember }
  | { kind: 'reminder'; occurrence: Occurrence };

export interface PlanningState {
  /** The project's zone (dates are planned in it). */
  timeZone: Signal<string>;
  plans: Signal<readonly MeetingPlan[] | null>;
  upcoming: Signal<readonly Occurrence[]>;
  /** Members who can be invited (from the project). */
  members: Signal<readonly PlanningMember[]>;
  formOpen: Signal<boolean>;
  /** The plan the open form edits ("Modifier"); null when it plans a new one. */
  editing: Signal<string | null>;
  form: Signal<PlanForm>;
  problem: Signal<PlanFormProblem | null>;
  busy: Signal<boolean>;
  error: Signal<AppErrorCode | null>;
  /** The feed URL made a moment ago (shown once, to copy into a calendar app). */
  feedUrl: Signal<string | null>;
  notice: Signal<PlanningNotice | null>;
}

export function createPlanningState(defaultZone = 'Europe/Paris'): PlanningState {
  return {
    timeZone: signal(defaultZone),
    plans: signal<readonly MeetingPlan[] | null>(null),
    upcoming: signal<readonly Occurrence[]>([]),
    members: signal<readonly PlanningMember[]>([]),
    formOpen: signal(false),
    editing: signal<string | null>(null),
    form: signal<PlanForm>(emptyPlanForm()),
    problem: signal<PlanFormProblem | null>(null),
    busy: signal(false),
    error: signal<AppErrorCode | null>(null),
    feedUrl: signal<string | null>(null),
    notice: signal<PlanningNotice | null>(null),
  };
}
