/**
 * The one non-UI object of the project page. It owns the page's signaling
 * socket (hello without a room: chat and presence, no media), reconnects it
 * when it drops, and hands it to the chat; it loads the project's name and
 * documents over HTTP. It writes the page's signals; the chat and documents
 * controllers it wires together write theirs.
 *
 * Every public action resolves, never rejects.
 */
import { effect } from '@preact/signals';
import { PROTOCOL_VERSION, type ResponseData } from '@chantier/signaling/protocol';
import type { ProjectApi } from '../api/ProjectApi';
import type { ChatController } from '../chat/ChatController';
import type { DocumentsController } from '../documents/DocumentsController';
import { errorCodeOf, isRetryable, type AppErrorCode } from '../errors';
import { createLogger } from '../log';
import { SignalingClient, type SocketClosed } from '../signaling/SignalingClient';
import { PresenceSync } from './presenceSync';
import type { ProjectState, ProjectTab } from './projectState';
import { reconnectDelay } from './reconnect';

const log = createLogger('project');

/** What the UI may ask for. */
export interface ProjectActions {
  selectTab(tab: ProjectTab): void;
  /** Now, rather than when the scheduled attempt comes. */
  reconnect(): Promise<void>;
}

export interface ProjectControllerOptions {
  state: ProjectState;
  token: string;
  /** The signaling endpoint (see signaling/socketUrl.ts). */
  url: string;
  api: ProjectApi;
  chat: ChatController;
  documents: DocumentsController;
  /** Presence shows a phone icon for phones. */
  isPhone: () => boolean;
  /** Others that use the page's socket beside the chat (calls), attached after each hello. */
  socketUsers?: readonly ProjectSocketUser[];
  createSignaling?: (url: string) => SignalingClient;
  timers?: { setTimeout(handler: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  /** Subscribes to "the network is back" (the window's 'online' event); returns the unsubscribe. */
  onOnline?: (listener: () => void) => () => void;
}

/** A ping this often while online; one unanswered this long means the socket is dead (a cut link never closes). */
const HEARTBEAT_MS = 5_000;
const HEARTBEAT_TIMEOUT_MS = 3_000;

function windowOnline(listener: () => void): () => void {
  if (typeof window === 'undefined') return () => {};
  window.addEventListener('online', listener);
  return () => window.removeEventListener('online', listener);
}

/** Like the meeting's SocketUser (room/RoomController.ts): attached after each hello, detached when the socket goes. */
export interface ProjectSocketUser {
  attach(signaling: SignalingClient, hello: ResponseData<'hello'>): void;
  detach(): void;
}

export class ProjectController implements ProjectActions {
  readonly state: ProjectState;
  private token: string;
  private readonly url: string;
  private readonly api: ProjectApi;
  private readonly chat: ChatController;
  private readonly documents: DocumentsController;
  private readonly isPhone: () => boolean;
  private readonly socketUsers: readonly ProjectSocketUser[];
  private readonly createSignaling: (url: string) => SignalingClient;
  private readonly timers: NonNullable<ProjectControllerOptions['timers']>;
  private signaling: SignalingClient | null = null;
  private unsubscribe: Array<() => void> = [];
  /** Bumped by each connection attempt and by dispose: older answers are dropped. */
  private generation = 0;
  private attempt = 0;
  private retryTimer: unknown = null;
  private everOnline = false;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private pingInFlight = false;
  private readonly stopOnline: () => void;
  private readonly stopEffects: () => void;
  private readonly presence: PresenceSync;

  constructor(options: ProjectControllerOptions) {
    this.state = options.state;
    this.token = options.token;
    this.url = options.url;
    this.api = options.api;
    this.chat = options.chat;
    this.documents = options.documents;
    this.isPhone = options.isPhone;
    this.socketUsers = options.socketUsers ?? [];
    this.presence = new PresenceSync(options.state.online);
    this.createSignaling = options.createSignaling ?? ((url) => new SignalingClient({ url }));
    this.timers = options.timers ?? {
      setTimeout: (handler, ms) => globalThis.setTimeout(handler, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    this.stopOnline = (options.onOnline ?? windowOnline)(() => this.networkBack());
    // The chat is on screen when its column shows (wide) or its tab is chosen (phone).
    this.stopEffects = effect(() => {
      this.chat.setOpen(this.state.wide.value || this.state.tab.value === 'chat');
    });
  }

  /** Loads the project and connects; the page shows at once and fills in. */
  async start(): Promise<void> {
    await Promise.all([this.loadName(), this.documents.refresh(), this.loadMeetings(), this.connect()]);
  }

  /** A meeting just ended (its chat message arrived): its record is ready. */
  async meetingEnded(): Promise<void> {
    await this.loadMeetings();
  }

  selectTab(tab: ProjectTab): void {
    this.state.tab.value = tab;
  }

  /**
   * A fresh access token from the embedding platform: the next hello uses it
   * and, when online, the server is told now (refreshToken). A page refused
   * for an expired token connects again with it.
   */
  async refreshToken(token: string): Promise<void> {
    this.token = token;
    const { state } = this;
    if (state.phase.value === 'error' && state.error.value === 'TOKEN_EXPIRED') {
      state.phase.value = 'connecting';
      await this.connect();
      return;
    }
    const signaling = this.signaling;
    if (state.phase.value !== 'online' || !signaling) return;
    const answer = await signaling.request('refreshToken', { token });
    const self = state.self.value;
    if (self && self.role !== answer.role) state.self.value = { ...self, role: answer.role };
    log.info(`token refreshed, valid until ${new Date(answer.expiresAt * 1000).toISOString()}`);
  }

  async reconnect(): Promise<void> {
    if (this.state.phase.value !== 'offline') return;
    this.clearRetry();
    await this.connect();
  }

  /** Shows an error instead of the page (a bad link, found before connecting, or a refused hello). */
  fail(code: AppErrorCode): void {
    this.clearRetry();
    this.closeSocket();
    this.state.error.value = code;
    this.state.phase.value = 'error';
  }

  /** Stops everything; the controller is not used after this. */
  dispose(): void {
    this.generation++;
    this.clearRetry();
    this.closeSocket();
    this.stopOnline();
    this.stopEffects();
  }

  // ------------------------------------------------------------ internals

  /** Never rejects: the list stays as it was when it cannot be loaded. */
  private async loadMeetings(): Promise<void> {
    try {
      this.state.meetings.value = await this.api.meetings();
    } catch (error) {
      log.warn('meetings not loaded', error);
    }
  }

  /** Never rejects: the project id stands in for a name that did not load. */
  private async loadName(): Promise<void> {
    try {
      const project = await this.api.project();
      this.state.name.value = project.name;
    } catch (error) {
      log.warn('project not loaded', error);
    }
  }

  /** Never rejects: failures become phase 'offline' (and a retry) or 'error'. */
  private async connect(): Promise<void> {
    this.closeSocket();
    const generation = ++this.generation;
    const { state } = this;
    if (state.phase.value !== 'offline') state.phase.value = 'connecting';
    const signaling = this.createSignaling(this.url);
    this.signaling = signaling;
    this.unsubscribe.push(
      signaling.onClose((closed) => this.handleClosed(closed, generation)),
      this.presence.listen(signaling),
      // Someone else's upload or delete shows without a reload (refresh() catches everything).
      signaling.onNotification('documentsChanged', () => void this.documents.refresh()),
    );
    try {
      await signaling.connect();
      const hello = await signaling.request('hello', {
        protocol: PROTOCOL_VERSION,
        token: this.token,
        projectId: state.projectId,
        device: this.isPhone() ? 'phone' : 'desktop',
      });
      if (generation !== this.generation) return;
      state.self.value = hello.self;
      this.presence.hello(hello.presence);
      state.error.value = null;
      state.phase.value = 'online';
      this.attempt = 0;
      this.startHeartbeat(signaling, generation);
      this.chat.attach(signaling, { projectId: state.projectId, self: hello.self, unread: hello.unread });
      for (const user of this.socketUsers) user.attach(signaling, hello);
      log.info(`online in ${state.projectId} as ${hello.peerId}`);
      // What changed while offline (the first time, start() loads them).
      if (this.everOnline) await this.documents.refresh();
      this.everOnline = true;
    } catch (error) {
      if (generation !== this.generation) return;
      const code = errorCodeOf(error);
      log.warn(`hello failed (${code})`, error);
      if (isRetryable(code)) this.scheduleRetry();
      else this.fail(code);
    }
  }

  private handleClosed(closed: SocketClosed, generation: number): void {
    if (closed.byClient || generation !== this.generation) return;
    this.chat.detach();
    for (const user of this.socketUsers) user.detach();
    // During hello, the hello's own rejection decides what happens.
    if (this.state.phase.value !== 'online') return;
    log.warn(`connection lost (${closed.code})`);
    this.scheduleRetry();
  }

  /** Presence comes back by itself only if a dead socket is noticed: ping it. */
  private startHeartbeat(signaling: SignalingClient, generation: number): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => this.checkAlive(signaling, generation), HEARTBEAT_MS);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.pingInFlight = false;
  }

  private checkAlive(signaling: SignalingClient, generation: number): void {
    if (this.pingInFlight || generation !== this.generation || this.state.phase.value !== 'online') return;
    this.pingInFlight = true;
    signaling
      .request('ping', {}, { timeoutMs: HEARTBEAT_TIMEOUT_MS })
      .then(() => {
        this.pingInFlight = false;
      })
      .catch((error: unknown) => {
        this.pingInFlight = false;
        if (generation !== this.generation || errorCodeOf(error) !== 'TIMEOUT') return;
        log.warn('no answer to ping: the socket is dead');
        this.closeSocket();
        this.scheduleRetry();
      });
  }

  /** The browser says the network is back: check the socket now, or retry now. */
  private networkBack(): void {
    const phase = this.state.phase.value;
    if (phase === 'offline') void this.reconnect();
    else if (phase === 'online' && this.signaling) this.checkAlive(this.signaling, this.generation);
  }

  private scheduleRetry(): void {
    this.clearRetry();
    this.state.phase.value = 'offline';
    const delay = reconnectDelay(this.attempt++);
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      void this.connect(); // connect() never rejects
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private closeSocket(): void {
    this.stopHeartbeat();
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.chat.detach();
    for (const user of this.socketUsers) user.detach();
    this.signaling?.close(1000, 'client leaving');
    this.signaling = null;
  }
}
