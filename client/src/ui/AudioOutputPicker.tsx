import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { t } from '../i18n';
import type { AudioOutput } from '../phone/audioOutput';
import { act } from './act';
import { SpeakerIcon } from './icons';

/** The meeting's audio output (speaker, earpiece, headset); null outside a meeting. */
export const AudioOutputContext = createContext<AudioOutput | null>(null);

export function useAudioOutput(): AudioOutput | null {
  return useContext(AudioOutputContext);
}

/**
 * Chooses where remote sound plays, the way the browser allows it: a list
 * (Chrome, Android included), the browser's own picker (Firefox), or
 * nothing at all (iOS Safari, which routes sound itself).
 */
export function AudioOutputPicker({ id }: { id: string }) {
  const output = useAudioOutput();
  if (!output) return null;
  const mode = output.mode.value;
  if (mode === 'hidden') return null;
  if (mode === 'picker') {
    const label = output.pickedLabel.value;
    return (
      <button type="button" class="button sheet__item" data-testid="audio-output-pick" onClick={() => act(output.pick())}>
        <SpeakerIcon />
        <span>{label ? t('audioOutput.current', { name: label }) : t('audioOutput.pick')}</span>
      </button>
    );
  }
  const selected = output.sinkId.value;
  return (
    <div class="field">
      <label for={id}>{t('audioOutput.label')}</label>
      <select
        id={id}
        class="select"
        data-testid="audio-output"
        value={selected}
        onChange={(event) => output.select(event.currentTarget.value)}
      >
        {!output.choices.value.some((c) => c.deviceId === 'default') && <option value="">{t('audioOutput.default')}</option>}
        {output.choices.value.map((choice, index) => (
          <option key={choice.deviceId} value={choice.deviceId === 'default' ? '' : choice.deviceId}>
            {choice.label || (choice.deviceId === 'default' ? t('audioOutput.default') : t('audioOutput.unnamed', { n: index + 1 }))}
          </option>
        ))}
      </select>
    </div>
  );
}
