/**
 * On the join screen, before anyone enters: "Cette réunion est enregistrée"
 * (consent: joining is accepting, leaving is always possible). Apart from
 * Recording.tsx, which imports the control bar: the join screen is in the
 * first load.
 */
import { t } from '../../i18n';
import { useRecording } from './context';
import './recording.css';

/** On the join screen, before anyone enters. */
export function RecordingNotice() {
  const recording = useRecording()?.state.recording.value;
  if (!recording) return null;
  return (
    <p class="recording__notice" role="alert" data-testid="recording-notice">
      <span class="recording__dot" aria-hidden="true" />
      {t('recording.notice')}
    </p>
  );
}
