/**
 * "Déplacer cette réunion": a new date and time, in the project's zone, for
 * one occurrence of a plan (the series stays as it is).
 */
import { useState } from 'preact/hooks';
import type { Occurrence } from '@chantier/signaling/protocol';
import { t } from '../../i18n';
import { wallClockOf } from '../../planning/format';
import { act } from '../act';
import { usePlanning } from './usePlanning';

export function MoveOccurrenceForm({ occurrence, onClose }: { occurrence: Occurrence; onClose: () => void }) {
  const planning = usePlanning()!;
  const [when, setWhen] = useState(() => wallClockOf(occurrence.start, occurrence.timeZone));
  const value = (event: Event): string => (event.currentTarget as HTMLInputElement).value;
  return (
    <form
      class="plan-form plan-form--move"
      data-testid="move-form"
      onSubmit={(event) => {
        event.preventDefault();
        act(
          planning.actions.move(occurrence.planId, occurrence.occurrenceId, when.date, when.time).then((saved) => {
            if (saved) onClose();
          }),
        );
      }}
    >
      <p class="plan-form__zone">{t('planning.move.legend')}</p>
      <div class="plan-form__row">
        <label class="plan-form__field">
          <span>{t('planning.form.date')}</span>
          <input type="date" data-testid="move-date" required value={when.date} onInput={(e) => setWhen({ ...when, date: value(e) })} />
        </label>
        <label class="plan-form__field">
          <span>{t('planning.form.time')}</span>
          <input type="time" data-testid="move-time" required value={when.time} onInput={(e) => setWhen({ ...when, time: value(e) })} />
        </label>
      </div>
      <div class="plan-form__actions">
        <button type="submit" class="button button--primary" data-testid="move-submit" disabled={planning.state.busy.value}>
          {t('planning.move.submit')}
        </button>
        <button type="button" class="button" onClick={onClose}>
          {t('planning.form.close')}
        </button>
      </div>
    </form>
  );
}
