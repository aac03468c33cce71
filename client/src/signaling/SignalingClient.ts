/**
 * One WebSocket to the signaling server, speaking the protocol of
 * @chantier/signaling/protocol: typed requests matched to their responses by
 * id, typed notifications, and one `close` event.
 *
 * A client is one socket: once closed it stays closed. Reconnecting and
 * resuming the session on a new socket is Connection's job (Connection.ts).
 */
import type {
  NotificationData,
  NotificationType,
  RequestData,
  RequestType,
  ResponseData,
} from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import { Emitter } from '../util/Emitter';
import { classifyClose, type CloseKind } from './closeCodes';
import { parseServerMessage } from './envelope';
import { SignalingError } from './SignalingError';

const log = createLogger('signaling');

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** WebSocket readyState values; the global `WebSocket` is absent in Node tests. */
const OPEN = 1;

/** The part of the browser's WebSocket this client uses, so tests can fake it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

export interface SignalingClientOptions {
  url: string;
  /** How long a request (and the socket opening) may take. */
  requestTimeoutMs?: number;
  createSocket?: (url: string) => WebSocketLike;
}

export interface RequestOptions {
  /** Overrides the client's timeout for this request (e.g. a short one for `leave`). */
  timeoutMs?: number;
  /**
   * The request is idempotent (a chatSend with its clientMessageId, a ping):
   * a reconnecting Connection sends it again when the socket it went on died
   * before the answer. A single socket ignores it.
   */
  retryOnLost?: boolean;
}

/** Every notification, with its seq when the server numbered it. */
export type AnyNotificationListener = (type: NotificationType, data: unknown, seq: number | undefined) => void;

export interface SocketClosed {
  code: number;
  reason: string;
  kind: CloseKind;
  /** True when this side called close(). */
  byClient: boolean;
}

type NotificationEvents = { [T in NotificationType]: [NotificationData<T>] };
type ClientEvents = { close: [SocketClosed]; notification: Parameters<AnyNotificationListener> };

interface Pending {
  type: RequestType;
  resolve: (data: unknown) => void;
  reject: (error: SignalingError) => void;
  timer: ReturnType<typeof setTimeout>;
}

type State = 'idle' | 'connecting' | 'open' | 'closed';

export class SignalingClient {
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly createSocket: (url: string) => WebSocketLike;
  private readonly notifications = new Emitter<NotificationEvents>();
  private readonly events = new Emitter<ClientEvents>();
  private readonly pending = new Map<number, Pending>();
  private socket: WebSocketLike | null = null;
  private state: State = 'idle';
  private nextId = 1;

  constructor(options: SignalingClientOptions) {
    this.url = options.url;
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  /** Opens the socket. Rejects with CONNECTION_LOST or TIMEOUT. */
  connect(): Promise<void> {
    if (this.state !== 'idle') {
      return Promise.reject(new SignalingError('CONNECTION_LOST', `connect() in state ${this.state}`));
    }
    this.state = 'connecting';
    return new Promise<void>((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = this.createSocket(this.url);
      } catch (error) {
        this.state = 'closed';
        log.warn('cannot create WebSocket', error);
        reject(new SignalingError('CONNECTION_LOST', 'cannot create WebSocket'));
        return;
      }
      this.socket = socket;
      const timer = setTimeout(() => {
        reject(new SignalingError('TIMEOUT', 'WebSocket did not open in time'));
        this.close(1000, 'open timeout');
      }, this.timeoutMs);

      socket.addEventListener('open', () => {
        clearTimeout(timer);
        if (this.state !== 'connecting') return;
        this.state = 'open';
        log.info('connected');
        resolve();
      });
      socket.addEventListener('message', (event) => this.handleMessage(event.data));
      // 'error' is always followed by 'close', which does the work.
      socket.addEventListener('error', () => log.debug('socket error'));
      socket.addEventListener('close', (event) => {
        clearTimeout(timer);
        // A no-op when the socket opened or close() already rejected it.
        reject(new SignalingError('CONNECTION_LOST', `socket closed (${event.code}) before opening`));
        this.handleClose(event.code, event.reason, false);
      });
    });
  }

  /**
   * Sends a request and resolves with the response's data. Rejects with a
   * SignalingError: the server's code, TIMEOUT, or CONNECTION_LOST.
   */
  request<T extends RequestType>(
    type: T,
    data: RequestData<T>,
    options: RequestOptions = {},
  ): Promise<ResponseData<T>> {
    const socket = this.socket;
    if (this.state !== 'open' || !socket || socket.readyState !== OPEN) {
      return Promise.reject(new SignalingError('CONNECTION_LOST', `not connected, cannot send ${type}`, type));
    }
    const id = this.nextId++;
    return new Promise<ResponseData<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        log.warn(`request ${type} #${id} timed out`);
        reject(new SignalingError('TIMEOUT', `${type} got no response`, type));
      }, options.timeoutMs ?? this.timeoutMs);
      this.pending.set(id, {
        type,
        // The server validates its responses against the protocol (see envelope.ts).
        resolve: resolve as (data: unknown) => void,
        reject,
        timer,
      });
      try {
        socket.send(JSON.stringify({ kind: 'req', id, type, data }));
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(id);
        log.warn(`cannot send ${type}`, error);
        reject(new SignalingError('CONNECTION_LOST', `cannot send ${type}`, type));
      }
    });
  }

  /** Subscribes to one notification type; returns the unsubscribe function. */
  onNotification<T extends NotificationType>(
    type: T,
    listener: (data: NotificationData<T>) => void,
  ): () => void {
    return this.notifications.on(type, listener);
  }

  /** Every notification, before the listeners of its type (a Connection tracks seq and forwards). */
  onAnyNotification(listener: AnyNotificationListener): () => void {
    return this.events.on('notification', listener);
  }

  /** Called once, when the socket closes for any reason. */
  onClose(listener: (closed: SocketClosed) => void): () => void {
    return this.events.on('close', listener);
  }

  /** Closes the socket; idempotent. Pending requests reject with CONNECTION_LOST. */
  close(code = 1000, reason = 'client closing'): void {
    if (this.state === 'closed') return;
    const socket = this.socket;
    if (socket) {
      try {
        socket.close(code, reason);
      } catch (error) {
        log.debug('socket.close() threw', error);
      }
    }
    // Do not wait for the socket's own close event: it may come late or never
    // (a socket still connecting, a dead network).
    this.handleClose(code, reason, true);
  }

  private handleMessage(raw: unknown): void {
    if (typeof raw !== 'string') {
      log.warn('ignored a binary message');
      return;
    }
    const message = parseServerMessage(raw);
    switch (message.kind) {
      case 'invalid':
        log.warn(`ignored a message: ${message.reason}`);
        return;
      case 'ntf':
        this.dispatchNotification(message.type, message.data, message.seq);
        return;
      case 'res':
        this.settle(message.id, message);
        return;
    }
  }

  private settle(
    id: number | null,
    response:
      | { ok: true; data: unknown }
      | { ok: false; error: { code: SignalingError['code']; message: string; details?: SignalingError['details'] } },
  ): void {
    const pending = id === null ? undefined : this.pending.get(id);
    if (!pending) {
      // id null: the server could not read one of our messages. Otherwise a
      // response after its timeout. Neither can be routed to a caller.
      if (response.ok) log.warn(`response to unknown request #${String(id)}`);
      else log.warn(`error for unknown request #${String(id)}: ${response.error.code} ${response.error.message}`);
      return;
    }
    this.pending.delete(id as number);
    clearTimeout(pending.timer);
    if (response.ok) {
      pending.resolve(response.data);
    } else {
      log.debug(`request ${pending.type} failed: ${response.error.code} ${response.error.message}`);
      pending.reject(new SignalingError(response.error.code, response.error.message, pending.type, response.error.details));
    }
  }

  private dispatchNotification<T extends NotificationType>(type: T, data: unknown, seq: number | undefined): void {
    log.debug(`notification ${type}${seq === undefined ? '' : ` #${seq}`}`);
    this.events.emit('notification', type, data, seq);
    // Trusted like responses: the server validates what it sends.
    this.notifications.emit(type, ...([data] as NotificationEvents[T]));
  }

  private handleClose(code: number, reason: string, byClient: boolean): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const kind = classifyClose(code);
    log.info(`closed (${code}${reason ? ` ${reason}` : ''}, ${byClient ? 'by client' : kind})`);
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new SignalingError('CONNECTION_LOST', `socket closed before the response to ${pending.type}`, pending.type));
      this.pending.delete(id);
    }
    this.events.emit('close', { code, reason, kind, byClient });
    this.events.removeAllListeners();
    this.notifications.removeAllListeners();
  }
}
