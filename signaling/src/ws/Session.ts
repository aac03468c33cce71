import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { MediaPeer } from '@chantier/sfu';
import type { Identity } from '../auth/tokens.js';
import type { ErrorBody, NotificationData, NotificationType, ServerMessage } from '../protocol/index.js';
import type { Room } from '../rooms/Room.js';
import { TokenBucket } from './RateLimiter.js';

/**
 * One WebSocket connection and what it has become: authenticated (after
 * hello), attached to a room, and joined (visible, with media).
 *
 *   new --hello--> ready --join--> joined --leave/close--> closed
 */
export type SessionState = 'new' | 'ready' | 'joined' | 'closed';

export class Session {
  readonly connectionId = randomBytes(6).toString('base64url');
  state: SessionState = 'new';
  log: FastifyBaseLogger;
  identity: Identity | undefined;
  /** Peer id, assigned at hello: stable for the life of the session. */
  peerId: string | undefined;
  displayName: string | undefined;
  device: 'desktop' | 'phone' = 'desktop';
  projectId: string | undefined;
  room: Room | undefined;
  /** The meeting this session is in (after join), for chat messages sent from it. */
  meetingId: string | undefined;
  media: MediaPeer | undefined;
  readonly limiter: TokenBucket;
  /** Chat posts: a sustained rate per minute, bursts of ten. */
  readonly chatLimiter: TokenBucket;
  /** Rate-limited frames since the last accepted one. */
  limitedInARow = 0;
  readonly #socket: WebSocket;

  constructor(socket: WebSocket, log: FastifyBaseLogger, messagesPerSecond: number, chatPerMinute: number) {
    this.#socket = socket;
    this.log = log.child({ conn: this.connectionId });
    this.limiter = new TokenBucket(messagesPerSecond);
    this.chatLimiter = new TokenBucket(chatPerMinute / 60, Date.now, 10);
  }

  get open(): boolean {
    return this.#socket.readyState === this.#socket.OPEN;
  }

  send(message: ServerMessage): void {
    if (!this.open) return;
    this.#socket.send(JSON.stringify(message), (error) => {
      if (error) this.log.debug({ err: error }, 'send failed');
    });
  }

  notify<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    this.send({ kind: 'ntf', type, data });
  }

  respond(id: number, data: unknown): void {
    this.send({ kind: 'res', id, ok: true, data });
  }

  fail(id: number | null, error: ErrorBody): void {
    this.send({ kind: 'res', id, ok: false, error });
  }

  /** Closes the socket (the 'close' handler then detaches from the room). */
  close(code: number, reason: string): void {
    if (this.#socket.readyState === this.#socket.CLOSED || this.#socket.readyState === this.#socket.CLOSING) return;
    this.#socket.close(code, reason);
  }
}
