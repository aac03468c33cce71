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
 * - Requests made while reconnecting wait for the resume (within their own
 *   timeout). Requests in flight when the socket died fail with
 *   CONNECTION_LOST, unless marked `retryOnLost` (idempotent ones): those are
 *   sent again after the resume.
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
import { errorCodeOf, isRetryable } from '../errors';
import { createLogger } from '../log';
import { Emitter } from '../util/Emitter';
import { classifyClose } from './closeCodes';
import { Heartbeat } from './heartbeat';
import { helloSomewhere } from './helloRoute';
import { NodeDirectory, nodeSocketUrl } from './nodes';
import { DEFAULT_REQUEST_TIMEOUT_MS, SignalingClient, type RequestOptions, type SocketClosed } from './SignalingClient';
import { SignalingError } from './SignalingError';
import { DEFAULT_TIMING, defaultOnOnline, type ConnectionOptions, type ConnectionTiming, type HelloParams } from './connectionOptions';

export { DEFAULT_TIMING, MAX_REDIRECTS, type ConnectionOptions, type ConnectionTiming, type HelloParams } from './connectionOptions';

const log = createLogger('connection');

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'expired';

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
  /** Which node the next resume attempt tries (see tryResume); from 0 at each loss, and after a WRONG_NODE. */
  private resumeStep = 0;
  /** Requests waiting for the connection to be open again. */
  private readonly waiters = new Set<() => void>();

  constructor(options: ConnectionOptions) {
    this.nodes = options.nodes ?? new NodeDirectory(options.url);
    this.helloParams = options.hello;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.createClient =
      options.createClient ?? ((url, timeoutMs) => new SignalingClient({ url, requestTimeoutMs: timeoutMs }));
    this.heartbeat = new Heartbeat(this.timing, {
      openClient: () => (this.stateValue === 'open' ? this.client : null),
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
    const deadline = Date.now() + (options.timeoutMs ?? this.requestTimeoutMs);
    return this.send(type, data, options, deadline);
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

  private async send<T extends RequestType>(
    type: T,
    data: RequestData<T>,
    options: RequestOptions,
    deadline: number,
  ): Promise<ResponseData<T>> {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new SignalingError('TIMEOUT', `${type} got no response`, type);
      const client = this.client;
      if (this.stateValue === 'open' && client) {
        try {
          return await client.request(type, data, { timeoutMs: remaining });
        } catch (error) {
          const lostOnTheWay =
            errorCodeOf(error) === 'CONNECTION_LOST' && options.retryOnLost === true && this.reconnecting();
          if (!lostOnTheWay) throw error;
          log.info(`${type} will be sent again after the resume`);
          continue;
        }
      }
      if (this.stateValue !== 'reconnecting') {
        throw new SignalingError('CONNECTION_LOST', `not connected (${this.stateValue}), cannot send ${type}`, type);
      }
      await this.whenOpen(remaining, type);
    }
  }

  /** Resolves when open again; rejects on timeout or when the connection ends. */
  private whenOpen(timeoutMs: number, type: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        if (this.stateValue === 'reconnecting') return;
        clearTimeout(timer);
        this.waiters.delete(settle);
        if (this.stateValue === 'open') resolve();
        else reject(new SignalingError('CONNECTION_LOST', `connection ${this.stateValue}, cannot send ${type}`, type));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(settle);
        reject(new SignalingError('TIMEOUT', `${type} waited for the connection in vain`, type));
      }, timeoutMs);
      this.waiters.add(settle);
    });
  }

  /** Not a plain comparison: TypeScript would keep a narrowing from before an await. */
  private reconnecting(): boolean {
    return this.stateValue === 'reconnecting';
  }

  private setState(state: ConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    log.info(`connection ${state}`);
    this.events.emit('state', state);
    for (const waiter of [...this.waiters]) waiter();
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
    this.resumeStep = 0;
    const dead = this.client;
    // 4000: "I am reconnecting" (the server keeps the session); usually it never arrives.
    dead?.close(4000, 'reconnecting');
    void this.reconnectLoop();
  }

  private async reconnectLoop(): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; this.stateValue === 'reconnecting'; attempt++) {
      const { backoffMs } = this.timing;
      await this.pause(backoffMs[Math.min(attempt, backoffMs.length - 1)] ?? 2_000);
      if (this.stateValue !== 'reconnecting') return;
      if (Date.now() - started > this.timing.giveUpAfterMs) {
        log.warn('could not resume in time; giving up');
        this.finish({ code: 1006, reason: 'could not reconnect', kind: 'lost', byClient: false }, true);
        return;
      }
      const outcome = await this.tryResume(attempt);
      if (outcome === 'resumed' || outcome === 'stop') return;
    }
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

  private async tryResume(attempt: number): Promise<'resumed' | 'again' | 'stop'> {
    const hello = this.helloValue;
    const secret = this.secret;
    if (!hello || !secret) return 'stop';
    // Twice at the session's node, then the entry and the other nodes in turn. A
    // survivor answers WRONG_NODE while the session's node is alive (back to it),
    // RESUME_FAILED once it is dead (then a fresh hello, and the survivor takes the meeting over).
    const candidates = this.nodes.forResume();
    const url = candidates[Math.floor(this.resumeStep++ / 2) % candidates.length]!;
    const client = this.createClient(url, this.timing.openTimeoutMs);
    this.candidate = client;
    try {
      await client.connect();
      const answer = await client.request(
        'hello',
        {
          protocol: PROTOCOL_VERSION,
          ...this.helloParams,
          resume: { peerId: hello.peerId, secret, lastSeq: this.lastSeqValue },
        },
        { timeoutMs: this.timing.helloTimeoutMs },
      );
      if (this.stateValue !== 'reconnecting') {
        client.close(1000, 'no longer needed');
        return 'stop';
      }
      this.adopt(client);
      this.nodes.current = url;
      this.nodes.learn(answer.nodes);
      this.helloValue = answer;
      this.secret = answer.resumeSecret ?? secret;
      log.info(`resumed as ${answer.peerId} after ${attempt + 1} attempt(s), from seq ${this.lastSeqValue}`);
      this.setState('open');
      this.events.emit('resumed', answer);
      this.heartbeat.start();
      return 'resumed';
    } catch (error) {
      client.close(1000, 'resume attempt failed');
      const code = errorCodeOf(error);
      if (this.stateValue !== 'reconnecting') return 'stop';
      if (code === 'WRONG_NODE') {
        // Another node: the session's node is alive (our network failed, not the node). Back to it.
        const next = nodeSocketUrl((error as SignalingError).details?.url ?? '');
        if (next) this.nodes.current = next;
        this.resumeStep = 0;
        log.info(`the session is on ${next ?? 'another node'}: resuming there`);
        return 'again';
      }
      if (code === 'RESUME_FAILED') {
        log.warn('the server no longer has this session');
        this.expire();
        return 'stop';
      }
      if (!isRetryable(code)) {
        log.warn(`resume refused (${code})`);
        this.finish({ code: 4001, reason: code, kind: 'hello-refused', byClient: false }, true);
        return 'stop';
      }
      log.debug(`resume attempt ${attempt + 1} failed (${code})`);
      return 'again';
    } finally {
      if (this.candidate === client) this.candidate = null;
    }
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
