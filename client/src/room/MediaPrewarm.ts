/**
 * The media session made while the person is still on the join screen: the
 * mediasoup Device loaded and both transports created as soon as the hello
 * is answered, so that the press of "Rejoindre" sends only `join` and
 * `produce` (docs/PROTOCOL.md "Joining fast"). A guest who may have to wait
 * for a moderator gets the Device only: the server refuses transports before
 * admission, and the join makes them once admitted.
 *
 * Once made, the transports connect there too (the probe, probe.ts), and the
 * meeting's consumers are made there, paused until the join resumes them
 * (MediaSession.prepareConsumers).
 *
 * The session belongs to this object until `take()`, then to the caller.
 */
import type { ResponseData } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';
import { SignalingError } from '../signaling/SignalingError';
import { markJoin } from './joinTimeline';
import { loadMediaSession, type MediaSession } from './mediaSessionLoader';
import type { ScreenTuning } from './screenTuning';

const log = createLogger('prewarm');

type Hello = ResponseData<'hello'>;

export class MediaPrewarm {
  private made: MediaSession | null = null;
  private readonly ready: Promise<MediaSession>;
  private taken = false;
  private closed = false;

  constructor(
    signaling: SignalingChannel,
    hello: Hello,
    screenTuning: ScreenTuning,
    options: {
      /** Make the transports too (not for a guest who may have to wait). */
      transports: boolean;
      /** The lobby's audio-only choice: the receive transport's estimate starts low. */
      audioOnly: boolean;
    },
  ) {
    this.ready = this.prepare(signaling, hello, screenTuning, options);
    // A failure is the join's to report (take() rethrows it).
    this.ready.catch(() => undefined);
  }

  /** The session being prepared, once its Device is loaded (for new TURN credentials). */
  get session(): MediaSession | null {
    return this.taken ? null : this.made;
  }

  /**
   * The session, ready to join: both transports made (those the lobby did not
   * make are made now). From here on the caller owns it.
   */
  async take(): Promise<MediaSession> {
    const session = await this.ready;
    if (this.closed) throw new SignalingError('CONNECTION_LOST', 'the lobby was left');
    this.taken = true;
    if (!session.hasTransports) await session.createTransports();
    return session;
  }

  /** The lobby is gone (left, socket lost, joined with another session): a session not taken is closed. */
  close(): void {
    this.closed = true;
    if (!this.taken) this.made?.close();
  }

  private async prepare(
    signaling: SignalingChannel,
    hello: Hello,
    screenTuning: ScreenTuning,
    options: { transports: boolean; audioOnly: boolean },
  ): Promise<MediaSession> {
    const session = await (await loadMediaSession()).MediaSession.create(signaling, hello, screenTuning);
    if (this.closed) {
      session.close();
      throw new SignalingError('CONNECTION_LOST', 'the lobby was left');
    }
    this.made = session;
    markJoin('device-loaded');
    if (options.transports) {
      // Not fatal here: take() makes what is missing, and reports a failure then.
      await session
        .createTransports({ audioOnly: options.audioOnly })
        .then(() => {
          // Not awaited: the press need not wait for them (mediasoup-client queues what comes after,
          // the session's consume queue puts the join's consumers after these).
          session.connectEarly().catch((error: unknown) => log.info('transports not connected on the join screen', error));
          session
            .prepareConsumers(options.audioOnly)
            .catch((error: unknown) => log.info('the meeting\'s consumers not made on the join screen', error));
        })
        .catch((error: unknown) => log.info('transports not made on the join screen: made at the press', error));
    }
    return session;
  }
}
