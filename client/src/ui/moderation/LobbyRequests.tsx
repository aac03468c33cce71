import { canModerate } from '@chantier/signaling/protocol';
import { t } from '../../i18n';
import { act } from '../act';
import { useRoom } from '../context';

/**
 * Moderators: the guests waiting in the lobby, each with "Admettre" and
 * "Refuser". One guest: one line ("Gus attend dans la salle d'attente");
 * several: a heading and a list. Nothing for anyone else.
 */
export function LobbyRequests() {
  const { state, actions } = useRoom();
  const self = state.self.value;
  const waiting = state.lobby.value;
  if (!self || !canModerate(self) || waiting.length === 0) return null;
  const one = waiting.length === 1 ? waiting[0] : undefined;
  return (
    <section class="lobby-requests" aria-live="polite" data-testid="lobby-requests" data-count={waiting.length}>
      <p class="lobby-requests__title">
        {one ? t('lobby.one', { name: one.displayName }) : t('lobby.many', { n: waiting.length })}
      </p>
      <ul class="lobby-requests__list">
        {waiting.map((entry) => (
          <li
            key={entry.peerId}
            class={`lobby-requests__item ${one ? '' : 'lobby-requests__item--named'}`}
            data-testid="lobby-request" data-peer-id={entry.peerId}>
            {!one && <span class="lobby-requests__name">{entry.displayName}</span>}
            <button
              type="button"
              class="button button--primary"
              data-testid="lobby-admit"
              aria-label={t('lobby.admitName', { name: entry.displayName })}
              onClick={() => act(actions.admit(entry.peerId, true))}
            >
              {t('lobby.admit')}
            </button>
            <button
              type="button"
              class="button"
              data-testid="lobby-deny"
              aria-label={t('lobby.denyName', { name: entry.displayName })}
              onClick={() => act(actions.admit(entry.peerId, false))}
            >
              {t('lobby.deny')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
