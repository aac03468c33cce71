/**
 * A protocol client for integration tests, over a real WebSocket. It checks
 * every message the server sends against the protocol's schemas and keeps
 * the violations, so that each test can assert the server spoke the protocol.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import WebSocket from 'ws';
import {
  ErrorBody,
  Notifications,
  PresenceView,
  type PresenceEntry,
  Requests,
  type ErrorCode,
  type NotificationData,
  type NotificationType,
  type RequestData,
  type RequestType,
  type ResponseData,
} from '../signaling/src/protocol/index.js';

const responseChecks = Object.fromEntries(
  Object.entries(Requests).map(([t, d]) => [t, TypeCompiler.Compile(d.response as TSchema)]),
) as Record<RequestType, TypeCheck<TSchema>>;
const notificationChecks = Object.fromEntries(
  Object.entries(Notifications).map(([t, s]) => [t, TypeCompiler.Compile(s as TSchema)]),
) as Record<NotificationType, TypeCheck<TSchema>>;
const errorCheck = TypeCompiler.Compile(ErrorBody);

export class RequestFailed extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What the error carried beside its code (WRONG_NODE: the holder's URL). */
    readonly details?: ErrorBody['details'],
  ) {
    super(`${code}: ${message}`);
  }
}

/** What the server answered a request: 'ok', or its error's code; anything else (a closed socket) throws. */
export async function answerCode(promise: Promise<unknown>): Promise<'ok' | ErrorCode> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof RequestFailed) return error.code;
    throw error;
  }
}

interface Pending {
  type: string;
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
}

export interface ReceivedNotification {
  type: NotificationType;
  data: unknown;
  /** Meeting sockets number their notifications (resume). */
  seq?: number;
}

export class TestClient {
  readonly ws: WebSocket;
  readonly notifications: ReceivedNotification[] = [];
  /** Error responses that carried no request id (malformed frames). */
  readonly orphanErrors: ErrorBody[] = [];
  readonly violations: string[] = [];
  /** The project's presence as this client sees it: the hello's snapshot, then the changes (a gap asks for a snapshot, as the app does). */
  readonly presence = new PresenceView();
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #waiters = new Set<() => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code) => {
        this.closeCode = code;
        for (const p of this.#pending.values()) p.reject(new Error(`socket closed (${code})`));
        this.#pending.clear();
        this.#wake();
        resolve(code);
      });
    });
    ws.on('message', (raw) => this.#onMessage(raw.toString()));
  }

  static async connect(baseUrl: string): Promise<TestClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestClient(ws);
  }

  request<T extends RequestType>(type: T, data: RequestData<T>): Promise<ResponseData<T>> {
    return this.rawRequest(type, data) as Promise<ResponseData<T>>;
  }

  /** Sends any type and data, valid or not. */
  rawRequest(type: string, data: unknown): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { type, resolve, reject });
      this.ws.send(JSON.stringify({ kind: 'req', id, type, data }));
    });
  }

  /** Sends a raw frame and waits for the next id-less error. */
  async sendRaw(frame: string | Buffer, binary = false): Promise<ErrorBody> {
    const before = this.orphanErrors.length;
    this.ws.send(frame, { binary });
    await this.until(() => this.orphanErrors.length > before, 'an error for the raw frame');
    return this.orphanErrors[before]!;
  }

  async expectError(promise: Promise<unknown>): Promise<RequestFailed> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof RequestFailed) return error;
      throw error;
    }
    throw new Error('expected the request to fail');
  }

  notificationsOf<T extends NotificationType>(type: T): NotificationData<T>[] {
    return this.notifications.filter((n) => n.type === type).map((n) => n.data as NotificationData<T>);
  }

  async waitFor<T extends NotificationType>(
    type: T,
    predicate: (data: NotificationData<T>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<NotificationData<T>> {
    let found: NotificationData<T> | undefined;
    await this.until(() => {
      found = this.notificationsOf(type).find(predicate);
      return found !== undefined;
    }, `notification ${type}`, timeoutMs);
    return found!;
  }

  /** Waits until the people online, as this client sees them, satisfy `predicate`. */
  async waitForPeople(predicate: (people: PresenceEntry[]) => boolean, timeoutMs = 5000): Promise<PresenceEntry[]> {
    await this.until(() => this.presence.version >= 0 && predicate(this.presence.people), 'presence', timeoutMs);
    return this.presence.people;
  }

  async until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (condition()) {
          clearTimeout(timer);
          this.#waiters.delete(check);
          resolve();
        }
      };
      this.#waiters.add(check);
    });
  }

  close(): void {
    this.ws.close();
  }

  #presenceChanged(data: NotificationData<'presence'>): void {
    if (this.presence.receive(data) !== 'gap' || this.presence.version < 0) return;
    this.request('presence', {}).then(
      (snapshot) => {
        this.presence.reset(snapshot);
        this.#wake();
      },
      () => {},
    );
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #onMessage(text: string): void {
    let msg: { kind?: string; id?: number | null; ok?: boolean; type?: string; data?: unknown; error?: unknown; seq?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      this.violations.push(`not JSON: ${text.slice(0, 100)}`);
      return;
    }
    if (msg.kind === 'res') {
      if (msg.ok === false) {
        if (!errorCheck.Check(msg.error)) this.violations.push(`bad error body: ${text}`);
        const body = msg.error as ErrorBody;
        const pending = typeof msg.id === 'number' ? this.#pending.get(msg.id) : undefined;
        if (pending && typeof msg.id === 'number') {
          this.#pending.delete(msg.id);
          pending.reject(new RequestFailed(body.code, body.message, body.details));
        } else {
          this.orphanErrors.push(body);
        }
      } else {
        const pending = typeof msg.id === 'number' ? this.#pending.get(msg.id) : undefined;
        if (!pending || typeof msg.id !== 'number') {
          this.violations.push(`response to unknown id: ${text.slice(0, 200)}`);
        } else {
          this.#pending.delete(msg.id);
          const check = responseChecks[pending.type as RequestType];
          if (check && !check.Check(msg.data)) {
            this.violations.push(`${pending.type} response: ${check.Errors(msg.data).First()?.message ?? '?'}`);
          }
          if (pending.type === 'hello') this.presence.reset((msg.data as ResponseData<'hello'>).presence);
          pending.resolve(msg.data);
        }
      }
    } else if (msg.kind === 'ntf' && typeof msg.type === 'string' && msg.type in notificationChecks) {
      const type = msg.type as NotificationType;
      if (!notificationChecks[type].Check(msg.data)) this.violations.push(`${type} notification: ${text.slice(0, 200)}`);
      if (msg.seq !== undefined && (typeof msg.seq !== 'number' || !Number.isSafeInteger(msg.seq) || msg.seq < 1)) {
        this.violations.push(`bad seq: ${text.slice(0, 200)}`);
      }
      this.notifications.push({ type, data: msg.data, ...(typeof msg.seq === 'number' ? { seq: msg.seq } : {}) });
      if (type === 'presence') this.#presenceChanged(msg.data as NotificationData<'presence'>);
    } else {
      this.violations.push(`unknown message: ${text.slice(0, 200)}`);
    }
    this.#wake();
  }
}
