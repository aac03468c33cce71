/**
 * Moderation as one page sees it: a moderator's requests (act on someone, the
 * meeting's policy, the lobby's guests, ending the meeting), the raised hand,
 * and the notifications that follow them (moderated, removed, roomPolicy,
 * lobby, lobbyStatus, admission, handRaised). The RoomController owns the
 * socket and delegates here; what a moderator did to this participant's media
 * goes through the controller's queue of media ops.
 */
import type { ModerationAction, NotificationData } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import type { Connection } from '../signaling/Connection';
import { setHandRaised } from '../state/participants';
import { DEFAULT_POLICY } from '../state/roomState';
import type { Admission } from './Admission';
import type { LocalMedia } from './LocalMedia';
import type { MediaOps } from './MediaOps';
import type { RoomLink } from './roomLink';
import type { ScreenCapture } from './ScreenCapture';

const log = createLogger('room');

export interface ModerationParts {
  ops: MediaOps;
  local: LocalMedia;
  screen: ScreenCapture;
  admission: Admission;
}

export class Moderation {
  /** A moderator muted this participant, who has not unmuted since (the server keeps the same fact). */
  private moderatorMuted = false;

  constructor(
    private readonly link: RoomLink,
    private readonly parts: ModerationParts,
  ) {}

  /** Listens to the socket's moderation notifications; returns the ways to stop. */
  subscribe(signaling: Connection): Array<() => void> {
    const { state } = this.link;
    return [
      signaling.onNotification('moderated', (data) => this.onModerated(data)),
      signaling.onNotification('removed', ({ by }) => {
        // The socket closes with 4007 next: the screen says who.
        state.removedBy.value = by.displayName;
        log.info(`removed from the meeting by ${by.peerId}`);
      }),
      signaling.onNotification('roomPolicy', ({ policy }) => {
        state.policy.value = policy;
        const notice = state.moderationNotice.value;
        if (policy.allowSelfUnmute && notice?.locked) state.moderationNotice.value = { ...notice, locked: false };
        // Allowing self-unmute forgets past mutes, on the server as here.
        if (policy.allowSelfUnmute) this.moderatorMuted = false;
        state.micLocked.value = this.moderatorMuted && !policy.allowSelfUnmute;
      }),
      signaling.onNotification('lobby', ({ waiting }) => {
        state.lobby.value = waiting;
      }),
      signaling.onNotification('lobbyStatus', ({ moderatorsPresent }) => {
        state.moderatorsPresent.value = moderatorsPresent;
      }),
      signaling.onNotification('admission', ({ granted, by }) => {
        log.info(`${granted ? 'admitted' : 'refused'} by ${by.peerId}`);
        this.parts.admission.decided(granted);
      }),
      signaling.onNotification('handRaised', ({ peerId, raised }) => {
        if (this.link.isSelf(peerId)) state.handRaised.value = raised;
        else state.participants.value = setHandRaised(state.participants.value, peerId, raised);
      }),
    ];
  }

  /** This participant unmuted (the server agreed): a past moderator's mute is forgotten. */
  unmuted(): void {
    this.moderatorMuted = false;
  }

  /** The socket went: nothing of this meeting's moderation stays. */
  reset(): void {
    const { state } = this.link;
    state.handRaised.value = false;
    state.moderationNotice.value = null;
    state.micLocked.value = false;
    this.moderatorMuted = false;
    state.policy.value = DEFAULT_POLICY;
    state.lobby.value = [];
    state.moderatorsPresent.value = 0;
  }

  async setHandRaised(raised: boolean): Promise<void> {
    const { state } = this.link;
    const signaling = this.link.signaling();
    if (state.phase.value !== 'joined' || !signaling) return;
    const before = state.handRaised.value;
    state.handRaised.value = raised; // at once; the server's handRaised confirms it
    try {
      await signaling.request('raiseHand', { raised });
    } catch (error) {
      if (signaling === this.link.signaling()) state.handRaised.value = before;
      log.warn('raiseHand failed', error);
    }
  }

  async moderate(peerId: string, action: ModerationAction): Promise<void> {
    await this.moderatorRequest(`moderate ${action}`, (signaling) => signaling.request('moderate', { peerId, action }));
  }

  async setRoomLocked(locked: boolean): Promise<void> {
    await this.moderatorRequest('setRoomPolicy', async (signaling) => {
      const { policy } = await signaling.request('setRoomPolicy', { locked });
      this.link.state.policy.value = policy;
    });
  }

  async setSelfUnmuteAllowed(allowed: boolean): Promise<void> {
    await this.moderatorRequest('setRoomPolicy', async (signaling) => {
      const { policy } = await signaling.request('setRoomPolicy', { allowSelfUnmute: allowed });
      this.link.state.policy.value = policy;
    });
  }

  async endMeetingForAll(): Promise<void> {
    // roomClosed {reason:'ended'} and the socket's close end the page like everyone else's.
    await this.moderatorRequest('endMeeting', (signaling) => signaling.request('endMeeting', {}));
  }

  dismissModerationNotice(): void {
    this.link.state.moderationNotice.value = null;
  }

  async admit(peerId: string, allow: boolean): Promise<void> {
    await this.moderatorRequest(allow ? 'admit' : 'refuse', async (signaling) => {
      await signaling.request('admit', { peerId, allow });
      // At once; the server's next lobby notification says the same.
      const { lobby } = this.link.state;
      lobby.value = lobby.value.filter((entry) => entry.peerId !== peerId);
    });
  }

  async setGuestLobby(enabled: boolean): Promise<void> {
    await this.moderatorRequest('setRoomPolicy', async (signaling) => {
      const { policy } = await signaling.request('setRoomPolicy', { guestLobby: enabled });
      this.link.state.policy.value = policy;
    });
  }

  private async moderatorRequest(what: string, run: (signaling: Connection) => Promise<unknown>): Promise<void> {
    const signaling = this.link.signaling();
    if (this.link.state.phase.value !== 'joined' || !signaling) return;
    try {
      await run(signaling);
      log.info(what);
    } catch (error) {
      log.warn(`${what} failed`, error);
    }
  }

  /** A moderator acted on someone; on this participant, the page follows what the server already did. */
  private onModerated({ peerId, action, by }: NotificationData<'moderated'>): void {
    const { state } = this.link;
    if (!this.link.isSelf(peerId) || action === 'remove') return;
    log.info(`${action} by moderator ${by.peerId}`);
    const locked = action === 'mute' && !state.policy.value.allowSelfUnmute;
    state.moderationNotice.value = { action, by: by.displayName, locked };
    if (action === 'mute') {
      this.moderatorMuted = true;
      state.micLocked.value = locked;
    }
    const source = action === 'mute' ? 'mic' : action === 'stopCamera' ? 'camera' : 'screen';
    void this.parts.ops.run(async () => {
      const session = this.link.session();
      if (action === 'mute') {
        state.micEnabled.value = false;
        // Paused on the server already; this pauses the sender too (no packets sent in vain).
        await session?.setPaused('mic', true);
      } else if (action === 'stopCamera') {
        state.cameraEnabled.value = false;
        session?.dropProducer('camera');
        this.parts.local.stop('video');
      } else {
        this.parts.screen.stop();
        state.screenShare.value = 'off';
        session?.dropProducer('screen');
        session?.dropProducer('screen-audio');
      }
    }, source);
  }
}
