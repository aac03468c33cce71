import { DISPLAY_NAME_MAX } from '../../room/displayName';
import { errorText, t } from '../../i18n';
import type { InvitationActions, InvitationState } from '../../invite/InvitationController';
import { act } from '../act';
import { formatDate, formatTime } from '../format';
import { LangSwitch } from '../LangSwitch';
import './invite.css';

/**
 * An invitation link (/i/<code>): what it opens (project, role, meeting,
 * expiry), a name, and the way in. A dead link says why, in the person's
 * language, and nothing else.
 */
export function InvitationPage({ state, actions }: { state: InvitationState; actions: InvitationActions }) {
  const phase = state.phase.value;
  const info = state.info.value;
  const error = state.error.value;
  return (
    <main class="screen invitation" data-testid="invitation-page" data-phase={phase}>
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <LangSwitch />
      </header>
      <div class="screen__body">
        {phase === 'loading' && (
          <p class="screen__text" role="status">
            {t('invite.loading')}
          </p>
        )}
        {phase === 'error' && (
          <div class="invitation__error" data-testid="error" data-code={error ?? 'INTERNAL'} role="alert">
            <h1 class="screen__title">{t('invite.error.title')}</h1>
            <p class="screen__text">{errorText(error ?? 'INTERNAL')}</p>
          </div>
        )}
        {info && (phase === 'ready' || phase === 'accepting') && (
          <form
            class="invitation__form"
            onSubmit={(event) => {
              event.preventDefault();
              act(actions.accept());
            }}
          >
            <h1 class="screen__title" data-testid="invitation-project">
              {t('invite.title', { project: info.projectName })}
            </h1>
            <p class="screen__text" data-testid="invitation-role" data-role={info.role}>
              {t('invite.roleLine', { role: t(info.role === 'guest' ? 'invite.role.guest' : 'invite.role.member') })}
            </p>
            {info.roomId !== undefined && <p class="screen__text">{t('invite.meetingLine', { room: info.roomId })}</p>}
            <p class="screen__text">{t('invite.expires', { date: `${formatDate(info.expiresAt)} ${formatTime(info.expiresAt, info.expiresAt)}` })}</p>
            <div class="field">
              <label for="invitation-name">{t('invite.name')}</label>
              <input
                id="invitation-name"
                class="input"
                data-testid="invitation-name"
                type="text"
                autoComplete="name"
                required
                maxLength={DISPLAY_NAME_MAX}
                value={state.displayName.value}
                disabled={phase === 'accepting'}
                onInput={(event) => actions.setDisplayName(event.currentTarget.value)}
              />
            </div>
            {error && (
              <p class="notice" role="alert" data-testid="invitation-notice" data-code={error}>
                {errorText(error)}
              </p>
            )}
            <button
              type="submit"
              class="button button--primary invitation__submit"
              data-testid="invitation-accept"
              disabled={phase === 'accepting' || state.displayName.value.trim() === ''}
            >
              {phase === 'accepting' ? t('invite.joining') : t(info.roomId !== undefined ? 'invite.joinMeeting' : 'invite.joinProject')}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}
