/**
 * What video this page receives: audio-only (no video sent or consumed, the
 * server told) and the viewport report (which of others' videos are shown,
 * and how large, so that the server sends no more than that). Delegated to by
 * the RoomController; audio-only switches run in its queue of media ops.
 */
import { createLogger } from '../log';
import type { LocalControls } from './LocalControls';
import type { MediaOps } from './MediaOps';
import type { RemoteMedia } from './RemoteMedia';
import type { RoomLink } from './roomLink';
import { ViewportReporter, type ViewportTiles } from './viewport';

const log = createLogger('room');

export class VideoReception {
  /** What this page shows of others' video, reported to the server (setViewport). */
  private readonly viewport = new ViewportReporter({ send: (tiles) => this.sendViewport(tiles) });

  constructor(
    private readonly link: RoomLink,
    private readonly ops: MediaOps,
    private readonly controls: Pick<LocalControls, 'applyCamera'>,
    private readonly remote: Pick<RemoteMedia, 'consumeVideo'>,
  ) {}

  /** Receive and send no video (before joining or during the meeting). */
  setAudioOnly(enabled: boolean): Promise<void> {
    return this.ops.run(() => this.apply(enabled), 'camera');
  }

  /** A <video> showing a remote producer, for the viewport report; returns the way to stop. */
  observe(element: Element, producerId: string): () => void {
    return this.viewport.observe(element, producerId);
  }

  /** The meeting's view is shown: the viewport is reported, unless in audio-only. */
  joined(): void {
    this.viewport.setEnabled(!this.link.state.audioOnly.value);
  }

  /** The socket went: no more reports. */
  stop(): void {
    this.viewport.setEnabled(false);
  }

  dispose(): void {
    this.viewport.dispose();
  }

  /**
   * On: the camera goes off and stays off, no video is consumed, and the
   * server closes the video consumers (consumerClosed forgets their tracks).
   * Off: the others' video is consumed again.
   */
  private async apply(enabled: boolean): Promise<void> {
    const { state } = this.link;
    if (state.audioOnly.value === enabled) return;
    if (enabled && state.cameraEnabled.value) await this.controls.applyCamera(false);
    state.audioOnly.value = enabled; // before the request: no new video consume starts meanwhile
    const session = this.link.session();
    const signaling = this.link.signaling();
    if (state.phase.value !== 'joined' || !session || !signaling) return;
    this.viewport.setEnabled(!enabled);
    try {
      await signaling.request('setAudioOnly', { audioOnly: enabled });
    } catch (error) {
      if (session !== this.link.session()) return;
      state.audioOnly.value = !enabled;
      this.viewport.setEnabled(enabled);
      throw error;
    }
    if (enabled || session !== this.link.session()) return;
    this.remote.consumeVideo(session);
  }

  private sendViewport(tiles: ViewportTiles): void {
    if (this.link.state.phase.value !== 'joined') return;
    this.link
      .signaling()
      ?.request('setViewport', { tiles })
      .catch((error: unknown) => log.debug('setViewport not answered', error));
  }
}
