import { t } from '../i18n';
import { act } from './act';
import { useRoom } from './context';
import { CloseIcon, ScreenStopIcon } from './icons';

/**
 * This participant's own share: a banner while sharing (their screen is not
 * shown back to them, it would mirror itself), or why it could not start.
 */
export function ScreenShareNotice() {
  const { state, actions } = useRoom();
  const share = state.screenShare.value;
  const issue = state.screenIssue.value;
  if (share === 'on') {
    return (
      <p class="share-banner" role="status" data-testid="screen-sharing">
        <span class="share-banner__text">{t('screen.sharing')}</span>
        <button
          type="button"
          class="button share-banner__stop"
          data-testid="screen-stop"
          disabled={state.busy.value.has('screen')}
          onClick={() => act(actions.setScreenSharing(false))}
        >
          <ScreenStopIcon />
          <span>{t('screen.stopSharing')}</span>
        </button>
      </p>
    );
  }
  if (issue) {
    return (
      <p class="notice-line share-notice" role="alert" data-testid="screen-issue">
        <span class="share-banner__text">{t('screen.failed')}</span>
        <button
          type="button"
          class="button button--ghost icon-button"
          aria-label={t('screen.dismiss')}
          onClick={() => actions.dismissScreenIssue()}
        >
          <CloseIcon />
        </button>
      </p>
    );
  }
  return null;
}
