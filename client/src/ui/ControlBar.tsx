import { t } from '../i18n';
import { act } from './act';
import { useRoom } from './context';
import { CameraIcon, CameraOffIcon, LeaveIcon, MicIcon, MicOffIcon } from './icons';
import { LangSwitch } from './LangSwitch';

export function ControlBar() {
  const { state, actions } = useRoom();
  const mic = state.micEnabled.value;
  const camera = state.cameraEnabled.value;
  const busy = state.busy.value;
  return (
    <nav class="controls" aria-label={t('controls.label')}>
      <button
        type="button"
        class={`button control ${mic ? '' : 'control--off'}`}
        data-testid="mic-toggle"
        aria-pressed={mic}
        title={mic ? t('controls.micMute') : t('controls.micUnmute')}
        disabled={busy.has('mic')}
        onClick={() => act(actions.setMicEnabled(!mic))}
      >
        {mic ? <MicIcon /> : <MicOffIcon />}
        <span>{t('controls.mic')}</span>
      </button>
      <button
        type="button"
        class={`button control ${camera ? '' : 'control--off'}`}
        data-testid="camera-toggle"
        aria-pressed={camera}
        title={camera ? t('controls.cameraStop') : t('controls.cameraStart')}
        disabled={busy.has('camera')}
        onClick={() => act(actions.setCameraEnabled(!camera))}
      >
        {camera ? <CameraIcon /> : <CameraOffIcon />}
        <span>{t('controls.camera')}</span>
      </button>
      <button
        type="button"
        class="button control control--leave"
        data-testid="leave-button"
        onClick={() => act(actions.leave())}
      >
        <LeaveIcon />
        <span>{t('controls.leave')}</span>
      </button>
      <LangSwitch class="control" />
    </nav>
  );
}
