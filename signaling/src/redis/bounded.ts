/**
 * Every wait on Redis is bounded, in one place. The app's Redis client is
 * wrapped once (plugins/redis.ts) so that any command, script or MULTI/EXEC:
 *
 * - fails at once while the connection is down (node-redis's
 *   `disableOfflineQueue` for single commands; MULTI bypasses that option,
 *   so the wrapper refuses it itself), instead of waiting in an offline queue
 *   for a Redis that may come back in a minute;
 * - fails after `timeoutMs` when Redis does not answer (every command,
 *   script and MULTI/EXEC gets a deadline in one list with one timer,
 *   redis/DeadlineList.ts). An expiry gives pending I/O one turn of the event
 *   loop first: after a stall of this process (a burst of work, a GC pause),
 *   the timer and the reply that came meanwhile are ready together, and
 *   timers run before sockets are read, so without that turn a busy server
 *   would call a Redis that answered in time unavailable (seen in the HTTP
 *   fuzz test: 503s at 1.0–1.5 s per request while Redis answered in
 *   microseconds). node-redis's own command timeout is off for that reason
 *   (and for its cost: an AbortSignal per command);
 * - and then throws AppError(UNAVAILABLE), which the WebSocket dispatcher
 *   and the HTTP error handler answer as is (503 over HTTP), never INTERNAL.
 *
 * Redis's own error replies (a wrong type, a bad stream id) are left alone:
 * they are bugs or bad input, not an outage, except the replies Redis gives
 * while it cannot serve (LOADING after a restart, BUSY, MASTERDOWN, TRYAGAIN).
 *
 * Pub/sub is not wrapped: the event bus's subscriber (a duplicate() of the
 * raw client) waits for messages by design and re-subscribes on reconnect.
 */
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from '@redis/client';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import { DeadlineList } from './DeadlineList.js';

/** Client methods that manage the connection itself: not commands, never wrapped. */
const CONNECTION_METHODS = new Set<PropertyKey>([
  'connect',
  'close',
  'quit',
  'disconnect',
  'destroy',
  'duplicate',
  'on',
  'once',
  'off',
  'addListener',
  'removeListener',
  'removeAllListeners',
  'emit',
]);

/** Replies Redis gives while it cannot serve yet (or for now). */
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN)\b/;

const connectionErrors = [
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
];

/** Whether `error` says Redis is unreachable or too slow (rather than a bug or a refused value). */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof AppError) return error.code === ErrorCode.UNAVAILABLE;
  if (error instanceof ErrorReply) return UNAVAILABLE_REPLY.test(error.message);
  if (connectionErrors.some((type) => error instanceof type)) return true;
  // A socket error the client passes on to the commands it flushes (ECONNRESET, EPIPE, ECONNREFUSED...).
  const code = (error as { code?: unknown; syscall?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof (error as { syscall?: unknown }).syscall === 'string';
}

export function unavailable(cause?: unknown): AppError {
  const error = new AppError(ErrorCode.UNAVAILABLE, 'storage unavailable, try again');
  if (cause !== undefined) (error as Error & { cause?: unknown }).cause = cause;
  return error;
}

/** An outage's error as AppError(UNAVAILABLE); any other as it is. */
function mappedError(error: unknown): unknown {
  return isUnavailable(error) && !(error instanceof AppError) ? unavailable(error) : error;
}

/**
 * The command's promise, rejected with UNAVAILABLE if it has not settled when
 * its deadline expires (redis/DeadlineList.ts: one timer for all commands,
 * a second chance after a stall of this process) and with an outage's error
 * mapped. A command that settles after its deadline changes nothing, and its
 * rejection is handled.
 */
function raced<T>(command: Promise<T>, deadlines: DeadlineList): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = deadlines.add(() => reject(unavailable(new Error(`no answer from Redis in ${deadlines.ms} ms`))));
    command.then(
      (value) => {
        deadlines.remove(deadline);
        resolve(value);
      },
      (error: unknown) => {
        deadlines.remove(deadline);
        reject(mappedError(error));
      },
    );
  });
}

type Method = (...args: unknown[]) => unknown;

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

interface Connection {
  readonly isReady: boolean;
}

/** A MULTI under construction: its commands chain; exec() is checked and raced. */
function boundedMulti<M extends object>(multi: M, client: Connection, deadlines: DeadlineList): M {
  const proxy: M = new Proxy(multi, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (property === 'exec' || property === 'execAsPipeline' || property === 'execTyped') {
        return (...args: unknown[]) => {
          if (!client.isReady) return Promise.reject(unavailable());
          return raced(Promise.resolve(value.apply(target, args) as unknown), deadlines);
        };
      }
      // Chained command builders return the multi itself: keep returning the proxy.
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result === target ? proxy : result;
      };
    },
  });
  return proxy;
}

/**
 * Options of the raw client that the bound relies on: no offline queue, no
 * command timeout of node-redis's own (5 s by default, an AbortSignal.timeout
 * and its listener per command: ~5 % of a hello's CPU; the bound here is the
 * only one), and a reconnection soon after Redis returns (50 ms doubling to
 * 1 s between tries, where node-redis's default goes to 2 s; jitter so that
 * nodes do not retry in step).
 */
export function boundedClientOptions(timeoutMs: number) {
  return {
    disableOfflineQueue: true,
    commandOptions: { timeout: 0 },
    socket: {
      reconnectStrategy: (retries: number): number => Math.min(50 * 2 ** retries, 1_000) + Math.floor(Math.random() * 100),
    },
  };
}

/**
 * The client, with every command bounded as described above. The raw client
 * must be created with boundedClientOptions(timeoutMs) (see plugins/redis.ts).
 */
export function bounded<C extends Connection & object>(client: C, timeoutMs: number): C {
  const deadlines = new DeadlineList(timeoutMs);
  /** Each method's bounded twin, made once (the proxy is asked for one per command). */
  const wrapped = new Map<PropertyKey, { of: Method; bounded: Method }>();
  const wrap = (property: PropertyKey, value: Method): Method => {
    if (property === 'multi' || property === 'MULTI') {
      return (...args: unknown[]) => boundedMulti(value.apply(client, args) as object, client, deadlines);
    }
    return (...args: unknown[]) => {
      let result: unknown;
      try {
        result = value.apply(client, args);
      } catch (error) {
        if (isUnavailable(error)) throw unavailable(error);
        throw error;
      }
      return isPromise(result) ? raced(result, deadlines) : result;
    };
  };
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function' || CONNECTION_METHODS.has(property)) return value;
      const method = value as Method;
      const known = wrapped.get(property);
      if (known?.of === method) return known.bounded;
      const made = wrap(property, method);
      wrapped.set(property, { of: method, bounded: made });
      return made;
    },
  });
}

interface Closable {
  close(): Promise<unknown>;
  destroy(): unknown;
}

/**
 * Closes a client, waiting at most `ms` for its pending commands (node-redis's
 * close() waits for them, forever while Redis is down), then destroys it.
 */
export async function closeWithin(client: Closable, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = client.close().then(
    () => true,
    () => false,
  );
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const clean = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (!clean) client.destroy();
}
