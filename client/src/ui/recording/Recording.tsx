/**
 * What a page shows of the meeting's recording (issue 22): the red mark and
 * the recorder among the participants while it runs, and the moderators'
 * "Enregistrer" / "Arrêter" control (in the room's view; the join screen's
 * notice is RecordingNotice.tsx, apart so that the first load does not carry
 * the control bar).
 */
import { t } from '../../i18n';
import { act } from '../act';
import { ControlButton, type ControlProps } from '../controls/ControlButton';
import { useRecording } from './context';
import './recording.css';

function RecordDot() {
  return <span class="recording__dot" aria-hidden="true" />;
}

/** The red "Enregistrement en cours" mark of the room's header, the recorder as a participant, and (moderators) tracks lost. */
export function RecordingBadge() {
  const state = useRecording()?.state;
  const recording = state?.recording.value;
  if (!recording) return null;
  const lost = state!.lostTracks.value;
  return (
    <>
      <span class="recording__badge" role="status" data-testid="recording-badge">
        <RecordDot />
        {t('recording.active')}
      </span>
      <span class="recording__recorder" data-testid="recorder" title={t('recording.recorderRole')}>
        {t('recording.recorder')}
      </span>
      {lost.length > 0 && (
        <span class="recording__lost" role="alert" data-testid="recording-track-failed">
          {lost.map((l) => t('error.RECORDING_TRACK_FAILED', { name: l.displayName, source: t(`recording.source.${l.source}`) })).join(' ')}
        </span>
      )}
    </>
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
