/**
 * Requests across a reconnection. A request made while the connection is
 * reconnecting waits for the resume, within its own timeout. One in flight
 * when its socket died fails with CONNECTION_LOST, unless marked
 * `retryOnLost` (idempotent ones): it is sent again after the resume.
 *
 * Apart from Connection so that this policy is read and tested on its own:
 * it only needs to know the connection's state and its open socket.
 */
import type { RequestData, RequestType, ResponseData } from '@chantier/signaling/protocol';
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import type { ConnectionState } from './connectionOptions';
import type { RequestOptions, SignalingClient } from './SignalingClient';
import { SignalingError } from './SignalingError';

const log = createLogger('connection');

/** What the gate needs from its Connection. */
export interface GateLink {
  /** The connection's state now (read again after every wait). */
  state(): ConnectionState;
  /** The current socket while the connection is open; null otherwise. */
  openClient(): Pick<SignalingClient, 'request'> | null;
}

export class RequestGate {
  /** Requests waiting for the connection to be open again. */
  readonly #waiters = new Set<() => void>();

  constructor(
    private readonly link: GateLink,
    private readonly timeoutMs: number,
  ) {}

  request<T extends RequestType>(type: T, data: RequestData<T>, options: RequestOptions = {}): Promise<ResponseData<T>> {
    const deadline = Date.now() + (options.timeoutMs ?? this.timeoutMs);
    return this.#send(type, data, options, deadline);
  }

  /** The connection's state changed: requests waiting for it go on, or fail if it ended. */
  stateChanged(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  async #send<T extends RequestType>(
    type: T,
    data: RequestData<T>,
    options: RequestOptions,
    deadline: number,
  ): Promise<ResponseData<T>> {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new SignalingError('TIMEOUT', `${type} got no response`, type);
      const client = this.link.openClient();
      if (client) {
        try {
          return await client.request(type, data, { timeoutMs: remaining });
        } catch (error) {
          const lostOnTheWay =
            errorCodeOf(error) === 'CONNECTION_LOST' && options.retryOnLost === true && this.link.state() === 'reconnecting';
          if (!lostOnTheWay) throw error;
          log.info(`${type} will be sent again after the resume`);
          continue;
        }
      }
      const state = this.link.state();
      if (state !== 'reconnecting') {
        throw new SignalingError('CONNECTION_LOST', `not connected (${state}), cannot send ${type}`, type);
      }
      await this.#whenOpen(remaining, type);
    }
  }

  /** Resolves when open again; rejects on timeout or when the connection ends. */
  #whenOpen(timeoutMs: number, type: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        const state = this.link.state();
        if (state === 'reconnecting') return;
        clearTimeout(timer);
        this.#waiters.delete(settle);
        if (state === 'open') resolve();
        else reject(new SignalingError('CONNECTION_LOST', `connection ${state}, cannot send ${type}`, type));
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(settle);
        reject(new SignalingError('TIMEOUT', `${type} waited for the connection in vain`, type));
      }, timeoutMs);
      this.#waiters.add(settle);
    });
  }
}
