/**
 * The meeting's recording as this page sees it, on the meeting's socket
 * (lent by the RoomController like the chat's): asked at each hello
 * (`recordingStatus`, so the join screen knows before anyone enters) and
 * kept by `recordingState`. Moderators start and stop it.
 *
 * Actions resolve, never reject: failures go to `error` and the log.
 */
import { signal, type Signal } from '@preact/signals';
import type { NotificationData, RecordingInfo } from '@chantier/signaling/protocol';
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';

const log = createLogger('recording');

export interface RecordingSignals {
  /** The recording in progress, or null. */
  recording: Signal<RecordingInfo | null>;
  /** A start or stop on its way. */
  busy: Signal<boolean>;
  /** The error code of the last failed action. */
  error: Signal<string | null>;
}

export interface RecordingActions {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createRecordingState(): RecordingSignals {
  return { recording: signal(null), busy: signal(false), error: signal(null) };
}

export class RecordingController implements RecordingActions {
  #socket: SignalingChannel | null = null;
  #off: Array<() => void> = [];

  constructor(readonly state: RecordingSignals) {}

  attach(socket: SignalingChannel): void {
    this.detach();
    this.#socket = socket;
    this.#off.push(socket.onNotification('recordingState', (data) => this.#onState(data)));
    socket
      .request('recordingStatus', {})
      .then(({ recording }) => {
        if (this.#socket === socket) this.state.recording.value = recording;
      })
      .catch((error: unknown) => log.warn('recording status', error));
  }

  detach(): void {
    for (const off of this.#off) off();
    this.#off = [];
    this.#socket = null;
  }

  start(): Promise<void> {
    return this.#act('recordingStart', async (socket) => {
      const { recording } = await socket.request('recordingStart', {});
      this.state.recording.value = recording;
    });
  }

  stop(): Promise<void> {
    return this.#act('recordingStop', async (socket) => {
      await socket.request('recordingStop', {});
      this.state.recording.value = null;
    });
  }

  #onState(data: NotificationData<'recordingState'>): void {
    this.state.recording.value = data.recording;
  }

  async #act(name: string, task: (socket: SignalingChannel) => Promise<void>): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.state.busy.value) return;
    this.state.busy.value = true;
    this.state.error.value = null;
    try {
      await task(socket);
    } catch (error) {
      log.warn(name, error);
      this.state.error.value = errorCodeOf(error);
    } finally {
      this.state.busy.value = false;
    }
  }
}
