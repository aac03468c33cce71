/**
 * A socket that dies silently (a cut link gives no close event) is found by
 * a `ping` every few seconds with a short timeout, and at once when asked
 * (the browser says it is online again).
 */
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import type { ConnectionTiming } from './connectionOptions';
import type { SignalingClient } from './SignalingClient';

const log = createLogger('connection');

export interface HeartbeatSocket {
  /** The current socket while the connection is open; null otherwise. */
  openClient(): SignalingClient | null;
  /** The open socket did not answer a ping in time. */
  dead(): void;
}

export class Heartbeat {
  #timer: ReturnType<typeof setInterval> | null = null;
  #pingInFlight = false;

  constructor(
    private readonly timing: Pick<ConnectionTiming, 'heartbeatMs' | 'heartbeatTimeoutMs'>,
    private readonly socket: HeartbeatSocket,
  ) {}

  start(): void {
    this.stop();
    this.#timer = setInterval(() => this.check(), this.timing.heartbeatMs);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** A ping with a short timeout: no answer means the socket is dead, even if it never closed. */
  check(): void {
    const client = this.socket.openClient();
    if (!client || this.#pingInFlight) return;
    this.#pingInFlight = true;
    client
      .request('ping', {}, { timeoutMs: this.timing.heartbeatTimeoutMs })
      .catch((error: unknown) => {
        if (client !== this.socket.openClient()) return;
        if (errorCodeOf(error) !== 'TIMEOUT') return; // a close is handled by the connection
        log.warn('no answer to ping: the socket is dead');
        this.socket.dead();
      })
      .finally(() => {
        this.#pingInFlight = false;
      });
  }
}
