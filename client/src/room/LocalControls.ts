/**
 * This page's microphone and camera during a meeting's life: the lobby's
 * devices, the toggles, device switches, and a device lost on the way, each
 * in step with the producer that sends it (paused, resumed, its track
 * replaced). Delegated to by the RoomController; every change runs in its
 * queue of media ops, so that tracks are never opened twice.
 */
import type { RoomState } from '../state/roomState';
import type { LocalKind, LocalMedia } from './LocalMedia';
import type { MediaOps } from './MediaOps';
import type { MediaSession } from './mediaSessionLoader';
import type { LocalSource } from './producerOptions';
import type { RoomLink } from './roomLink';

export class LocalControls {
  constructor(
    private readonly link: RoomLink,
    private readonly ops: MediaOps,
    private readonly local: LocalMedia,
    /** The user unmuted (the server agreed): a moderator's past mute is forgotten. */
    private readonly unmuted: () => void,
  ) {}

  private get state(): RoomState {
    return this.link.state;
  }

  private get session(): MediaSession | null {
    return this.link.session();
  }

  selectAudioInput(deviceId: string): Promise<void> {
    return this.ops.run(async () => {
      this.state.selectedAudioInputId.value = deviceId;
      if (!this.local.micTrack) return; // applies when the mic is next turned on
      await this.local.open({ audio: true, video: false });
      await this.afterTrackSwitch('mic', this.local.micTrack);
    }, 'mic');
  }

  selectVideoInput(deviceId: string): Promise<void> {
    return this.ops.run(async () => {
      this.state.selectedVideoInputId.value = deviceId;
      if (!this.local.cameraTrack) return;
      await this.local.open({ audio: false, video: true });
      await this.afterTrackSwitch('camera', this.local.cameraTrack);
    }, 'camera');
  }

  setMicEnabled(enabled: boolean): Promise<void> {
    return this.ops.run(() => this.applyMic(enabled), 'mic');
  }

  setCameraEnabled(enabled: boolean): Promise<void> {
    return this.ops.run(() => this.applyCamera(enabled), 'camera');
  }

  /** The lobby's microphone and camera as the user chose them (run in the queue). */
  async openLobbyMedia(): Promise<void> {
    const { micEnabled, cameraEnabled } = this.state;
    const generation = this.link.generation();
    if (this.state.audioOnly.value) cameraEnabled.value = false; // a call link said audio-only
    await this.local.open({ audio: micEnabled.value, video: cameraEnabled.value });
    if (generation !== this.link.generation()) return; // left meanwhile: keep the user's choices
    // A device that could not be opened is shown as off, with the reason beside it.
    if (!this.local.micTrack) micEnabled.value = false;
    if (!this.local.cameraTrack) cameraEnabled.value = false;
    if (!micEnabled.value && !cameraEnabled.value) await this.local.refreshDevices();
  }

  private async applyMic(enabled: boolean): Promise<void> {
    const { micEnabled } = this.state;
    const phase = this.state.phase.value;
    const session = this.session;
    if (enabled === micEnabled.value && (!enabled || this.local.micTrack)) return;
    if (phase === 'lobby') {
      if (enabled) await this.local.open({ audio: true, video: false });
      else this.local.stop('audio');
      micEnabled.value = enabled && this.local.micTrack !== null;
      return;
    }
    if (phase !== 'joined' || !session) return;

    if (!enabled) {
      micEnabled.value = false; // at once: the user must see they are muted
      await session.setPaused('mic', true);
      return;
    }
    if (session.hasProducer('mic') && this.local.micTrack) {
      await this.resumeProducer(session, 'mic');
      return;
    }
    // Joined with the mic off, or the mic was lost: open it and send it now.
    if (!this.local.micTrack) await this.local.open({ audio: true, video: false });
    const track = this.local.micTrack;
    if (!track) return; // the issue is in state
    try {
      if (session.hasProducer('mic')) await session.replaceTrack('mic', track);
      else await session.produce('mic', track);
      await this.resumeProducer(session, 'mic');
    } catch (error) {
      this.local.stop('audio'); // not sent, so not open either
      throw error;
    }
  }

  /** Turns the camera on or off (run in the queue; audio-only turns it off this way). */
  async applyCamera(enabled: boolean): Promise<void> {
    const { cameraEnabled } = this.state;
    const phase = this.state.phase.value;
    const session = this.session;
    if (enabled === cameraEnabled.value && (!enabled || this.local.cameraTrack)) return;
    if (enabled && this.state.audioOnly.value) return; // no camera in audio-only
    if (phase === 'lobby') {
      if (enabled) await this.local.open({ audio: false, video: true });
      else this.local.stop('video');
      cameraEnabled.value = enabled && this.local.cameraTrack !== null;
      return;
    }
    if (phase !== 'joined' || !session) return;

    if (!enabled) {
      cameraEnabled.value = false;
      try {
        await session.setPaused('camera', true);
        await session.replaceTrack('camera', null);
      } finally {
        // Whatever the server said, the camera light goes off.
        this.local.stop('video');
      }
      return;
    }
    await this.local.open({ audio: false, video: true });
    const track = this.local.cameraTrack;
    if (!track) return; // the issue is in state
    try {
      if (session.hasProducer('camera')) {
        await session.replaceTrack('camera', track);
        await this.resumeProducer(session, 'camera');
      } else {
        await session.produce('camera', track);
        cameraEnabled.value = true;
      }
    } catch (error) {
      this.local.stop('video'); // not sent: the camera light must not stay on
      throw error;
    }
  }

  /** Resumes locally and on the server; the toggle shows on only once both agreed. */
  private async resumeProducer(session: MediaSession, source: LocalSource): Promise<void> {
    const flag = source === 'mic' ? this.state.micEnabled : this.state.cameraEnabled;
    await session.setPaused(source, false);
    flag.value = true;
    if (source === 'mic') this.unmuted();
  }

  /** After a device switch: hand the new track to the producer, or reflect its loss. */
  private async afterTrackSwitch(source: LocalSource, track: MediaStreamTrack | null): Promise<void> {
    const flag = source === 'mic' ? this.state.micEnabled : this.state.cameraEnabled;
    if (!track) {
      flag.value = false;
      if (this.session?.hasProducer(source)) {
        await this.session.setPaused(source, true);
        await this.session.replaceTrack(source, null);
      }
      return;
    }
    await this.session?.replaceTrack(source, track);
  }

  /** A device's track ended (unplugged, taken by another app, the producer's track ended). */
  trackEnded(kind: LocalKind): void {
    const source: LocalSource = kind === 'audio' ? 'mic' : 'camera';
    // MediaOps.run catches and logs, so this promise cannot reject.
    void this.ops.run(async () => {
      (kind === 'audio' ? this.state.micEnabled : this.state.cameraEnabled).value = false;
      this.local.stop(kind);
      const session = this.session;
      if (session?.hasProducer(source)) {
        await session.setPaused(source, true);
        await session.replaceTrack(source, null);
      }
    }, source);
  }
}
