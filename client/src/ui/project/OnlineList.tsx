import { t } from '../../i18n';
import { devicesOf } from '../../project/presence';
import { act } from '../act';
import { useCalls } from '../call/context';
import { useProject } from '../context';
import { DesktopIcon, PhoneIcon } from '../icons';
import { initials } from '../initials';

/** One row per person online: name, devices, and whether they are in a meeting. */
export function OnlineList() {
  const { state } = useProject();
  const people = state.people.value;
  const selfId = state.self.value?.userId;
  const calls = useCalls();
  const callable = calls ? people.filter((p) => p.userId !== selfId).map((p) => p.userId) : [];
  const canCall = calls !== null && calls.state.connected.value && !calls.state.placing.value;
  return (
    <section class="online" data-testid="online" aria-labelledby="online-title">
      <h2 id="online-title" class="section-title">
        {t('online.title')} <span class="section-title__count">{t('online.count', { n: people.length })}</span>
      </h2>
      {calls && callable.length > 1 && (
        <button
          type="button"
          class="button online__call-all"
          data-testid="call-all"
          aria-label={t('call.allLabel', { n: callable.length })}
          disabled={!canCall}
          onClick={() => act(calls.actions.call(callable))}
        >
          <PhoneIcon />
          {t('call.all')}
        </button>
      )}
      {people.length === 0 ? (
        <p class="muted">{t('online.empty')}</p>
      ) : (
        <ul class="plain-list online__list">
          {people.map((person) => {
            const inMeeting = person.rooms.length > 0;
            const devices = devicesOf(person);
            return (
              <li
                key={person.userId}
                class="online__row"
                data-testid="online-user"
                data-user-id={person.userId}
                data-in-meeting={String(inMeeting)}
              >
                <span class="avatar" aria-hidden="true">
                  {initials(person.displayName)}
                </span>
                <span class="online__name">
                  {person.displayName}
                  {person.userId === selfId && <span class="muted"> {t('tile.youMark')}</span>}
                </span>
                <span class="online__devices">
                  {devices.phone && (
                    <span class="online__device" title={t('online.phone')}>
                      <PhoneIcon />
                      <span class="visually-hidden">{t('online.phone')}</span>
                    </span>
                  )}
                  {devices.desktop && (
                    <span class="online__device" title={t('online.desktop')}>
                      <DesktopIcon />
                      <span class="visually-hidden">{t('online.desktop')}</span>
                    </span>
                  )}
                </span>
                {inMeeting && (
                  <span class="pill pill--meeting" data-testid="in-meeting-badge">
                    {t('online.inMeeting')}
                  </span>
                )}
                {calls && person.userId !== selfId && (
                  <button
                    type="button"
                    class="button online__call"
                    data-testid={`call-${person.userId}`}
                    aria-label={t('call.buttonLabel', { name: person.displayName })}
                    disabled={!canCall}
                    onClick={() => act(calls.actions.call([person.userId]))}
                  >
                    {t('call.button')}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
