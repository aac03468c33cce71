/**
 * Where remote sound plays: speaker, earpiece, headset, as the browser
 * names its audio outputs. Only where the browser lets a page choose
 * (`HTMLMediaElement.setSinkId`, Chrome and Edge, Android included; Firefox
 * through `mediaDevices.selectAudioOutput`); hidden elsewhere (iOS Safari
 * routes sound itself: earpiece or speaker follows the phone's own button).
 *
 * The pure functions decide; AudioOutput holds the signals the UI reads and
 * the <audio> elements follow (ui/MediaElements.tsx applies `sinkId`).
 */
import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { detectCapabilities, type CapabilityWindow } from '../env/capabilities';
import { createLogger } from '../log';

const log = createLogger('audio-output');

export interface OutputChoice {
  deviceId: string;
  /** Empty until the user grants the microphone (browsers hide labels before that). */
  label: string;
}

/** How the UI offers the choice. */
export type OutputMode =
  /** The browser cannot route a page's sound: nothing shown. */
  | 'hidden'
  /** A list of the outputs enumerateDevices gives (two or more). */
  | 'list'
  /** The browser's own picker (selectAudioOutput), which also grants the device. */
  | 'picker';

type DeviceLike = Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label'>;

/**
 * The outputs worth showing: audio outputs with an id, once each. Chrome
 * lists 'default' and 'communications' as aliases of real devices:
 * 'default' stays (it follows the system's choice, e.g. a headset plugged
 * in later), 'communications' is dropped (Windows-only alias, confusing).
 */
export function outputChoices(devices: readonly DeviceLike[]): OutputChoice[] {
  const seen = new Set<string>();
  const choices: OutputChoice[] = [];
  for (const device of devices) {
    if (device.kind !== 'audiooutput' || device.deviceId === '' || device.deviceId === 'communications') continue;
    if (seen.has(device.deviceId)) continue;
    seen.add(device.deviceId);
    choices.push({ deviceId: device.deviceId, label: device.label });
  }
  // The system default first, the way the browser's own settings list it.
  return choices.sort((a, b) => Number(b.deviceId === 'default') - Number(a.deviceId === 'default'));
}

export interface OutputSupport {
  /** `'setSinkId' in HTMLMediaElement.prototype` */
  canSetSink: boolean;
  /** `typeof navigator.mediaDevices.selectAudioOutput === 'function'` */
  canPick: boolean;
}

export function outputMode(support: OutputSupport, choices: readonly OutputChoice[]): OutputMode {
  if (!support.canSetSink) return 'hidden';
  // Firefox lists no output before one is granted through its picker.
  if (support.canPick) return 'picker';
  return choices.length >= 2 ? 'list' : 'hidden';
}

/**
 * The sink to apply: the chosen device while it exists, else '' (the
 * browser's default). A device picked through the browser's picker is
 * trusted even if not listed: it was granted just now.
 */
export function effectiveSink(selected: string | null, choices: readonly OutputChoice[], picked: boolean): string {
  if (!selected) return '';
  if (picked || choices.some((c) => c.deviceId === selected)) return selected;
  return '';
}

/** What AudioOutput needs from the browser; tests give a fake. */
export interface OutputEnvironment {
  support: OutputSupport;
  enumerateDevices(): Promise<DeviceLike[]>;
  selectAudioOutput?(): Promise<DeviceLike>;
  onDeviceChange(listener: () => void): void;
}

export function browserOutputEnvironment(win: Window): OutputEnvironment {
  const media = win.navigator.mediaDevices as (MediaDevices & { selectAudioOutput?: () => Promise<MediaDeviceInfo> }) | undefined;
  const { audioOutput } = detectCapabilities(win as unknown as CapabilityWindow);
  const canSetSink = audioOutput !== 'none';
  const canPick = audioOutput === 'picker';
  return {
    support: { canSetSink, canPick },
    enumerateDevices: () => media?.enumerateDevices() ?? Promise.resolve([]),
    ...(canPick && media?.selectAudioOutput ? { selectAudioOutput: () => media.selectAudioOutput!() } : {}),
    onDeviceChange: (listener) => media?.addEventListener?.('devicechange', listener),
  };
}

export interface AudioOutputActions {
  select(deviceId: string): void;
  /** Opens the browser's picker (mode 'picker'); a refusal changes nothing. */
  pick(): Promise<void>;
}

export class AudioOutput implements AudioOutputActions {
  readonly choices = signal<readonly OutputChoice[]>([]);
  readonly selectedId = signal<string | null>(null);
  private readonly picked = signal(false);
  /** The label of a device granted through the picker (it may not be listed). */
  readonly pickedLabel = signal('');
  readonly mode: ReadonlySignal<OutputMode>;
  /** What every remote <audio> element plays to ('' = the browser's default). */
  readonly sinkId: ReadonlySignal<string>;

  constructor(private readonly env: OutputEnvironment) {
    this.mode = computed(() => outputMode(env.support, this.choices.value));
    this.sinkId = computed(() => effectiveSink(this.selectedId.value, this.choices.value, this.picked.value));
    if (env.support.canSetSink) env.onDeviceChange(() => void this.refresh());
  }

  /** Re-reads the outputs (labels appear once the microphone is granted). Never rejects. */
  async refresh(): Promise<void> {
    if (!this.env.support.canSetSink) return;
    try {
      this.choices.value = outputChoices(await this.env.enumerateDevices());
    } catch (error) {
      log.warn('enumerateDevices failed', error);
    }
  }

  select(deviceId: string): void {
    this.picked.value = false;
    this.selectedId.value = deviceId === '' ? null : deviceId;
  }

  async pick(): Promise<void> {
    if (!this.env.selectAudioOutput) return;
    try {
      const device = await this.env.selectAudioOutput();
      this.picked.value = true;
      this.pickedLabel.value = device.label;
      this.selectedId.value = device.deviceId;
    } catch (error) {
      // Dismissed by the user (NotAllowedError) or no output: keep the current one.
      log.info('no audio output picked', error);
    }
  }
}
