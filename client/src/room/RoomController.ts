/**
 * The one non-UI object of a meeting. It owns the signaling client and the
 * mediasoup-client objects (through RoomSocket and MediaSession) and every
 * MediaStreamTrack (through LocalMedia), and it is the only writer of the
 * room's signals.
 * Components read the signals and call the actions below, nothing else.
 *
 * It keeps the meeting's lifecycle (connect, join, leave, teardown) and
 * delegates each other job to a module beside it, lent what it needs
 * (roomLink.ts): RoomSocket (the socket and what lives as long as it: its
 * listeners, the media sessions, the TURN credentials, the token),
 * LocalControls (microphone, camera, devices), ScreenShare, VideoReception
 * (audio-only, viewport), RemoteMedia (the others' media), Moderation,
 * Reconnection (resumes, closes, starting over).
 * New features get their own module too.
 *
 * Every public action resolves, never rejects: failures end up in state
 * (phase 'error', a device issue, a toggle left off) and in the log.
 */
import type { ModerationAction } from '@chantier/signaling/protocol';
import { errorCodeOf, type AppErrorCode } from '../errors';
import { createLogger } from '../log';
import type { Connection } from '../signaling/Connection';
import type { Phase, RoomState } from '../state/roomState';
import { Admission } from './Admission';
import { joinMeeting, produceInitial, receiveOthers } from './JoinSequence';
import { LocalControls } from './LocalControls';
import { LocalMedia } from './LocalMedia';
import { MediaOps } from './MediaOps';
import { Moderation } from './Moderation';
import { Reconnection } from './Reconnection';
import { RemoteMedia } from './RemoteMedia';
import { ScreenCapture } from './ScreenCapture';
import { ScreenShare } from './ScreenShare';
import { markJoin, resetFirstFrame } from './joinTimeline';
import { RoomSocket } from './RoomSocket';
import type { ReceiveStats, SendStats } from './stats';
import { VideoReception } from './VideoReception';
import { ScreenStills } from './ScreenStills';
import { httpOriginOf } from './stillEndpoint';
import type { RoomActions, RoomControllerOptions } from './roomActions';

const log = createLogger('room');

export type { RoomActions, RoomControllerOptions, SocketUser } from './roomActions';

export class RoomController implements RoomActions {
  readonly state: RoomState;
  private readonly isPhone: () => boolean;
  /** The socket, its listeners and media sessions, its TURN credentials and the generation (RoomSocket.ts). */
  private readonly socket: RoomSocket;
  private readonly local: LocalMedia;
  private readonly screen: ScreenCapture;
  /** Toggles and device switches, one at a time, so that tracks are never opened twice. */
  private readonly mediaOps: MediaOps;
  /** Set when a joined session lost its socket: rejoin() then joins without the lobby. */
  private resumeJoin = false;
  /** Rejoindre pressed, `join` not answered yet: a second press is ignored. */
  private pressed = false;
  /** A leave request is in flight: a second click must not send another. */
  private leaving = false;
  /** A guest's knock and wait for a moderator (Admission.ts). */
  private readonly admission: Admission;
  /** A moderator's requests, the raised hand and their notifications (Moderation.ts). */
  private readonly moderation: Moderation;
  /** The others' media: who is in, what they send, what is consumed of it (RemoteMedia.ts). */
  private readonly remote: RemoteMedia;
  /** This page's microphone and camera: toggles, device switches, lost devices (LocalControls.ts). */
  private readonly controls: LocalControls;
  /** This page's screen share: the picker, its producers, its end (ScreenShare.ts). */
  private readonly screenShare: ScreenShare;
  /** The socket's states, resumes and closes, and starting over when a resume is impossible (Reconnection.ts). */
  private readonly reconnection: Reconnection;
  /** What video this page receives: audio-only, the viewport report (VideoReception.ts). */
  private readonly video: VideoReception;
  /** Still pictures of shared screens for weak downlinks, sent and shown (ScreenStills.ts). */
  private readonly stills: ScreenStills;

  constructor(options: RoomControllerOptions) {
    this.state = options.state;
    this.isPhone = options.isPhone;
    this.socket = new RoomSocket(options, {
      listen: (signaling) => this.subscribe(signaling),
      sessionEvents: {
        transportGone: () => this.reconnection.startOver('a transport is gone on the server'),
        trackEnded: (kind) => this.controls.trackEnded(kind),
      },
    });
    this.local = new LocalMedia(this.state, options.mediaDevices, (kind) => this.controls.trackEnded(kind));
    this.screen = new ScreenCapture(options.mediaDevices, (kind) => this.screenShare.ended(kind));
    this.state.canShareScreen.value = this.screen.supported;
    this.admission = new Admission(this.state, (code) => this.fail(code));
    this.mediaOps = new MediaOps(this.state);
    const { link } = this.socket; // what the modules below are lent: the state and this connection's objects
    this.remote = new RemoteMedia(link);
    this.controls = new LocalControls(link, this.mediaOps, this.local, () => this.moderation.unmuted());
    this.screenShare = new ScreenShare(link, this.mediaOps, this.screen, (id) => this.stills.shareStarted(id), () => this.stills.captured());
    this.video = new VideoReception(link, this.mediaOps, this.controls, this.remote);
    this.stills = new ScreenStills(
      this.state,
      () => this.screen.videoTrack,
      () => (this.socket.credentials ? { ...this.socket.credentials, origin: httpOriginOf(this.socket.nodes.current) } : null),
    );
    this.moderation = new Moderation(link, { ops: this.mediaOps, local: this.local, screen: this.screen, admission: this.admission });
    this.reconnection = new Reconnection(
      link,
      {
        resumed: (hello) => this.socket.resumed(hello),
        startAfresh: (joinAgain) => {
          this.resumeJoin = joinAgain;
          void this.rejoin();
        },
        end: (phase, reason) => this.end(phase, reason),
        fail: (code) => this.fail(code),
      },
      { admission: this.admission, turn: this.socket.turn, remote: this.remote },
    );
  }

  // ------------------------------------------------------------ lifecycle

  /** Opens the socket and says hello; phase 'lobby' on success, 'error' otherwise. */
  async connect(projectId: string, roomId: string, token: string): Promise<void> {
    this.teardown();
    const generation = this.socket.generation;
    const { state } = this;
    state.error.value = null;
    state.endedReason.value = null;
    state.removedBy.value = null;
    state.phase.value = 'connecting';
    state.connection.value = 'ok';

    try {
      const hello = await this.socket.open({ projectId, roomId, token });
      if (!hello) return; // torn down meanwhile
      state.self.value = { peerId: hello.peerId, ...hello.self };
      if (state.displayName.value.trim() === '') state.displayName.value = hello.self.displayName;
      state.phase.value = 'lobby';
      log.info(`in the lobby of ${projectId}/${roomId} as ${hello.peerId}`);
    } catch (error) {
      if (generation !== this.socket.generation) return;
      log.warn('hello failed', error);
      this.fail(errorCodeOf(error));
      return;
    }

    this.local.watchDevices();
    await this.mediaOps.run(() => this.controls.openLobbyMedia());
    markJoin('devices-opened');
    if (this.resumeJoin && generation === this.socket.generation) await this.join();
  }

  /** Shows an error screen without a connection (a bad link, found before connecting). */
  fail(code: AppErrorCode): void {
    this.resumeJoin = false;
    this.teardown();
    this.state.error.value = code;
    this.state.phase.value = 'error';
    log.info(`error ${code}`);
  }

  async join(): Promise<void> {
    const { state } = this;
    const { signaling, hello, prewarm } = this.socket;
    if (state.phase.value !== 'lobby' || this.pressed || !signaling || !hello || !prewarm) return;
    const generation = this.socket.generation;
    this.pressed = true; // the phase says 'joining' if `join` is slow to answer (JoinSteps.pending)
    markJoin('pressed');
    resetFirstFrame();
    this.resumeJoin = false;
    // Let a device switch still running in the lobby (or a permission prompt)
    // finish before producing its track.
    await this.mediaOps.settled();
    const stale = () => generation !== this.socket.generation;
    if (stale()) return void (this.pressed = false);
    try {
      const joined = await joinMeeting({
        state,
        signaling,
        selfPeerId: hello.peerId,
        prewarm,
        admission: this.admission,
        isPhone: this.isPhone(),
        stale,
        adopt: (session) => this.socket.adopt(session),
        pending: () => void (stale() || state.phase.value !== 'lobby' || (state.phase.value = 'joining')),
      });
      this.pressed = false;
      if (!joined || stale()) return;
      const { session, answer, others } = joined;
      this.socket.joined(answer);
      // Queued now, so that they come before any producerAdded; the meeting view once they are made.
      await receiveOthers(joined, (consumed) => this.remote.received(session, consumed), (peerId, producerId) => this.remote.consume(session, peerId, producerId));
      if (stale()) return;
      state.phase.value = 'joined';
      this.video.joined();
      this.resumeJoin = true;
      log.info(`joined with ${others.length} other participant(s)`);

      await this.mediaOps.run(() => produceInitial(session, this.local, state, () => session !== this.socket.session));
    } catch (error) {
      this.pressed = false;
      if (stale()) return;
      log.error('join failed', error);
      this.fail(errorCodeOf(error));
    }
  }

  async leave(): Promise<void> {
    const phase = this.state.phase.value;
    if (this.leaving || (phase !== 'joined' && phase !== 'joining' && phase !== 'lobby' && phase !== 'waiting')) return;
    this.leaving = true;
    // Not yet in (lobby, waiting to be admitted): closing the socket is goodbye enough.
    const goodbye = phase !== 'lobby' && phase !== 'waiting' ? this.socket.goodbye('wait') : null;
    this.socket.invalidate(); // nothing started before leaving may change state any more
    if (goodbye) await goodbye;
    this.leaving = false;
    this.end('left');
  }

  /**
   * The page is going away (tab closed, navigation, phone app switch that
   * discards the page): say goodbye without waiting, free the camera.
   */
  leaveOnPageHide(): void {
    const phase = this.state.phase.value;
    if (phase !== 'joined' && phase !== 'joining' && phase !== 'lobby' && phase !== 'waiting') return;
    if (phase !== 'lobby' && phase !== 'waiting') void this.socket.goodbye('page-hide');
    this.end('left');
  }

  /**
   * A fresh access token from the embedding platform: later resumes and
   * reconnects use it, and the server is told now (refreshToken), so that the
   * call goes on past the first token's expiry. A page refused for an expired
   * token connects again with it.
   */
  async refreshToken(token: string): Promise<void> {
    if (!this.socket.useToken(token)) return;
    const { state } = this;
    if (state.phase.value === 'error' && state.error.value === 'TOKEN_EXPIRED') {
      await this.rejoin();
      return;
    }
    await this.socket.sendToken(token);
  }

  async rejoin(): Promise<void> {
    const credentials = this.socket.credentials;
    if (!credentials) return;
    await this.connect(credentials.projectId, credentials.roomId, credentials.token);
  }

  /** Stops everything; the controller is not used after this. */
  dispose(): void {
    this.video.dispose();
    this.teardown();
    this.local.dispose();
  }

  // ------------------------------------------------------------- controls

  setDisplayName(name: string): void {
    this.state.displayName.value = name;
  }

  selectAudioInput(deviceId: string): Promise<void> {
    return this.controls.selectAudioInput(deviceId);
  }

  selectVideoInput(deviceId: string): Promise<void> {
    return this.controls.selectVideoInput(deviceId);
  }

  setMicEnabled(enabled: boolean): Promise<void> {
    return this.controls.setMicEnabled(enabled);
  }

  setCameraEnabled(enabled: boolean): Promise<void> {
    return this.controls.setCameraEnabled(enabled);
  }

  setScreenSharing(enabled: boolean): Promise<void> {
    return this.screenShare.setSharing(enabled);
  }

  dismissScreenIssue(): void {
    this.screenShare.dismissIssue();
  }

  setAudioOnly(enabled: boolean): Promise<void> {
    return this.video.setAudioOnly(enabled);
  }

  observeVideo(element: Element, producerId: string): () => void {
    return this.video.observe(element, producerId);
  }

  // ----------------------------------------------------------- moderation

  setHandRaised(raised: boolean): Promise<void> {
    return this.moderation.setHandRaised(raised);
  }

  moderate(peerId: string, action: ModerationAction): Promise<void> {
    return this.moderation.moderate(peerId, action);
  }

  setRoomLocked(locked: boolean): Promise<void> {
    return this.moderation.setRoomLocked(locked);
  }

  setSelfUnmuteAllowed(allowed: boolean): Promise<void> {
    return this.moderation.setSelfUnmuteAllowed(allowed);
  }

  endMeetingForAll(): Promise<void> {
    return this.moderation.endMeetingForAll();
  }

  dismissModerationNotice(): void {
    this.moderation.dismissModerationNotice();
  }

  admit(peerId: string, allow: boolean): Promise<void> {
    return this.moderation.admit(peerId, allow);
  }

  setGuestLobby(enabled: boolean): Promise<void> {
    return this.moderation.setGuestLobby(enabled);
  }

  // ---------------------------------------------------------- diagnostics

  /** Inbound RTP totals per consumer; browser tests assert on these. */
  getReceiveStats(): Promise<ReceiveStats[]> {
    return this.socket.session?.getReceiveStats() ?? Promise.resolve([]);
  }

  /** Outbound RTP totals per producer (simulcast layers added up). */
  getSendStats(): Promise<SendStats[]> {
    return this.socket.session?.getSendStats() ?? Promise.resolve([]);
  }

  // -------------------------------------------------------- notifications

  /** The modules' listeners on a new socket, each module's own (RoomSocket adds its own and removes all at teardown). */
  private subscribe(signaling: Connection): Array<() => void> {
    return [
      ...this.reconnection.subscribe(signaling),
      ...this.remote.subscribe(signaling),
      ...this.moderation.subscribe(signaling),
      ...this.stills.subscribe(signaling),
    ];
  }

  // ------------------------------------------------------------ teardown

  private end(phase: Extract<Phase, 'left' | 'ended' | 'disconnected'>, reason?: string): void {
    // Only a lost connection brings the user back straight into the room.
    if (phase !== 'disconnected') this.resumeJoin = false;
    this.teardown();
    this.state.endedReason.value = phase === 'ended' ? (reason ?? 'unknown') : null;
    this.state.phase.value = phase;
    log.info(phase);
  }

  /** Closes the session, the socket and the local tracks; keeps the user's choices. */
  private teardown(): void {
    this.socket.close();
    this.video.stop();
    this.local.stopAll();
    this.screen.stop();
    const { state } = this;
    state.screenShare.value = 'off';
    state.screenIssue.value = null;
    state.participants.value = [];
    state.activeSpeakerId.value = null;
    state.mediaConnection.value = 'new';
    state.connection.value = 'ok';
    state.quality.value = new Map();
    this.moderation.reset();
    this.stills.reset();
    // A wait in the lobby ends with the socket (generation bumped above: it changes nothing).
    this.admission.cancel();
  }
}
