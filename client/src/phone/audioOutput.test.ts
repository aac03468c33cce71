import { describe, expect, it } from 'vitest';
import { AudioOutput, effectiveSink, outputChoices, outputMode, type OutputEnvironment } from './audioOutput';

const device = (kind: MediaDeviceKind, deviceId: string, label = '') => ({ kind, deviceId, label });

const PHONE_DEVICES = [
  device('audioinput', 'default', 'Micro'),
  device('audiooutput', 'earpiece', 'Écouteur'),
  device('audiooutput', 'default', 'Par défaut'),
  device('audiooutput', 'speaker', 'Haut-parleur'),
  device('audiooutput', 'communications', 'Communications'),
  device('audiooutput', 'speaker', 'Haut-parleur'),
  device('videoinput', 'cam', 'Caméra arrière'),
];

describe('outputChoices', () => {
  it('keeps audio outputs once each, the default first, without the communications alias', () => {
    expect(outputChoices(PHONE_DEVICES)).toEqual([
      { deviceId: 'default', label: 'Par défaut' },
      { deviceId: 'earpiece', label: 'Écouteur' },
      { deviceId: 'speaker', label: 'Haut-parleur' },
    ]);
  });

  it('drops outputs without an id (listed before any permission)', () => {
    expect(outputChoices([device('audiooutput', ''), device('audiooutput', '')])).toEqual([]);
  });
});

describe('outputMode', () => {
  const two = outputChoices(PHONE_DEVICES).slice(0, 2);
  it('is hidden where the page cannot route sound (iOS Safari), whatever is listed', () => {
    expect(outputMode({ canSetSink: false, canPick: false }, two)).toBe('hidden');
    expect(outputMode({ canSetSink: false, canPick: true }, two)).toBe('hidden');
  });
  it('lists two outputs or more, hides a lone one', () => {
    expect(outputMode({ canSetSink: true, canPick: false }, two)).toBe('list');
    expect(outputMode({ canSetSink: true, canPick: false }, two.slice(0, 1))).toBe('hidden');
  });
  it('prefers the browser picker where there is one (Firefox lists nothing before it)', () => {
    expect(outputMode({ canSetSink: true, canPick: true }, [])).toBe('picker');
  });
});

describe('effectiveSink', () => {
  const choices = outputChoices(PHONE_DEVICES);
  it('applies a listed choice, and falls back to the default when it goes (headset unplugged)', () => {
    expect(effectiveSink('speaker', choices, false)).toBe('speaker');
    expect(effectiveSink('headset', choices, false)).toBe('');
    expect(effectiveSink(null, choices, false)).toBe('');
  });
  it('trusts a device granted through the picker even if not listed', () => {
    expect(effectiveSink('bt-headset', [], true)).toBe('bt-headset');
  });
});

function fakeEnv(overrides: Partial<OutputEnvironment> = {}) {
  let devices = PHONE_DEVICES;
  const listeners: Array<() => void> = [];
  const env: OutputEnvironment = {
    support: { canSetSink: true, canPick: false },
    enumerateDevices: () => Promise.resolve(devices),
    onDeviceChange: (listener) => listeners.push(listener),
    ...overrides,
  };
  return {
    env,
    unplug(id: string) {
      devices = devices.filter((d) => d.deviceId !== id);
      for (const l of listeners) l();
    },
  };
}

describe('AudioOutput', () => {
  it('follows the selection, then the default when the chosen output disappears', async () => {
    const { env, unplug } = fakeEnv();
    const output = new AudioOutput(env);
    await output.refresh();
    expect(output.mode.value).toBe('list');
    output.select('earpiece');
    expect(output.sinkId.value).toBe('earpiece');
    unplug('earpiece');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(output.choices.value.map((c) => c.deviceId)).toEqual(['default', 'speaker']);
    expect(output.sinkId.value).toBe('');
    output.select('');
    expect(output.selectedId.value).toBeNull();
  });

  it('takes the device the browser picker returns, and keeps the current one when dismissed', async () => {
    let answer: Promise<{ kind: MediaDeviceKind; deviceId: string; label: string }> = Promise.resolve(
      device('audiooutput', 'bt', 'Casque'),
    );
    const { env } = fakeEnv({
      support: { canSetSink: true, canPick: true },
      enumerateDevices: () => Promise.resolve([]),
      selectAudioOutput: () => answer,
    });
    const output = new AudioOutput(env);
    expect(output.mode.value).toBe('picker');
    await output.pick();
    expect(output.sinkId.value).toBe('bt');
    expect(output.pickedLabel.value).toBe('Casque');
    answer = Promise.reject(new DOMException('dismissed', 'NotAllowedError'));
    await output.pick();
    expect(output.sinkId.value).toBe('bt');
  });

  it('never lists anything where the page cannot route sound', async () => {
    let asked = 0;
    const { env } = fakeEnv({
      support: { canSetSink: false, canPick: false },
      enumerateDevices: () => {
        asked++;
        return Promise.resolve(PHONE_DEVICES);
      },
    });
    const output = new AudioOutput(env);
    await output.refresh();
    expect(asked).toBe(0);
    expect(output.mode.value).toBe('hidden');
  });
});
