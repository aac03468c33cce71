/** Owners: the project's time zone (planned dates are read in it). Mainland France by default; overseas projects choose theirs. */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { act } from '../act';
import { usePlanning } from './usePlanning';

/** Offered first; any IANA name may be typed. */
const ZONES = [
  'Europe/Paris',
  'America/Guadeloupe',
  'America/Martinique',
  'America/Cayenne',
  'Indian/Reunion',
  'Indian/Mayotte',
  'Pacific/Noumea',
  'Pacific/Tahiti',
  'America/Miquelon',
  'Europe/Brussels',
  'Europe/Luxembourg',
  'Europe/Zurich',
];

export function ProjectZone() {
  const planning = usePlanning();
  const current = planning?.state.timeZone.value ?? '';
  const [zone, setZone] = useState<string | null>(null);
  if (!planning) return null;
  const value = zone ?? current;
  return (
    <form
      class="project-zone"
      data-testid="project-zone"
      onSubmit={(event) => {
        event.preventDefault();
        act(planning.actions.setTimeZone(value).then(() => setZone(null)));
      }}
    >
      <label class="plan-form__field">
        <span>{t('planning.zone.label')}</span>
        <input list="project-zones" data-testid="project-zone-input" maxLength={64} value={value} onInput={(e) => setZone(e.currentTarget.value)} />
      </label>
      <datalist id="project-zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <button type="submit" class="button" disabled={planning.state.busy.value || value === current}>
        {t('planning.zone.save')}
      </button>
    </form>
  );
}
