import { t } from '../i18n';
import type { DeviceOption } from '../state/roomState';

interface Props {
  id: string;
  label: string;
  devices: readonly DeviceOption[];
  selected: string | null;
  disabled?: boolean;
  onSelect: (deviceId: string) => void;
}

/** A labelled <select> of capture devices; hidden when there is nothing to choose from. */
export function DeviceSelect({ id, label, devices, selected, disabled = false, onSelect }: Props) {
  if (devices.length === 0) return null;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        class="select"
        value={selected ?? ''}
        disabled={disabled}
        onChange={(event) => onSelect(event.currentTarget.value)}
      >
        {selected === null && <option value="">{t('join.deviceDefault')}</option>}
        {devices.map((device, index) => (
          <option key={device.deviceId} value={device.deviceId}>
            {device.label || t('join.deviceUnnamed', { n: index + 1 })}
          </option>
        ))}
      </select>
    </div>
  );
}
