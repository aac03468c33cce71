/**
 * Still pictures of shared screens for weak downlinks (issue 21): this
 * page's share as a sharer (StillSender.ts) and the others' as a viewer
 * (StillReceiver.ts), wired to their notifications. Delegated to by the
 * RoomController.
 */
import type { Connection } from '../signaling/Connection';
import type { RoomState } from '../state/roomState';
import type { StillEndpoint } from './stillEndpoint';
import { StillReceiver } from './StillReceiver';
import { StillSender } from './StillSender';

export class ScreenStills {
  readonly #sender: StillSender;
  readonly #receiver: StillReceiver;

  constructor(state: RoomState, screenTrack: () => MediaStreamTrack | null, endpoint: () => StillEndpoint | null) {
    this.#sender = new StillSender(screenTrack, endpoint);
    this.#receiver = new StillReceiver(state.screenStills, endpoint);
  }

  /** This page's screen capture opened (its produce to come): its frames are read from now (StillSender.ts). */
  captured(): void {
    this.#sender.captured();
  }

  /** This page's screen is produced: its first still is made and kept on the server (StillSender.ts). */
  shareStarted(producerId: string): void {
    this.#sender.shareStarted(producerId);
  }

  subscribe(signaling: Connection): Array<() => void> {
    return [
      signaling.onNotification('screenStillWanted', ({ producerId, wanted }) => this.#sender.wanted(producerId, wanted)),
      signaling.onNotification('screenStill', ({ peerId, producerId, version }) => void this.#receiver.announced(peerId, producerId, version)),
      signaling.onNotification('producerAdded', ({ producer }) => {
        if (producer.source === 'screen') this.#receiver.prepare(producer.producerId);
      }),
      signaling.onNotification('producerClosed', ({ producerId }) => this.#receiver.producerClosed(producerId)),
    ];
  }

  /** Teardown: nothing sent, nothing shown. */
  reset(): void {
    this.#sender.stop();
    this.#receiver.clear();
  }
}
