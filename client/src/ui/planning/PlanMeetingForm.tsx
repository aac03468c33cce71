/**
 * "Planifier une réunion": title, date and time in the project's zone,
 * duration, rhythm, invited members and guests; the same form, filled in,
 * for "Modifier" a planned meeting.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { PlanRhythm } from '../../planning/planForm';
import { t, type MessageKey } from '../../i18n';
import { act } from '../act';
import { usePlanning } from './usePlanning';

const rhythms: ReadonlyArray<[PlanRhythm, MessageKey]> = [
  ['weekly', 'planning.weekly'],
  ['fortnightly', 'planning.fortnightly'],
  ['once', 'planning.once'],
];

export function PlanMeetingForm() {
  const planning = usePlanning();
  const formRef = useRef<HTMLFormElement>(null);
  const editingId = planning?.state.editing.value ?? null;
  // "Modifier" on a row far down a phone's list: bring the form into view.
  useEffect(() => {
    if (editingId !== null) formRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [editingId]);
  if (!planning) return null;
  const { state, actions } = planning;
  const form = state.form.value;
  const problem = state.problem.value;
  const editing = state.editing.value === null ? undefined : state.plans.value?.find((p) => p.planId === state.editing.value);
  const field = (name: keyof typeof form) => (event: Event) => actions.setForm({ [name]: (event.currentTarget as HTMLInputElement).value });
  return (
    <form
      ref={formRef}
      class="plan-form"
      data-testid="plan-form"
      data-editing={editing?.planId}
      onSubmit={(event) => {
        event.preventDefault();
        act(actions.submit());
      }}
    >
      {editing && <p class="plan-form__zone">{t('planning.form.editing', { title: editing.title })}</p>}
      <label class="plan-form__field">
        <span>{t('planning.form.title')}</span>
        <input data-testid="plan-title" required maxLength={200} placeholder={t('planning.form.titlePlaceholder')} value={form.title} onInput={field('title')} />
      </label>
      <p class="plan-form__zone">{t('planning.form.zone', { zone: state.timeZone.value })}</p>
      <div class="plan-form__row">
        <label class="plan-form__field">
          <span>{t('planning.form.date')}</span>
          <input type="date" data-testid="plan-date" required value={form.date} onInput={field('date')} />
        </label>
        <label class="plan-form__field">
          <span>{t('planning.form.time')}</span>
          <input type="time" data-testid="plan-time" required value={form.time} onInput={field('time')} />
        </label>
        <label class="plan-form__field">
          <span>{t('planning.form.duration')}</span>
          <input type="number" data-testid="plan-duration" min={5} max={720} step={5} required value={form.duration} onInput={field('duration')} />
        </label>
      </div>
      <div class="plan-form__row">
        <label class="plan-form__field">
          <span>{t('planning.form.rhythm')}</span>
          <select data-testid="plan-rhythm" value={form.rhythm} onChange={field('rhythm')}>
            {rhythms.map(([value, key]) => (
              <option key={value} value={value}>
                {t(key)}
              </option>
            ))}
          </select>
        </label>
        {form.rhythm !== 'once' && (
          <label class="plan-form__field">
            <span>{t('planning.form.until')}</span>
            <input type="date" data-testid="plan-until" value={form.until} onInput={field('until')} />
          </label>
        )}
      </div>
      <fieldset class="plan-form__invitees">
        <legend>{t('planning.form.invitees')}</legend>
        {state.members.value.map((m) => (
          <label key={m.userId} class="plan-form__check">
            <input
              type="checkbox"
              data-testid="plan-invitee"
              data-user-id={m.userId}
              checked={form.invitees.includes(m.userId)}
              onChange={(event) => {
                const on = event.currentTarget.checked;
                actions.setForm({ invitees: on ? [...form.invitees, m.userId] : form.invitees.filter((id) => id !== m.userId) });
              }}
            />
            <span>{m.displayName}</span>
          </label>
        ))}
      </fieldset>
      <label class="plan-form__field">
        <span>{t('planning.form.guests')}</span>
        <textarea data-testid="plan-guests" rows={2} value={form.guests} onInput={field('guests')} />
      </label>
      {problem && (
        <p class="planning__error" role="alert" data-testid="plan-problem" data-problem={problem}>
          {t(`planning.problem.${problem}`)}
        </p>
      )}
      <div class="plan-form__actions">
        <button type="submit" class="button button--primary" data-testid="plan-submit" disabled={state.busy.value}>
          {t(editing ? 'planning.form.save' : 'planning.form.submit')}
        </button>
        <button type="button" class="button" onClick={() => actions.openForm(false)}>
          {t('planning.form.close')}
        </button>
      </div>
    </form>
  );
}
