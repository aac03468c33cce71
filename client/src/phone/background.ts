/**
 * A phone's meeting going to the background (home button, another app, the
 * screen turned off) and coming back:
 * - the sound goes on: the microphone is NOT touched, so the foreman can
 *   keep talking with the phone in a pocket (where the OS lets a background
 *   page capture: Android Chrome does; iOS Safari suspends it by itself);
 * - the camera stops (nobody watches a pocket, and it frees the camera and
 *   the battery), and comes back when the page is visible again if it was
 *   on and the user did not change it meanwhile;
 * - being hidden is not leaving: only `pagehide` with `persisted === false`
 *   (the page is really discarded) is.
 *
 * Uses only the room's public actions (setCameraEnabled): no change to the
 * RoomController.
 */
import { effect, untracked, type ReadonlySignal } from '@preact/signals';
import { createLogger } from '../log';
import type { Phase } from '../state/roomState';

const log = createLogger('background');

export interface BackgroundRoom {
  phase: ReadonlySignal<Phase>;
  cameraEnabled: ReadonlySignal<boolean>;
  setCameraEnabled(enabled: boolean): Promise<void>;
}

export class BackgroundCamera {
  /** The camera was on when the page went hidden, and this stopped it. */
  private stoppedByUs = false;

  constructor(
    private readonly room: BackgroundRoom,
    private readonly isPhone: () => boolean,
  ) {}

  /** Whether the camera will come back on when the page is visible again. */
  get willResume(): boolean {
    return this.stoppedByUs;
  }

  /** Call on every visibility change. Never rejects (room actions do not). */
  async onVisibility(visible: boolean): Promise<void> {
    const { room } = this;
    if (room.phase.value !== 'joined') {
      this.stoppedByUs = false; // a new meeting starts from the user's own choice
      return;
    }
    if (!visible) {
      // A desktop tab in the background still shows its camera: people look at a plan in another tab.
      if (!this.isPhone() || !room.cameraEnabled.value) return;
      this.stoppedByUs = true;
      log.info('page hidden: camera paused, microphone kept');
      await room.setCameraEnabled(false);
      return;
    }
    if (!this.stoppedByUs) return;
    this.stoppedByUs = false;
    if (room.cameraEnabled.value) return; // already back on
    log.info('page visible: camera back on');
    await room.setCameraEnabled(true);
  }
}

/** Runs `camera.onVisibility` on each change of `visible`; returns the disposer. */
export function bindBackgroundCamera(camera: BackgroundCamera, visible: ReadonlySignal<boolean>): () => void {
  let first = true;
  return effect(() => {
    const now = visible.value;
    if (first) {
      first = false;
      return;
    }
    // Only `visible` triggers this: what onVisibility reads and what the room writes must not.
    untracked(() => void camera.onVisibility(now));
  });
}

/** `pagehide` means leaving only when the page is discarded, not kept in the back/forward cache. */
export function isLeavingPageHide(event: Pick<PageTransitionEvent, 'persisted'>): boolean {
  return !event.persisted;
}
