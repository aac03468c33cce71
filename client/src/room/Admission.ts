/**
 * A guest's way into a meeting whose lobby is on: knock, then wait (phase
 * 'waiting') for a moderator's decision, which comes as an `admission`
 * notification. Used by the join sequence (JoinSequence.ts); the controller
 * hands it the decisions and ends the wait when the socket goes.
 */
import type { AppErrorCode } from '../errors';
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';
import type { RoomState } from '../state/roomState';
import { normalizeDisplayName } from './displayName';

const log = createLogger('admission');

export class Admission {
  /** Phase 'waiting': settles the wait with the moderator's decision (false also when torn down). */
  private waiter: ((granted: boolean) => void) | null = null;

  constructor(
    private readonly state: RoomState,
    /** Shows an error screen (refused by a moderator, a knock refused after a resume). */
    private readonly fail: (code: AppErrorCode) => void,
  ) {}

  /**
   * Knocks: admitted at once, or waits until a moderator decides. Resolves
   * true to go on joining; false when refused (the error screen says so) or
   * when the wait ended otherwise (`stale`: left, torn down). A refused knock
   * (locked, lobby full, refused a moment ago) rejects with its code.
   */
  async knock(signaling: SignalingChannel, stale: () => boolean): Promise<boolean> {
    const { state } = this;
    const answer = await signaling.request('knock', this.knockData());
    if (stale()) return false;
    if (answer.status === 'admitted') return true;
    state.moderatorsPresent.value = answer.moderatorsPresent;
    const decision = new Promise<boolean>((resolve) => {
      this.waiter = resolve;
    });
    state.phase.value = 'waiting';
    log.info(`waiting in the lobby; ${answer.moderatorsPresent} moderator(s) present`);
    const granted = await decision;
    this.waiter = null;
    if (stale()) return false;
    if (!granted) {
      this.fail('ADMISSION_DENIED');
      return false;
    }
    log.info('admitted by a moderator');
    state.phase.value = 'joining';
    return true;
  }

  /** A moderator's decision (the `admission` notification). */
  decided(granted: boolean): void {
    this.waiter?.(granted);
  }

  /**
   * Resumed while waiting: the server took us out of the list with the lost
   * socket (moderators see nobody who cannot come in), so knock again. A
   * decision made meanwhile came with the replayed notifications.
   */
  knockAgain(signaling: SignalingChannel, stale: () => boolean): void {
    signaling
      .request('knock', this.knockData())
      .then((answer) => {
        if (stale()) return;
        if (answer.status === 'admitted') this.waiter?.(true);
        else this.state.moderatorsPresent.value = answer.moderatorsPresent;
      })
      .catch((error: unknown) => {
        if (stale() || this.state.phase.value !== 'waiting') return;
        log.warn('knock after a resume failed', error);
        this.fail(errorCodeOf(error));
      });
  }

  /** The socket went: a wait in progress ends (its join sees it is stale and changes nothing). */
  cancel(): void {
    this.waiter?.(false);
    this.waiter = null;
  }

  private knockData(): { displayName?: string } {
    const displayName = normalizeDisplayName(this.state.displayName.value);
    return displayName ? { displayName } : {};
  }
}
