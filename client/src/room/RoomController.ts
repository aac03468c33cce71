/**
 * The one non-UI object of a meeting. It owns the signaling client, the
 * mediasoup-client objects (through MediaSession) and every MediaStreamTrack
 * (through LocalMedia), and it is the only writer of the room's signals.
 * Components read the signals and call the actions below, nothing else.
 *
 * It keeps the meeting's lifecycle (connect, join, leave, teardown) and
 * delegates each other job to a module beside it, lent what it needs
 * (roomLink.ts): LocalControls (microphone, camera, devices), ScreenShare,
 * VideoReception (audio-only, viewport), RemoteMedia (the others' media),
 * Moderation, Reconnection (resumes, closes, starting over), TurnCredentials.
 * New features get their own module too.
 *
 * Every public action resolves, never rejects: failures end up in state
 * (phase 'error', a device issue, a toggle left off) and in the log.
 */
import type { ModerationAction, ResponseData } from '@chantier/signaling/protocol';
import { errorCodeOf, type AppErrorCode } from '../errors';
import { createLogger } from '../log';
import { NodeDirectory } from '../signaling/nodes';
import { Connection, type ConnectionOptions } from '../signaling/Connection';
import type { Phase, RoomState } from '../state/roomState';
import { Admission } from './Admission';
import { joinMeeting, produceInitial, receiveOthers } from './JoinSequence';
import { LocalControls } from './LocalControls';
import { LocalMedia } from './LocalMedia';
import { MediaOps } from './MediaOps';
import { MediaPrewarm } from './MediaPrewarm';
import { Moderation } from './Moderation';
import { Reconnection } from './Reconnection';
import { RemoteMedia } from './RemoteMedia';
import type { MediaSession } from './mediaSessionLoader';
import type { RoomLink } from './roomLink';
import { ScreenCapture } from './ScreenCapture';
import { ScreenShare } from './ScreenShare';
import { TurnCredentials } from './TurnCredentials';
import { markJoin, resetFirstFrame } from './joinTimeline';
import { DEFAULT_SCREEN_TUNING, type ScreenTuning } from './screenTuning';
import type { ReceiveStats, SendStats } from './stats';
import { VideoReception } from './VideoReception';
import { ScreenStills } from './ScreenStills';
import { httpOriginOf } from './stillEndpoint';
import type { RoomActions, RoomControllerOptions, SocketUser } from './roomActions';

const log = createLogger('room');

export type { RoomActions, RoomControllerOptions, SocketUser } from './roomActions';

interface Credentials {
  projectId: string;
  roomId: string;
  token: string;
}

type Hello = ResponseData<'hello'>;

/** How long `leave` may wait for its answer before we close anyway. */
const LEAVE_TIMEOUT_MS = 3_000;

export class RoomController implements RoomActions {
  readonly state: RoomState;
  private readonly url: string;
  /** The cluster's nodes, known across connections: a fresh hello after a node died tries the survivors. */
  private readonly nodes: NodeDirectory;
  private readonly isPhone: () => boolean;
  private readonly createConnection: (options: ConnectionOptions) => Connection;
  private readonly local: LocalMedia;
  private readonly screen: ScreenCapture;
  private readonly screenTuning: ScreenTuning;
  private readonly socketUsers: readonly SocketUser[];
  /** Toggles and device switches, one at a time, so that tracks are never opened twice. */
  private readonly mediaOps: MediaOps;
  private signaling: Connection | null = null;
  private session: MediaSession | null = null;
  /** The media session made on the join screen, until the join takes it (MediaPrewarm.ts). */
  private prewarm: MediaPrewarm | null = null;
  private hello: Hello | null = null;
  /** The newest TURN credentials of this socket's session: the hello's, then renewals (TurnCredentials.ts). */
  private readonly turn = new TurnCredentials(() => this.session ?? this.prewarm?.session);
  private credentials: Credentials | null = null;
  private unsubscribe: Array<() => void> = [];
  /** Bumped by every teardown: async work started before it sees it changed and drops its result. */
  private generation = 0;
  /** Set when a joined session lost its socket: rejoin() then joins without the lobby. */
  private resumeJoin = false;
  /** Rejoindre pressed, `join` not answered yet: a second press is ignored. */
  private pressed = false;
  /** A leave request is in flight: a second click must not send another. */
  private leaving = false;
  /** A guest's knock and wait for a moderator (Admission.ts). */
  private readonly admission: Admission;
  /** What the modules below are lent: the state and, read at each use, this connection's objects. */
  private readonly link: RoomLink;
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
    this.url = options.url;
    this.nodes = new NodeDirectory(options.url);
    this.isPhone = options.isPhone;
    this.createConnection = options.createConnection ?? ((connectionOptions) => new Connection(connectionOptions));
    this.socketUsers = options.socketUsers ?? [];
    this.local = new LocalMedia(this.state, options.mediaDevices, (kind) => this.controls.trackEnded(kind));
    this.screen = new ScreenCapture(options.mediaDevices, (kind) => this.screenShare.ended(kind));
    this.screenTuning = options.screenTuning ?? DEFAULT_SCREEN_TUNING;
    this.state.canShareScreen.value = this.screen.supported;
    this.admission = new Admission(this.state, (code) => this.fail(code));
    this.mediaOps = new MediaOps(this.state);
    this.link = {
      state: this.state,
      session: () => this.session,
      signaling: () => this.signaling,
      generation: () => this.generation,
      isSelf: (peerId) => this.isSelf(peerId),
    };
    this.remote = new RemoteMedia(this.link);
    this.controls = new LocalControls(this.link, this.mediaOps, this.local, () => this.moderation.unmuted());
    this.screenShare = new ScreenShare(this.link, this.mediaOps, this.screen, (id) => this.stills.shareStarted(id), () => this.stills.captured());
    this.video = new VideoReception(this.link, this.mediaOps, this.controls, this.remote);
    this.stills = new ScreenStills(
      this.state,
      () => this.screen.videoTrack,
      () => (this.credentials ? { ...this.credentials, origin: httpOriginOf(this.nodes.current) } : null),
    );
    this.moderation = new Moderation(this.link, { ops: this.mediaOps, local: this.local, screen: this.screen, admission: this.admission });
    this.reconnection = new Reconnection(
      this.link,
      {
        resumed: (hello) => void (this.hello = hello),
        startAfresh: (joinAgain) => {
          this.resumeJoin = joinAgain;
          void this.rejoin();
        },
        end: (phase, reason) => this.end(phase, reason),
        fail: (code) => this.fail(code),
      },
      { admission: this.admission, turn: this.turn, remote: this.remote },
    );
  }

  // ------------------------------------------------------------ lifecycle

  /** Opens the socket and says hello; phase 'lobby' on success, 'error' otherwise. */
  async connect(projectId: string, roomId: string, token: string): Promise<void> {
    this.teardown();
    const generation = this.generation;
    this.credentials = { projectId, roomId, token };
    const { state } = this;
    state.error.value = null;
    state.endedReason.value = null;
    state.removedBy.value = null;
    state.phase.value = 'connecting';
    state.connection.value = 'ok';

    const signaling = this.createConnection({
      url: this.url,
      nodes: this.nodes,
      // For the project's presence list ("on a phone").
      hello: { token, projectId, roomId, device: this.isPhone() ? 'phone' : 'desktop' },
    });
    this.signaling = signaling;
    this.subscribe(signaling);
    try {
      const hello = await signaling.open();
      if (generation !== this.generation) return;
      markJoin('hello-answered');
      this.hello = hello;
      this.turn.hold(hello.iceServers);
      for (const user of this.socketUsers) user.attach(signaling, hello);
      state.self.value = { peerId: hello.peerId, ...hello.self };
      // Device and transports made while the person is on the join screen (not for a guest who may wait).
      this.prewarm = new MediaPrewarm(signaling, hello, this.screenTuning, {
        transports: hello.self.role !== 'guest',
        audioOnly: state.audioOnly.value,
      });
      if (state.displayName.value.trim() === '') state.displayName.value = hello.self.displayName;
      state.phase.value = 'lobby';
      log.info(`in the lobby of ${projectId}/${roomId} as ${hello.peerId}`);
    } catch (error) {
      if (generation !== this.generation) return;
      log.warn('hello failed', error);
      this.fail(errorCodeOf(error));
      return;
    }

    this.local.watchDevices();
    await this.mediaOps.run(() => this.controls.openLobbyMedia());
    markJoin('devices-opened');
    if (this.resumeJoin && generation === this.generation) await this.join();
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
    const signaling = this.signaling;
    const hello = this.hello;
    const prewarm = this.prewarm;
    if (state.phase.value !== 'lobby' || this.pressed || !signaling || !hello || !prewarm) return;
    const generation = this.generation;
    this.pressed = true; // the phase says 'joining' if `join` is slow to answer (JoinSteps.pending)
    markJoin('pressed');
    resetFirstFrame();
    this.resumeJoin = false;
    // Let a device switch still running in the lobby (or a permission prompt)
    // finish before producing its track.
    await this.mediaOps.settled();
    const stale = () => generation !== this.generation;
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
        adopt: (session) => this.adopt(session),
        pending: () => void (stale() || state.phase.value !== 'lobby' || (state.phase.value = 'joining')),
      });
      this.pressed = false;
      if (!joined || stale()) return;
      const { session, answer, others } = joined;
      for (const user of this.socketUsers) user.joined?.(answer);
      // Queued now, so that they come before any producerAdded; the meeting view once they are made.
      await receiveOthers(joined, (consumed) => this.remote.received(session, consumed), (peerId, producerId) => this.remote.consume(session, peerId, producerId));
      if (stale()) return;
      state.phase.value = 'joined';
      this.video.joined();
      this.resumeJoin = true;
      log.info(`joined with ${others.length} other participant(s)`);

      await this.mediaOps.run(() => produceInitial(session, this.local, state, () => session !== this.session));
    } catch (error) {
      this.pressed = false;
      if (stale()) return;
      log.error('join failed', error);
      this.fail(errorCodeOf(error));
    }
  }

  /** The join's media session becomes the meeting's: its events into state, closed with it. */
  private adopt(session: MediaSession): void {
    const { state } = this;
    this.session = session;
    state.mediaConnection.value = session.connection; // the lobby may have connected it (the probe)
    this.unsubscribe.push(
      session.events.on('connectionstatechange', (connection) => {
        state.mediaConnection.value = connection;
      }),
      session.events.on('transportgone', () => this.reconnection.startOver('a transport is gone on the server')),
      session.events.on('producertrackended', (source) => {
        // A shared screen's end is reported by ScreenCapture, which also sees it before producing.
        if (source === 'mic' || source === 'camera') this.controls.trackEnded(source === 'mic' ? 'audio' : 'video');
      }),
    );
  }

  async leave(): Promise<void> {
    const phase = this.state.phase.value;
    if (this.leaving || (phase !== 'joined' && phase !== 'joining' && phase !== 'lobby' && phase !== 'waiting')) return;
    const signaling = this.signaling;
    this.leaving = true;
    this.generation++; // nothing started before leaving may change state any more
    try {
      // Not yet in (lobby, waiting to be admitted): closing the socket is goodbye enough.
      if (signaling && phase !== 'lobby' && phase !== 'waiting') await signaling.request('leave', {}, { timeoutMs: LEAVE_TIMEOUT_MS });
    } catch (error) {
      log.warn('leave request failed; closing anyway', error);
    } finally {
      this.leaving = false;
    }
    this.end('left');
  }

  /**
   * The page is going away (tab closed, navigation, phone app switch that
   * discards the page): say goodbye without waiting, free the camera.
   */
  leaveOnPageHide(): void {
    const phase = this.state.phase.value;
    if (phase !== 'joined' && phase !== 'joining' && phase !== 'lobby' && phase !== 'waiting') return;
    if (phase !== 'lobby' && phase !== 'waiting') {
      this.signaling
        ?.request('leave', {}, { timeoutMs: LEAVE_TIMEOUT_MS })
        .catch((error: unknown) => log.debug('leave on pagehide not answered', error));
    }
    this.end('left');
  }

  /**
   * A fresh access token from the embedding platform: later resumes and
   * reconnects use it, and the server is told now (refreshToken), so that the
   * call goes on past the first token's expiry. A page refused for an expired
   * token connects again with it.
   */
  async refreshToken(token: string): Promise<void> {
    const credentials = this.credentials;
    if (!credentials) return;
    this.credentials = { ...credentials, token };
    const { state } = this;
    if (state.phase.value === 'error' && state.error.value === 'TOKEN_EXPIRED') {
      await this.rejoin();
      return;
    }
    const signaling = this.signaling;
    if (!signaling) return;
    signaling.setToken(token);
    const answer = await signaling.request('refreshToken', { token });
    const self = state.self.value;
    if (self && self.role !== answer.role) state.self.value = { ...self, role: answer.role };
    log.info(`token refreshed, valid until ${new Date(answer.expiresAt * 1000).toISOString()}`);
  }

  async rejoin(): Promise<void> {
    const credentials = this.credentials;
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
    return this.session?.getReceiveStats() ?? Promise.resolve([]);
  }

  /** Outbound RTP totals per producer (simulcast layers added up). */
  getSendStats(): Promise<SendStats[]> {
    return this.session?.getSendStats() ?? Promise.resolve([]);
  }

  // -------------------------------------------------------- notifications

  /** Every listener on this socket, each module's own; removed at teardown. */
  private subscribe(signaling: Connection): void {
    this.unsubscribe.push(
      ...this.reconnection.subscribe(signaling),
      ...this.remote.subscribe(signaling),
      signaling.onNotification('iceServers', ({ iceServers }) => this.turn.offer(iceServers, 'renewal')),
      ...this.moderation.subscribe(signaling),
      ...this.stills.subscribe(signaling),
    );
  }

  private isSelf(peerId: string): boolean {
    return peerId === this.hello?.peerId;
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
    this.generation++;
    this.video.stop();
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    for (const user of this.socketUsers) user.detach();
    this.session?.close();
    this.session = null;
    this.prewarm?.close();
    this.prewarm = null;
    this.signaling?.close(1000, 'client leaving');
    this.signaling = null;
    this.hello = null;
    this.turn.clear();
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
