import { t } from '../i18n';
import { act } from './act';
import { useRoom } from './context';
import { HeadphonesIcon } from './icons';

/** Audio-only during the meeting: no video received or sent; pressed again, video comes back. */
export function AudioOnlyToggle() {
  const { state, actions } = useRoom();
  const on = state.audioOnly.value;
  return (
    <button
      type="button"
      class={`button control ${on ? 'control--active' : ''}`}
      data-testid="audio-only-toggle"
      aria-pressed={on}
      title={on ? t('controls.audioOnlyOff') : t('controls.audioOnlyOn')}
      disabled={state.busy.value.has('camera')}
      onClick={() => act(actions.setAudioOnly(!on))}
    >
      <HeadphonesIcon />
      <span>{t('controls.audioOnly')}</span>
    </button>
  );
}
