/** A change to a meeting this person is invited to, or "starts in 10 minutes", over the project page. */
import { t } from '../../i18n';
import { formatWhen } from '../../planning/format';
import { usePlanning } from './usePlanning';

export function PlanningNotice() {
  const planning = usePlanning();
  const notice = planning?.state.notice.value;
  if (!planning || !notice) return null;
  let text: string;
  let next: string | null = null;
  let href: string | null = null;
  if (notice.kind === 'reminder') {
    const o = notice.occurrence;
    text = t('planning.notice.reminder', { title: o.title, n: Math.max(0, Math.round((o.start - Date.now()) / 60_000)), when: formatWhen(o.start, o.timeZone) });
    href = planning.href(o);
  } else {
    const { plan, by } = notice;
    text = t(`planning.notice.${plan.change}`, { name: by.displayName, title: plan.title });
    if (plan.next !== undefined && plan.change !== 'cancelled') next = t('planning.notice.next', { when: formatWhen(plan.next, plan.timeZone) });
  }
  return (
    <div class="planning-notice" role="status" data-testid="planning-notice" data-kind={notice.kind}>
      <p>
        {text}
        {next && <span class="planning-notice__next"> · {next}</span>}
      </p>
      {href && (
        <a class="button button--primary" data-testid="planning-notice-join" href={href}>
          {t('planning.join')}
        </a>
      )}
      <button type="button" class="button" onClick={() => planning.actions.dismissNotice()}>
        {t('planning.notice.dismiss')}
      </button>
    </div>
  );
}
