/** "Abonner mon agenda": the person's secret calendar feed URL, made on demand and revocable. */
import { t } from '../../i18n';
import { act } from '../act';
import { usePlanning } from './usePlanning';

export function CalendarFeed() {
  const planning = usePlanning();
  if (!planning) return null;
  const { state, actions } = planning;
  const url = state.feedUrl.value;
  return (
    <div class="calendar-feed" data-testid="calendar-feed">
      {url === null ? (
        <button type="button" class="button" data-testid="feed-make" disabled={state.busy.value} onClick={() => act(actions.makeFeed())}>
          {t('planning.feed.make')}
        </button>
      ) : (
        <>
          <p class="calendar-feed__hint">{t('planning.feed.hint')}</p>
          <input class="calendar-feed__url" data-testid="feed-url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" class="link-button" data-testid="feed-revoke" disabled={state.busy.value} onClick={() => act(actions.revokeFeed())}>
            {t('planning.feed.revoke')}
          </button>
        </>
      )}
    </div>
  );
}
