/**
 * A meeting's signaling connection that survives a lost socket: it says
 * hello, then keeps the session alive across network switches, tunnels and
 * short outages by opening new sockets and resuming the session on them
 * (hello.resume, docs/PROTOCOL.md "Resume").
 *
 * Why a wrapper rather than a smarter SignalingClient: a SignalingClient is
 * one socket, with a simple life (open, requests, close) that its tests pin
 * down; the policy (when a socket counts as dead, how often to try again,
 * what to resend) is a separate concern, tested here with fake sockets and
 * fake timers. The rest of the client talks to a Connection as it talked to
 * a SignalingClient: request() and onNotification(), plus a state.
 *
 *   connecting --hello--> open --socket lost--> reconnecting --resumed--> open
 *                                                    |--RESUME_FAILED--> expired
 *                                                    '--gave up--------> closed
 *   open --left, refused, room closed, close()--> closed
 *
 * - A socket that dies silently (a cut link gives no close event) is found
 *   by a `ping` every few seconds with a short timeout, and at once when the
 *   browser says it is online again.
 * - Requests made while reconnecting wait for the resume (requestGate.ts).
 * - The resume's attempts, their order across nodes and their outcomes: resume.ts.
 * - Notifications are forwarded once: a seq already seen is dropped.
 */
import {
  PROTOCOL_VERSION,
  type NotificationData,
  type NotificationType,
  type RequestData,
  type RequestType,
  type ResponseData,
} from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import { Emitter } from '../util/Emitter';
import { classifyClose } from './closeCodes';
import { Heartbeat } from './heartbeat';
import { helloSomewhere } from './helloRoute';
import { NodeDirectory } from './nodes';
import { RequestGate } from './requestGate';
import { resumeSession } from './resume';
import { DEFAULT_REQUEST_TIMEOUT_MS, SignalingClient, type RequestOptions, type SocketClosed } from './SignalingClient';
import { SignalingError } from './SignalingError';
import {
  DEFAULT_TIMING,
  defaultOnOnline,
  type ConnectionOptions,
  type ConnectionState,
  type ConnectionTiming,
  type HelloParams,
} from './connectionOptions';

export {
  DEFAULT_TIMING,
  MAX_REDIRECTS,
  type ConnectionOptions,
  type ConnectionState,
  type ConnectionTiming,
  type HelloParams,
} from './connectionOptions';

const log = createLogger('connection');

type Hello = ResponseData<'hello'>;

/** What request() and onNotification() need; MediaSession and the chat use only this. */
export interface SignalingChannel {
  request<T extends RequestType>(type: T, data: RequestData<T>, options?: RequestOptions): Promise<ResponseData<T>>;
  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void;
}

/** Why the connection ended: a socket close, or the reconnection gave up. */
export type ConnectionClosed = SocketClosed;

type NotificationEvents = { [T in NotificationType]: [NotificationData<T>] };
type ConnectionEvents = {
  state: [ConnectionState];
  /** The session was taken back on a new socket; the missed notifications follow. */
  resumed: [Hello];
  closed: [ConnectionClosed];
};

export class Connection implements SignalingChannel {
  readonly events = new Emitter<ConnectionEvents>();
  private readonly notifications = new Emitter<NotificationEvents>();
  private readonly nodes: NodeDirectory;
  private helloParams: HelloParams;
  private readonly timing: ConnectionTiming;
  private readonly requestTimeoutMs: number;
  private readonly createClient: (url: string, timeoutMs: number) => SignalingClient;
  private readonly stopOnline: () => void;
  private client: SignalingClient | null = null;
  /** The socket being resumed on: its replayed notifications count already. */
  private candidate: SignalingClient | null = null;
  private clientSubscriptions: Array<() => void> = [];
  private stateValue: ConnectionState = 'connecting';
  private helloValue: Hello | null = null;
  private secret: string | undefined;
  private lastSeqValue = 0;
  private readonly heartbeat: Heartbeat;
  /** Cuts the wait before the next reconnection attempt short (network back). */
  private wakeUp: (() => void) | null = null;
  private readonly gate: RequestGate;

  constructor(options: ConnectionOptions) {
    this.nodes = options.nodes ?? new NodeDirectory(options.url);
    this.helloParams = options.hello;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.createClient =
      options.createClient ?? ((url, timeoutMs) => new SignalingClient({ url, requestTimeoutMs: timeoutMs }));
    this.gate = new RequestGate({ state: () => this.stateValue, openClient: () => this.openClient() }, this.requestTimeoutMs);
    this.heartbeat = new Heartbeat(this.timing, {
      openClient: () => this.openClient(),
      dead: () => {
        if (this.secret) this.startReconnecting();
        else this.finish({ code: 4000, reason: 'heartbeat lost', kind: 'lost', byClient: false }, true);
      },
    });
    this.stopOnline = (options.onOnline ?? defaultOnOnline)(() => this.networkBack());
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** The latest hello answer (the resume's, after one). */
  get hello(): Hello | null {
    return this.helloValue;
  }

  /** Seq of the last notification received. */
  get lastSeq(): number {
    return this.lastSeqValue;
  }

  /** A fresh access token: later resumes authenticate with it (refreshToken tells the server now). */
  setToken(token: string): void {
    this.helloParams = { ...this.helloParams, token };
  }

  /**
   * Opens the first socket and says hello. Rejects like SignalingClient
   * (server code, TIMEOUT, CONNECTION_LOST). In a cluster, follows WRONG_NODE
   * to the meeting's node and falls back to the other nodes known (see helloSomewhere).
   */
  async open(): Promise<Hello> {
    if (this.stateValue !== 'connecting' || this.client) throw new SignalingError('CONNECTION_LOST', 'open() called twice');
    try {
      const hello = await this.helloSomewhere();
      if (this.stateValue !== 'connecting') throw new SignalingError('CONNECTION_LOST', 'closed during hello');
      this.helloValue = hello;
      this.secret = hello.resumeSecret;
      this.setState('open');
      this.heartbeat.start();
      return hello;
    } catch (error) {
      this.finish({ code: 1000, reason: 'hello failed', kind: 'lost', byClient: true }, false);
      throw error;
    }
  }

  /** A fresh hello, routed through the cluster (helloRoute.ts). */
  private helloSomewhere(): Promise<Hello> {
    return helloSomewhere({
      nodes: this.nodes,
      timing: this.timing,
      helloAt: (url) => this.helloAt(url),
      connecting: () => this.stateValue === 'connecting',
      pause: (ms) => this.pause(ms),
    });
  }

  /** One socket to one node and its hello; the socket is closed again on failure. */
  private async helloAt(url: string): Promise<Hello> {
    const client = this.createClient(url, this.requestTimeoutMs);
    this.adopt(client);
    try {
      await client.connect();
      const hello = await client.request('hello', { protocol: PROTOCOL_VERSION, ...this.helloParams });
      this.nodes.current = url;
      this.nodes.learn(hello.nodes);
      return hello;
    } catch (error) {
      client.close(1000, 'hello failed');
      throw error;
    }
  }

  request<T extends RequestType>(type: T, data: RequestData<T>, options: RequestOptions = {}): Promise<ResponseData<T>> {
    return this.gate.request(type, data, options);
  }

  onNotification<T extends NotificationType>(type: T, listener: (data: NotificationData<T>) => void): () => void {
    return this.notifications.on(type, listener);
  }

  /** Called on every state change. */
  onState(listener: (state: ConnectionState) => void): () => void {
    return this.events.on('state', listener);
  }

  /** Called once when the connection ends for good ('closed'; not 'expired', which has its own state). */
  onClose(listener: (closed: ConnectionClosed) => void): () => void {
    return this.events.on('closed', listener);
  }

  onResumed(listener: (hello: Hello) => void): () => void {
    return this.events.on('resumed', listener);
  }

  /** Ends the connection on purpose; idempotent. The server ends the session at once (1000). */
  close(code = 1000, reason = 'client closing'): void {
    this.finish({ code, reason, kind: classifyClose(code), byClient: true }, false);
  }

  // ------------------------------------------------------------ internals

  /** The current socket while open, null otherwise (the heartbeat's and the requests' view). */
  private openClient(): SignalingClient | null {
    return this.stateValue === 'open' ? this.client : null;
  }

  private setState(state: ConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    log.info(`connection ${state}`);
    this.events.emit('state', state);
    this.gate.stateChanged();
  }

  /** Makes `client` the current socket: its notifications and its close are ours. */
  private adopt(client: SignalingClient): void {
    for (const off of this.clientSubscriptions) off();
    this.client = client;
    this.clientSubscriptions = [
      client.onAnyNotification((type, data, seq) => this.forward(client, type, data, seq)),
      client.onClose((closed) => this.handleClose(client, closed)),
    ];
  }

  private forward(client: SignalingClient, type: NotificationType, data: unknown, seq: number | undefined): void {
    if (client !== this.client && client !== this.candidate) return;
    if (seq !== undefined) {
      if (seq <= this.lastSeqValue) {
        log.debug(`dropped notification #${seq} (already seen)`);
        return;
      }
      this.lastSeqValue = seq;
    }
    this.notifications.emit(type, ...([data] as NotificationEvents[typeof type]));
  }

  private handleClose(client: SignalingClient, closed: SocketClosed): void {
    if (client !== this.client || closed.byClient) return;
    if (this.stateValue !== 'open') return; // during hello, the hello's rejection reports it
    if (closed.kind === 'lost' && this.secret) {
      log.warn(`socket lost (${closed.code}); resuming`);
      this.startReconnecting();
      return;
    }
    this.finish(closed, true);
  }

  private networkBack(): void {
    if (this.stateValue === 'open') {
      this.heartbeat.check();
    } else if (this.stateValue === 'reconnecting') {
      this.wakeUp?.();
    }
  }

  private startReconnecting(): void {
    this.heartbeat.stop();
    this.setState('reconnecting');
    const dead = this.client;
    // 4000: "I am reconnecting" (the server keeps the session); usually it never arrives.
    dead?.close(4000, 'reconnecting');
    void resumeSession({
      nodes: this.nodes,
      timing: this.timing,
      createSocket: (url) => this.createClient(url, this.timing.openTimeoutMs),
      session: () => (this.helloValue && this.secret ? { peerId: this.helloValue.peerId, secret: this.secret } : null),
      resumeHello: (session) => ({ protocol: PROTOCOL_VERSION, ...this.helloParams, resume: { ...session, lastSeq: this.lastSeqValue } }),
      reconnecting: () => this.stateValue === 'reconnecting',
      watch: (client) => {
        this.candidate = client;
        return () => {
          if (this.candidate === client) this.candidate = null;
        };
      },
      resumed: (client, answer) => this.resumed(client, answer),
      expired: () => this.expire(),
      end: (closed) => this.finish(closed, true),
      pause: (ms) => this.pause(ms),
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }

  /** The session is back on `client` (resume.ts made sure it still is wanted). */
  private resumed(client: SignalingClient, answer: Hello): void {
    this.adopt(client);
    this.helloValue = answer;
    this.secret = answer.resumeSecret ?? this.secret;
    this.setState('open');
    this.events.emit('resumed', answer);
    this.heartbeat.start();
  }

  private expire(): void {
    this.teardown();
    this.setState('expired');
  }

  private finish(closed: ConnectionClosed, announce: boolean): void {
    if (this.stateValue === 'closed' || this.stateValue === 'expired') return;
    this.teardown();
    this.setState('closed');
    if (announce) this.events.emit('closed', closed);
  }

  private teardown(): void {
    this.heartbeat.stop();
    this.stopOnline();
    this.wakeUp?.();
    for (const off of this.clientSubscriptions) off();
    this.clientSubscriptions = [];
    this.client?.close(1000, 'client leaving');
    this.client = null;
  }
}
