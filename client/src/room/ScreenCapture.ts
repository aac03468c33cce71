/**
 * The captured screen, window or tab, and its audio when the browser offers
 * it. Owned by the RoomController like LocalMedia: this class opens the
 * browser's picker, marks the track for screen content, stops the tracks,
 * and reports when the browser ends them (its own "Stop sharing" bar). It
 * never talks to the server.
 */
import { hasDisplayMedia } from '../env/capabilities';
import { createLogger } from '../log';
import { SCREEN_CONTENT_HINT } from './producerOptions';

const log = createLogger('screen-capture');

/** Chrome's options beyond the DOM typings (all ignored where unknown). */
interface DisplayOptions extends DisplayMediaStreamOptions {
  systemAudio?: 'include' | 'exclude';
  surfaceSwitching?: 'include' | 'exclude';
  monitorTypeSurfaces?: 'include' | 'exclude';
}

interface DisplayAudioConstraints extends MediaTrackConstraints {
  /** Leaves this page's own sound (the meeting's voices) out of system audio: no echo. */
  restrictOwnAudio?: boolean;
}

const AUDIO: DisplayAudioConstraints = {
  // A film's sound track or a machine's noise, not a voice in a room: no voice processing.
  echoCancellation: false,
  noiseSuppression: false,
  autoGainControl: false,
  restrictOwnAudio: true,
};

/**
 * Full HD at most: what a viewer's screen shows, and what the uplink budget
 * (see SCREEN_MAX_BITRATE) keeps sharp; larger screens are scaled down with
 * their aspect ratio, and viewers zoom. Frames come only when the picture
 * changes, so the 30 fps cap costs nothing on a still plan.
 */
export const DISPLAY_OPTIONS: DisplayOptions = {
  video: { width: { max: 1920 }, height: { max: 1080 }, frameRate: { max: 30 } },
  audio: AUDIO,
  systemAudio: 'include',
  surfaceSwitching: 'include',
  monitorTypeSurfaces: 'include',
};

export type DisplayMediaLike = Pick<MediaDevices, 'getDisplayMedia'>;

export type ScreenOpenResult = 'opened' | 'cancelled' | 'failed' | 'unsupported';

/** NotAllowedError is the person closing the picker (or a policy): not worth an error message. */
export function classifyDisplayError(error: unknown): 'cancelled' | 'failed' {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  return name === 'NotAllowedError' ? 'cancelled' : 'failed';
}

export class ScreenCapture {
  private video: MediaStreamTrack | null = null;
  private audio: MediaStreamTrack | null = null;
  /** Bumped by stop(): a picker answered afterwards is too late and its tracks are stopped. */
  private epoch = 0;

  constructor(
    private readonly media: Partial<DisplayMediaLike> | null,
    /** A live track was ended by the browser (its sharing bar, the window closed). */
    private readonly onEnded: (kind: 'video' | 'audio') => void,
  ) {}

  /**
   * Phones' browsers have no getDisplayMedia, nor has a page outside a secure
   * context: the share button is not shown there (env/capabilities.ts says why).
   */
  get supported(): boolean {
    return hasDisplayMedia(this.media);
  }

  get videoTrack(): MediaStreamTrack | null {
    return this.video;
  }

  get audioTrack(): MediaStreamTrack | null {
    return this.audio;
  }

  /** Opens the picker. Must run in the click's handler chain (transient user activation). */
  async open(): Promise<ScreenOpenResult> {
    const media = this.media;
    if (!media?.getDisplayMedia) return 'unsupported';
    this.stop();
    const epoch = this.epoch;
    let stream: MediaStream;
    try {
      stream = await media.getDisplayMedia(DISPLAY_OPTIONS);
    } catch (error) {
      const result = classifyDisplayError(error);
      if (result === 'failed') log.warn('getDisplayMedia failed', error);
      return result;
    }
    const video = stream.getVideoTracks()[0] ?? null;
    const audio = stream.getAudioTracks()[0] ?? null;
    if (epoch !== this.epoch || !video) {
      // Left the meeting (or stopped) while the picker was open.
      for (const track of stream.getTracks()) track.stop();
      return video ? 'cancelled' : 'failed';
    }
    video.contentHint = SCREEN_CONTENT_HINT;
    video.addEventListener('ended', this.handleEnded);
    audio?.addEventListener('ended', this.handleEnded);
    this.video = video;
    this.audio = audio;
    const { width, height, displaySurface } = video.getSettings();
    log.info(`capturing a ${displaySurface ?? 'surface'} at ${width}x${height}${audio ? ' with audio' : ''}`);
    return 'opened';
  }

  /** Stops both tracks (the browser's sharing bar goes away). Idempotent. */
  stop(): void {
    this.epoch++;
    this.stopAudio();
    if (this.video) {
      this.video.removeEventListener('ended', this.handleEnded);
      this.video.stop();
      this.video = null;
    }
  }

  stopAudio(): void {
    if (!this.audio) return;
    this.audio.removeEventListener('ended', this.handleEnded);
    this.audio.stop();
    this.audio = null;
  }

  private readonly handleEnded = (event: Event): void => {
    const kind = event.target === this.video ? 'video' : event.target === this.audio ? 'audio' : null;
    if (!kind) return;
    log.info(`shared ${kind} ended by the browser`);
    this.onEnded(kind);
  };
}
