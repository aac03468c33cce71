import { t } from '../../i18n';
import { act } from '../act';
import { ControlButton, type ControlProps } from '../controls/ControlButton';
import { FileIcon } from '../icons';
import { useMinutes } from './context';

/** Opens and closes the compte rendu panel. */
export function MinutesControl({ inSheet }: ControlProps) {
  const { state, actions } = useMinutes();
  const open = state.open.value;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={open ? 'active' : undefined}
      data-testid="minutes-toggle"
      aria-pressed={open}
      onClick={() => act(actions.setOpen(!open))}
      icon={<FileIcon />}
      label={t('minutes.open')}
    />
  );
}
