/**
 * The project page's planned meetings: the next ones (in the viewer's zone,
 * with the project's when it differs), "Démarrer" / "Rejoindre" into each
 * one's room, "Planifier une réunion", "Modifier" and "Déplacer cette
 * réunion" for owners and moderators, and the
 * person's calendar feed URL.
 */
import { useState } from 'preact/hooks';
import { canModerate, type MeetingPlan, type Occurrence } from '@chantier/signaling/protocol';
import { errorText, t } from '../../i18n';
import { formatBoth } from '../../planning/format';
import { act } from '../act';
import { useProject } from '../context';
import { CalendarFeed } from './CalendarFeed';
import { MoveOccurrenceForm } from './MoveOccurrenceForm';
import { PlanMeetingForm } from './PlanMeetingForm';
import { ProjectZone } from './ProjectZone';
import { usePlanning } from './usePlanning';
import './planning.css';

function rhythm(plan: MeetingPlan | undefined): string {
  if (!plan || plan.recurrence.frequency === 'once') return t('planning.once');
  return plan.recurrence.interval === 2 ? t('planning.fortnightly') : t('planning.weekly');
}

function UpcomingRow({ occurrence, plan, planner }: { occurrence: Occurrence; plan: MeetingPlan | undefined; planner: boolean }) {
  const { state } = useProject();
  const planning = usePlanning()!;
  const when = formatBoth(occurrence.start, occurrence.timeZone);
  // Someone is in the room already: join them; else a planner starts it.
  const running = state.rooms.value.some((r) => r.roomId === occurrence.roomId && r.people.length > 0);
  const label = planner && !running ? t('planning.start') : t('planning.join');
  const busy = planning.state.busy.value;
  const [moving, setMoving] = useState(false);
  return (
    <li class="planned" data-testid="planned-meeting" data-plan-id={occurrence.planId} data-occurrence-id={occurrence.occurrenceId}>
      <div class="planned__what">
        <p class="planned__title">{occurrence.title}</p>
        <p class="planned__when" data-testid="planned-when">
          <time dateTime={new Date(occurrence.start).toISOString()}>{when.own}</time>
          {when.project && <span class="planned__zone"> ({t('planning.projectTime', { when: when.project })})</span>}
        </p>
        <p class="planned__detail">
          {t('planning.duration', { n: Math.round((occurrence.end - occurrence.start) / 60_000) })} · {rhythm(plan)}
          {occurrence.moved && ` · ${t('planning.moved')}`}
        </p>
        {occurrence.invitees.length > 0 && (
          <p class="planned__detail">{t('planning.invited', { names: occurrence.invitees.map((p) => p.displayName).join(', ') })}</p>
        )}
      </div>
      <div class="planned__actions">
        <a class="button button--primary" data-testid="planned-join" href={planning.href(occurrence)}>
          {label}
        </a>
        <button type="button" class="link-button" data-testid="planned-ics" disabled={busy} onClick={() => act(planning.actions.downloadCalendar(occurrence.planId))}>
          {t('planning.ics')}
        </button>
        {planner && plan && (
          <button type="button" class="link-button" data-testid="planned-edit" disabled={busy} onClick={() => planning.actions.edit(plan.planId)}>
            {t('planning.edit')}
          </button>
        )}
        {planner && plan?.recurrence.frequency === 'weekly' && !moving && (
          <button type="button" class="link-button" data-testid="planned-move" disabled={busy} onClick={() => setMoving(true)}>
            {t('planning.move')}
          </button>
        )}
        {planner && plan?.recurrence.frequency === 'weekly' && (
          <button type="button" class="link-button" data-testid="planned-skip" disabled={busy} onClick={() => act(planning.actions.skip(occurrence.planId, occurrence.occurrenceId))}>
            {t('planning.skip')}
          </button>
        )}
        {planner && (
          <button type="button" class="link-button" data-testid="planned-cancel" disabled={busy} onClick={() => act(planning.actions.cancel(occurrence.planId))}>
            {t('planning.cancel')}
          </button>
        )}
      </div>
      {moving && <MoveOccurrenceForm occurrence={occurrence} onClose={() => setMoving(false)} />}
    </li>
  );
}

export function PlanningPanel() {
  const { state: project } = useProject();
  const planning = usePlanning();
  if (!planning) return null;
  const { state, actions } = planning;
  const self = project.self.value;
  const planner = self !== null && canModerate(self);
  const plans = new Map((state.plans.value ?? []).map((p) => [p.planId, p]));
  const upcoming = state.upcoming.value;
  return (
    <section class="planning" aria-labelledby="planning-title" data-testid="planning">
      <div class="planning__head">
        <h2 id="planning-title" class="section-title">
          {t('planning.title')}
        </h2>
        {planner && !state.formOpen.value && (
          <button type="button" class="button" data-testid="plan-meeting" onClick={() => actions.openForm(true)}>
            {t('planning.plan')}
          </button>
        )}
      </div>
      {state.error.value && (
        <p class="planning__error" role="alert" data-testid="planning-error" data-code={state.error.value}>
          {errorText(state.error.value)}
        </p>
      )}
      {planner && state.formOpen.value && <PlanMeetingForm />}
      {state.plans.value !== null && upcoming.length === 0 && <p class="planning__empty">{t('planning.empty')}</p>}
      <ul class="plain-list" data-testid="planned-meetings">
        {upcoming.map((o) => (
          <UpcomingRow key={`${o.planId}/${o.occurrenceId}`} occurrence={o} plan={plans.get(o.planId)} planner={planner} />
        ))}
      </ul>
      <CalendarFeed />
      {self?.role === 'owner' && <ProjectZone />}
    </section>
  );
}
