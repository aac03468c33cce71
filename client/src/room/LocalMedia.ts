/**
 * The local microphone and camera tracks and the device lists. Owned by the
 * RoomController, which serialises the calls; this class only opens, stops and
 * publishes tracks to state. It never talks to the server.
 */
import type { RoomState } from '../state/roomState';
import { createLogger } from '../log';
import { AUDIO_CONSTRAINTS, VIDEO_CONSTRAINTS, acquireTracks, listDevices, withDevice, type MediaDevicesLike } from './media';

const log = createLogger('local-media');

export type LocalKind = 'audio' | 'video';

export class LocalMedia {
  private mic: MediaStreamTrack | null = null;
  private camera: MediaStreamTrack | null = null;
  private readonly media: (MediaDevicesLike & Partial<Pick<MediaDevices, 'addEventListener' | 'removeEventListener'>>) | null;
  private watching = false;
  /** Bumped by stopAll(): a getUserMedia that resolves afterwards is too late and is stopped. */
  private epoch = 0;

  constructor(
    private readonly state: RoomState,
    media: MediaDevices | null,
    /** Called when a live track ends on its own (device unplugged, permission revoked). */
    private readonly onTrackEnded: (kind: LocalKind) => void,
  ) {
    this.media = media;
  }

  get micTrack(): MediaStreamTrack | null {
    return this.mic;
  }

  get cameraTrack(): MediaStreamTrack | null {
    return this.camera;
  }

  /**
   * Replaces the asked tracks with fresh ones from the selected devices. The
   * old track is stopped first: many phones cannot open a camera twice.
   * Returns nothing; the outcome is in state (tracks and issues).
   */
  async open(kinds: { audio: boolean; video: boolean }): Promise<void> {
    if (kinds.audio) this.stop('audio');
    if (kinds.video) this.stop('video');
    const epoch = this.epoch;
    const acquired = await acquireTracks(this.media, {
      audio: kinds.audio ? withDevice(AUDIO_CONSTRAINTS, this.state.selectedAudioInputId.value) : null,
      video: kinds.video ? withDevice(VIDEO_CONSTRAINTS, this.state.selectedVideoInputId.value) : null,
    });
    if (epoch !== this.epoch) {
      // The user left while the browser was opening the devices (or asking for permission).
      acquired.audio?.stop();
      acquired.video?.stop();
      return;
    }
    if (kinds.audio) {
      this.set('audio', acquired.audio);
      this.state.audioIssue.value = acquired.audioIssue;
    }
    if (kinds.video) {
      this.set('video', acquired.video);
      this.state.videoIssue.value = acquired.videoIssue;
    }
    // Labels are only readable once a device was granted: list them again.
    if (acquired.audio || acquired.video) await this.refreshDevices();
  }

  stop(kind: LocalKind): void {
    this.set(kind, null);
  }

  stopAll(): void {
    this.epoch++;
    this.stop('audio');
    this.stop('video');
  }

  async refreshDevices(): Promise<void> {
    try {
      const { audioInputs, videoInputs } = await listDevices(this.media);
      this.state.audioInputs.value = audioInputs;
      this.state.videoInputs.value = videoInputs;
    } catch (error) {
      log.warn('enumerateDevices failed', error);
    }
  }

  /** Keeps the device lists current while plugging headsets in and out. */
  watchDevices(): void {
    if (this.watching || !this.media?.addEventListener) return;
    this.media.addEventListener('devicechange', this.handleDeviceChange);
    this.watching = true;
  }

  dispose(): void {
    this.stopAll();
    if (this.watching) this.media?.removeEventListener?.('devicechange', this.handleDeviceChange);
    this.watching = false;
  }

  private readonly handleDeviceChange = (): void => {
    this.refreshDevices().catch((error: unknown) => log.warn('device refresh failed', error));
  };

  private set(kind: LocalKind, track: MediaStreamTrack | null): void {
    const previous = kind === 'audio' ? this.mic : this.camera;
    if (previous === track) return;
    if (previous) {
      previous.removeEventListener('ended', this.handleEnded);
      previous.stop();
    }
    if (track) {
      track.addEventListener('ended', this.handleEnded);
      // Show the device actually opened, which is the default one when none was chosen.
      const deviceId = track.getSettings().deviceId ?? null;
      if (kind === 'audio') this.state.selectedAudioInputId.value = deviceId;
      else this.state.selectedVideoInputId.value = deviceId;
    }
    if (kind === 'audio') {
      this.mic = track;
      this.state.localAudioTrack.value = track;
    } else {
      this.camera = track;
      this.state.localVideoTrack.value = track;
    }
  }

  private readonly handleEnded = (event: Event): void => {
    const track = event.target;
    const kind: LocalKind | null = track === this.mic ? 'audio' : track === this.camera ? 'video' : null;
    if (!kind) return;
    log.warn(`local ${kind} track ended by the browser`);
    this.stop(kind);
    (kind === 'audio' ? this.state.audioIssue : this.state.videoIssue).value = 'NO_DEVICE';
    this.onTrackEnded(kind);
  };
}
