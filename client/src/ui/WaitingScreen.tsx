import { t } from '../i18n';
import { act } from './act';
import { useRoom } from './context';
import { CameraOffIcon } from './icons';
import { LangSwitch } from './LangSwitch';
import { VideoView } from './MediaElements';

/**
 * A guest waits for a moderator to let them in (the meeting's lobby). The
 * camera stays open, so the guest is seen as soon as they are in; the page
 * joins by itself when admitted, and says so when nobody can admit yet.
 */
export function WaitingScreen() {
  const { state, actions } = useRoom();
  const preview = state.cameraEnabled.value ? state.localVideoTrack.value : null;
  const moderators = state.moderatorsPresent.value;
  return (
    <main class="join waiting" data-testid="waiting-screen" data-moderators={moderators}>
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <LangSwitch />
      </header>
      <div class="join__body">
        <div class="join__preview">
          {preview ? (
            <VideoView track={preview} mirrored />
          ) : (
            <div class="join__preview-off">
              <CameraOffIcon />
              <span>{t('join.previewOff')}</span>
            </div>
          )}
        </div>
        <div class="join__form waiting__text" role="status" aria-live="polite">
          <div class="waiting__title">
            <div class="spinner" aria-hidden="true" />
            <h1 class="join__title">{t('lobby.waiting.title')}</h1>
          </div>
          <p class="screen__text">{t('lobby.waiting.who')}</p>
          <p class="screen__text" data-testid="waiting-moderators">
            {moderators > 0 ? t('lobby.waiting.present') : t('lobby.waiting.absent')}
          </p>
          <button type="button" class="button join__submit" data-testid="waiting-leave" onClick={() => act(actions.leave())}>
            {t('lobby.waiting.leave')}
          </button>
        </div>
      </div>
    </main>
  );
}
