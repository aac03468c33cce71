/**
 * What a page shows of the meeting's recording (issue 22): the red mark and
 * the recorder among the participants while it runs, the notice on the join
 * screen (consent: joining is accepting, leaving is always possible), and
 * the moderators' "Enregistrer" / "Arrêter" control.
 */
import { t } from '../../i18n';
import { act } from '../act';
import { ControlButton, type ControlProps } from '../ControlBar';
import { useRecording } from './context';
import './recording.css';

function RecordDot() {
  return <span class="recording__dot" aria-hidden="true" />;
}

/** The red "Enregistrement en cours" mark of the room's header, and the recorder as a participant. */
export function RecordingBadge() {
  const recording = useRecording()?.state.recording.value;
  if (!recording) return null;
  return (
    <>
      <span class="recording__badge" role="status" data-testid="recording-badge">
        <RecordDot />
        {t('recording.active')}
      </span>
      <span class="recording__recorder" data-testid="recorder" title={t('recording.recorderRole')}>
        {t('recording.recorder')}
      </span>
    </>
  );
}

/** On the join screen, before anyone enters. */
export function RecordingNotice() {
  const recording = useRecording()?.state.recording.value;
  if (!recording) return null;
  return (
    <p class="recording__notice" role="alert" data-testid="recording-notice">
      <RecordDot />
      {t('recording.notice')}
    </p>
  );
}

/** "Enregistrer" / "Arrêter l'enregistrement" (moderators). */
export function RecordingControl({ inSheet }: ControlProps) {
  const value = useRecording();
  if (!value) return null;
  const { state, actions } = value;
  const active = state.recording.value !== null;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={active ? 'off' : undefined}
      data-testid="recording-toggle"
      aria-pressed={active}
      disabled={state.busy.value}
      onClick={() => {
        if (active) act(actions.stop());
        else if (window.confirm(t('recording.startConfirm'))) act(actions.start());
      }}
      icon={<RecordDot />}
      label={active ? t('recording.stop') : t('recording.start')}
    />
  );
}
