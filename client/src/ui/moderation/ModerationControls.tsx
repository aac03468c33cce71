/** Moderators' controls of the meeting's bar: lock, guests' lobby, self-unmute, end for all. */
import { t } from '../../i18n';
import { act } from '../act';
import { useRoom } from '../context';
import { ControlButton, type ControlProps } from '../controls/ControlButton';
import { DoorIcon, LeaveIcon, LockIcon, MicOffIcon } from '../icons';
import { endConfirmOpen } from './EndMeetingConfirm';

/** Moderators: no new participant gets in while locked. */
export function LockControl({ inSheet }: ControlProps) {
  const { state, actions } = useRoom();
  const locked = state.policy.value.locked;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={locked ? 'active' : undefined}
      data-testid="lock-toggle"
      aria-pressed={locked}
      onClick={() => act(actions.setRoomLocked(!locked))}
      icon={<LockIcon />}
      label={locked ? t('moderation.unlock') : t('moderation.lock')}
    />
  );
}

/** Moderators: whether guests wait in the lobby until admitted (off lets everyone waiting in). */
export function GuestLobbyControl({ inSheet }: ControlProps) {
  const { state, actions } = useRoom();
  const on = state.policy.value.guestLobby;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={on ? 'active' : undefined}
      data-testid="guest-lobby-toggle"
      aria-pressed={on}
      onClick={() => act(actions.setGuestLobby(!on))}
      icon={<DoorIcon />}
      label={on ? t('lobby.disable') : t('lobby.enable')}
    />
  );
}

/** Moderators: whether the participants they mute may turn their microphone back on. */
export function SelfUnmuteControl({ inSheet }: ControlProps) {
  const { state, actions } = useRoom();
  const allowed = state.policy.value.allowSelfUnmute;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={allowed ? undefined : 'active'}
      data-testid="self-unmute-toggle"
      aria-pressed={!allowed}
      onClick={() => act(actions.setSelfUnmuteAllowed(!allowed))}
      icon={<MicOffIcon />}
      label={allowed ? t('moderation.blockUnmute') : t('moderation.allowUnmute')}
    />
  );
}

/** Moderators: end the meeting for everyone, after a confirmation. */
export function EndForAllControl({ inSheet }: ControlProps) {
  return (
    <ControlButton
      inSheet={inSheet}
      tone="danger"
      data-testid="end-for-all"
      onClick={() => {
        endConfirmOpen.value = true;
      }}
      icon={<LeaveIcon />}
      label={t('moderation.endForAll')}
    />
  );
}
