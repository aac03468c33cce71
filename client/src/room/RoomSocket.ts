/**
 * The meeting's socket and what lives as long as it, beneath the
 * RoomController's actions: opening it with a hello, the listeners every
 * module puts on it, the media session made on the join screen
 * (MediaPrewarm.ts) and the one the join adopts, the TURN credentials
 * (TurnCredentials.ts), the access token, and closing all of it at a
 * teardown. It lends the modules these objects (`link`, roomLink.ts).
 *
 * The generation counts teardowns: async work started before one sees it
 * changed and drops its result (RoomLink.generation).
 */
import type { ResponseData } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import { NodeDirectory } from '../signaling/nodes';
import { Connection, type ConnectionOptions } from '../signaling/Connection';
import { markJoin } from './joinTimeline';
import { MediaPrewarm } from './MediaPrewarm';
import type { MediaSession } from './mediaSessionLoader';
import type { RoomControllerOptions, SocketUser } from './roomActions';
import type { RoomLink } from './roomLink';
import { DEFAULT_SCREEN_TUNING, type ScreenTuning } from './screenTuning';
import { TurnCredentials } from './TurnCredentials';

const log = createLogger('room');

/** How long `leave` may wait for its answer before we close anyway. */
const LEAVE_TIMEOUT_MS = 3_000;

type Hello = ResponseData<'hello'>;

export interface Credentials {
  projectId: string;
  roomId: string;
  token: string;
}

/** What the controller adds to its own options. */
export interface RoomSocketHooks {
  /** The modules' listeners on a new socket; each returned function removes one. */
  listen: (signaling: Connection) => Array<() => void>;
  /** The adopted session's events that the meeting acts on. */
  sessionEvents: {
    /** A transport is gone on the server: start over. */
    transportGone(): void;
    /** The microphone's or the camera's track ended under a producer. */
    trackEnded(kind: 'audio' | 'video'): void;
  };
}

export class RoomSocket {
  /** The cluster's nodes, known across connections: a fresh hello after a node died tries the survivors. */
  readonly nodes: NodeDirectory;
  /** What the modules are lent: the state and, read at each use, this connection's objects. */
  readonly link: RoomLink;
  /** The newest TURN credentials of this socket's session: the hello's, then renewals (TurnCredentials.ts). */
  readonly turn = new TurnCredentials(() => this.#session ?? this.#prewarm?.session);
  #signaling: Connection | null = null;
  #session: MediaSession | null = null;
  /** The media session made on the join screen, until the join takes it (MediaPrewarm.ts). */
  #prewarm: MediaPrewarm | null = null;
  #hello: Hello | null = null;
  /** Those of the last connect, with the newest token: kept across teardowns, for rejoining. */
  #credentials: Credentials | null = null;
  #unsubscribe: Array<() => void> = [];
  #generation = 0;
  readonly #createConnection: (options: ConnectionOptions) => Connection;
  /** Others that use the socket beside the media (the chat): attached after each hello, detached with it. */
  readonly #socketUsers: readonly SocketUser[];
  readonly #screenTuning: ScreenTuning;

  constructor(
    private readonly options: RoomControllerOptions,
    private readonly hooks: RoomSocketHooks,
  ) {
    this.nodes = new NodeDirectory(options.url);
    this.#createConnection = options.createConnection ?? ((connectionOptions) => new Connection(connectionOptions));
    this.#socketUsers = options.socketUsers ?? [];
    this.#screenTuning = options.screenTuning ?? DEFAULT_SCREEN_TUNING;
    this.link = {
      state: options.state,
      session: () => this.#session,
      signaling: () => this.#signaling,
      generation: () => this.#generation,
      isSelf: (peerId) => this.isSelf(peerId),
    };
  }

  /** This connection's socket: null after a teardown. */
  get signaling(): Connection | null {
    return this.#signaling;
  }

  /** The meeting's media session: null until the join adopts one, and after a teardown. */
  get session(): MediaSession | null {
    return this.#session;
  }

  get prewarm(): MediaPrewarm | null {
    return this.#prewarm;
  }

  /** The newest hello (a resume's replaces the first): null after a teardown. */
  get hello(): Hello | null {
    return this.#hello;
  }

  get credentials(): Credentials | null {
    return this.#credentials;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Whether a peer id is this participant's (the newest hello's). */
  isSelf(peerId: string): boolean {
    return peerId === this.#hello?.peerId;
  }

  /** Nothing started before now may change state any more (leaving). */
  invalidate(): void {
    this.#generation++;
  }

  /** A fresh token for later resumes and reconnects; false when there was never a connect. */
  useToken(token: string): boolean {
    if (!this.#credentials) return false;
    this.#credentials = { ...this.#credentials, token };
    return true;
  }

  /** Tells the server of a fresh token (refreshToken), if connected: the role it gives may change. */
  async sendToken(token: string): Promise<void> {
    const signaling = this.#signaling;
    if (!signaling) return;
    signaling.setToken(token);
    const answer = await signaling.request('refreshToken', { token });
    const { state } = this.options;
    const self = state.self.value;
    if (self && self.role !== answer.role) state.self.value = { ...self, role: answer.role };
    log.info(`token refreshed, valid until ${new Date(answer.expiresAt * 1000).toISOString()}`);
  }

  /**
   * Tells the server this participant leaves (`leave`); resolves when it is
   * answered, refused or timed out, never rejects: the socket is closed next
   * anyway. 'page-hide': the page is going, the answer will rarely come.
   */
  async goodbye(why: 'wait' | 'page-hide'): Promise<void> {
    try {
      await this.#signaling?.request('leave', {}, { timeoutMs: LEAVE_TIMEOUT_MS });
    } catch (error) {
      if (why === 'wait') log.warn('leave request failed; closing anyway', error);
      else log.debug('leave on pagehide not answered', error);
    }
  }

  /** A resume's hello: the one held from now on. */
  resumed(hello: Hello): void {
    this.#hello = hello;
  }

  /**
   * Opens a socket with these credentials (after a teardown) and says hello;
   * once answered, the socket's users are attached and the join screen's
   * media session is started. Resolves with the hello, or null when a
   * teardown came meanwhile; rejects with the hello's failure.
   */
  async open(credentials: Credentials): Promise<Hello | null> {
    const generation = this.#generation;
    this.#credentials = credentials;
    const { projectId, roomId, token } = credentials;
    const { options } = this;
    const signaling = this.#createConnection({
      url: options.url,
      nodes: this.nodes,
      // For the project's presence list ("on a phone").
      hello: { token, projectId, roomId, device: options.isPhone() ? 'phone' : 'desktop' },
    });
    this.#signaling = signaling;
    this.#unsubscribe.push(
      ...this.hooks.listen(signaling),
      signaling.onNotification('iceServers', ({ iceServers }) => this.turn.offer(iceServers, 'renewal')),
    );
    const hello = await signaling.open();
    if (generation !== this.#generation) return null;
    markJoin('hello-answered');
    this.#hello = hello;
    this.turn.hold(hello.iceServers);
    for (const user of this.#socketUsers) user.attach(signaling, hello);
    // Device and transports made while the person is on the join screen (not for a guest who may wait).
    this.#prewarm = new MediaPrewarm(signaling, hello, this.#screenTuning, {
      transports: hello.self.role !== 'guest',
      audioOnly: options.state.audioOnly.value,
    });
    return hello;
  }

  /** After a successful join: the socket's users hear its answer (e.g. the presentation in progress). */
  joined(answer: ResponseData<'join'>): void {
    for (const user of this.#socketUsers) user.joined?.(answer);
  }

  /** The join's media session becomes the meeting's: its events into state, closed with the socket. */
  adopt(session: MediaSession): void {
    const { state } = this.options;
    const { sessionEvents } = this.hooks;
    this.#session = session;
    state.mediaConnection.value = session.connection; // the lobby may have connected it (the probe)
    this.#unsubscribe.push(
      session.events.on('connectionstatechange', (connection) => {
        state.mediaConnection.value = connection;
      }),
      session.events.on('transportgone', () => sessionEvents.transportGone()),
      session.events.on('producertrackended', (source) => {
        // A shared screen's end is reported by ScreenCapture, which also sees it before producing.
        if (source === 'mic' || source === 'camera') sessionEvents.trackEnded(source === 'mic' ? 'audio' : 'video');
      }),
    );
  }

  /** Removes every listener, detaches the users, closes both media sessions and the socket; the generation moves on. */
  close(): void {
    this.#generation++;
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    for (const user of this.#socketUsers) user.detach();
    this.#session?.close();
    this.#session = null;
    this.#prewarm?.close();
    this.#prewarm = null;
    this.#signaling?.close(1000, 'client leaving');
    this.#signaling = null;
    this.#hello = null;
    this.turn.clear();
  }
}
