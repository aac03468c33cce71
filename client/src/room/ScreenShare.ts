/**
 * This page's screen share: the browser's picker (ScreenCapture.ts), the
 * producers of the picture and its sound, and their end (the app's button,
 * the browser's own bar). Delegated to by the RoomController; the producers
 * are made and closed through its queue of media ops.
 */
import { createLogger } from '../log';
import type { RoomState } from '../state/roomState';
import type { MediaOps } from './MediaOps';
import type { MediaSession } from './mediaSessionLoader';
import type { RoomLink } from './roomLink';
import type { ScreenCapture } from './ScreenCapture';

const log = createLogger('room');

export class ScreenShare {
  constructor(
    private readonly link: RoomLink,
    private readonly ops: MediaOps,
    private readonly screen: ScreenCapture,
    /** The screen's producer is made (its id): the first still picture is made then (ScreenStills.ts). */
    private readonly onProduced: (producerId: string) => void = () => {},
    /** The capture opened, its producer to come: the stills start reading its frames (ScreenStills.ts). */
    private readonly onCaptured: () => void = () => {},
  ) {}

  private get state(): RoomState {
    return this.link.state;
  }

  private get session(): MediaSession | null {
    return this.link.session();
  }

  /** Opens the browser's picker and shares what is picked; false stops sharing. */
  async setSharing(enabled: boolean): Promise<void> {
    const { screenShare, screenIssue } = this.state;
    if (!enabled) {
      await this.ops.run(() => this.stopScreenShare(), 'screen');
      return;
    }
    if (screenShare.value !== 'off' || this.state.phase.value !== 'joined' || !this.session) return;
    const generation = this.link.generation();
    screenShare.value = 'starting';
    screenIssue.value = null;
    // The picker opens now, not after queued camera work: browsers allow it only
    // shortly after the click. It touches no producer, so it needs no queue.
    const opened = await this.screen.open();
    if (generation !== this.link.generation()) return; // left meanwhile; teardown stopped the capture
    if (opened !== 'opened') {
      screenShare.value = 'off';
      if (opened === 'failed') screenIssue.value = 'FAILED';
      return;
    }
    this.onCaptured();
    await this.ops.run(() => this.produceScreen(), 'screen');
  }

  /** Hides the notice of a share that could not start. */
  dismissIssue(): void {
    this.state.screenIssue.value = null;
  }

  private async produceScreen(): Promise<void> {
    const session = this.session;
    const video = this.screen.videoTrack;
    // Stopped (by the browser's bar or the app) while waiting in the queue.
    if (!session || !video || this.state.screenShare.value !== 'starting') {
      this.screen.stop();
      if (this.state.screenShare.value === 'starting') this.state.screenShare.value = 'off';
      return;
    }
    try {
      await session.produce('screen', video);
      if (session !== this.session) return;
      // On once the picture is sent: the sound follows (measured on a loaded host: its produce answered
      // 4-7 s after the screen's, and the button waited for it).
      this.state.screenShare.value = 'on';
      // The share's stills, made once a viewer is found weak (the server judges them all at this
      // produce: StillSender.ts); they no longer hold the button.
      const producerId = session.producerIdOf('screen');
      if (producerId) this.onProduced(producerId);
      const audio = this.screen.audioTrack;
      if (audio) {
        await session.produce('screen-audio', audio).catch((error: unknown) => {
          // The picture is what matters: share it without the sound.
          log.warn('cannot send the shared audio', error);
          this.screen.stopAudio();
        });
      }
    } catch (error) {
      if (session !== this.session) return;
      log.error('cannot share the screen', error);
      await this.stopScreenShare();
      this.state.screenIssue.value = 'FAILED';
    }
  }

  /** Ends the capture at once (the browser's bar goes), then the producers here and on the server. */
  private async stopScreenShare(): Promise<void> {
    this.screen.stop();
    this.state.screenShare.value = 'off';
    const session = this.session;
    if (!session) return;
    await session.closeProducer('screen');
    await session.closeProducer('screen-audio');
  }

  /** The browser ended a shared track (its "Stop sharing" bar, the shared window closed). */
  ended(kind: 'video' | 'audio'): void {
    // MediaOps.run catches and logs, so this promise cannot reject.
    void this.ops.run(async () => {
      if (kind === 'video') {
        await this.stopScreenShare();
        return;
      }
      this.screen.stopAudio();
      await this.session?.closeProducer('screen-audio');
    }, 'screen');
  }
}
