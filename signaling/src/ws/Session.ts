import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { MediaPeer } from '@chantier/sfu';
import type { Identity } from '../auth/tokens.js';
import type { ErrorBody, NotificationData, NotificationType, ServerMessage } from '../protocol/index.js';
import type { Room } from '../rooms/Room.js';
import type { CredentialRenewal } from '../turn/CredentialRenewal.js';
import { randomId } from '../randomId.js';
import { TokenBucket } from './RateLimiter.js';
import { ReplayBuffer } from './ReplayBuffer.js';
import { stringifyAnswer } from './jsonFragment.js';
import { scheduleFlush, writeFrames } from './writeBatch.js';
import { notificationHead, Outbox } from './wsFrames.js';

/**
 * One signaling session and what it has become: authenticated (after hello),
 * attached to a room, and joined (visible, with media).
 *
 *   new --hello--> ready --join--> joined --leave/close--> closed
 *
 * A meeting session (attached to a room) may outlive its socket: when the
 * socket is lost the session stays in its room for the grace period
 * (config.peerGraceMs), its notifications numbered and kept, so that a new
 * socket can take it back (hello.resume) and receive what it missed.
 */
export type SessionState = 'new' | 'ready' | 'joined' | 'closed';

/** How many notifications a meeting session keeps for a resume. */
export const REPLAY_BUFFER_SIZE = 512;

export class Session {
  readonly connectionId = randomId(6);
  state: SessionState = 'new';
  log: FastifyBaseLogger;
  identity: Identity | undefined;
  /** Peer id, assigned at hello: stable for the life of the session (resumes included). */
  peerId: string | undefined;
  displayName: string | undefined;
  device: 'desktop' | 'phone' = 'desktop';
  projectId: string | undefined;
  room: Room | undefined;
  /** The meeting this session is in (after join), for chat messages sent from it. */
  meetingId: string | undefined;
  /** The join's Redis records (rooms/MeetingRecords.ts), written after its answer: see recordedMeetingId. */
  joinRecorded: Promise<void> | undefined;
  /** When the join was answered (performance.now()), for the join's later phases (metrics). */
  joinAnsweredAt: number | undefined;
  media: MediaPeer | undefined;
  /** Raised hand (raiseHand), shown to others and to late joiners. */
  handRaised = false;
  /** Set at hello on a meeting socket: whoever shows it may take this session back. */
  resumeSecret: string | undefined;
  /** Runs while the session has lost its socket; its end detaches the session. */
  graceTimer: NodeJS.Timeout | undefined;
  /** Ends the grace period now (the room closed under a session without a socket). */
  endGrace: (() => void) | undefined;
  /** Meeting sessions with TURN: fresh credentials before the held ones expire; stopped when the session ends. */
  credentialRenewal: CredentialRenewal | undefined;
  readonly limiter: TokenBucket;
  /** Chat posts: a sustained rate per minute, bursts of ten. */
  readonly chatLimiter: TokenBucket;
  /** The client's address (per-IP limits of some requests); set when the socket opens. */
  ip = '';
  /** Rate-limited frames since the last accepted one. */
  limitedInARow = 0;
  #socket: WebSocket | null;
  /** The last REPLAY_BUFFER_SIZE numbered notifications (meeting sessions; made with the first). */
  #replay: ReplayBuffer | undefined;
  /** During a resume: notifications are numbered and kept but not sent yet. */
  #holding = false;
  /** Frames made this tick, not yet written. */
  readonly #outbox = new Outbox();

  /**
   * The meeting's id once the join's records are written (they follow the
   * join's answer): what reads the meeting's record asks through this, so that
   * a request sent right after the join sees it. Undefined when Redis could not
   * record the meeting (or before a join).
   */
  async recordedMeetingId(): Promise<string | undefined> {
    await this.joinRecorded;
    return this.meetingId;
  }

  constructor(socket: WebSocket, log: FastifyBaseLogger, messagesPerSecond: number, chatPerMinute: number) {
    this.#socket = socket;
    this.log = log.child({ conn: this.connectionId });
    this.limiter = new TokenBucket(messagesPerSecond);
    this.chatLimiter = new TokenBucket(chatPerMinute / 60, Date.now, 10);
  }

  get open(): boolean {
    const socket = this.#socket;
    return socket !== null && socket.readyState === socket.OPEN;
  }

  /** True while the session has a socket (open or not yet noticed as dead). */
  get hasSocket(): boolean {
    return this.#socket !== null;
  }

  /** Whether this socket is the session's current one. */
  owns(socket: WebSocket): boolean {
    return this.#socket === socket;
  }

  /**
   * The raw socket, for tests that must cut a connection the hard way
   * (terminate(), no close frame). Not used by the server itself.
   */
  get socketForTests(): WebSocket | null {
    return this.#socket;
  }

  /** The socket is gone: the session keeps its room and buffers what it is sent. */
  dropSocket(): void {
    this.#socket = null;
    this.#outbox.clear();
  }

  /**
   * A resume: this session continues on `socket`. The previous socket, if the
   * server had not noticed it was dead, is returned for the caller to close.
   */
  takeSocket(socket: WebSocket): WebSocket | null {
    const previous = this.#socket;
    // What waited for the previous socket is in the replay buffer (notifications) or moot (answers to it).
    this.#outbox.clear();
    this.#socket = socket;
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.endGrace = undefined;
    return previous === socket ? null : previous;
  }

  /** Meeting sessions number their notifications (for hello.resume.lastSeq). */
  get resumable(): boolean {
    return this.resumeSecret !== undefined;
  }

  get lastSeq(): number {
    return this.#replay?.lastSeq ?? 0;
  }

  /** Whether the notifications after `lastSeq` are all still in the buffer. */
  canReplayFrom(lastSeq: number): boolean {
    return this.#replay ? this.#replay.covers(lastSeq) : lastSeq === 0;
  }

  /** Keeps new notifications back (numbered, buffered) until release(). */
  hold(): void {
    this.#holding = true;
  }

  /**
   * Sends the notifications after `lastSeq`, in order (see canReplayFrom),
   * then goes live again. Returns how many were sent.
   */
  release(lastSeq: number): number {
    this.#holding = false;
    let sent = 0;
    for (const message of this.#replay?.after(lastSeq) ?? []) {
      this.#write(JSON.stringify(message));
      sent++;
    }
    return sent;
  }

  send(message: ServerMessage): void {
    this.#write(JSON.stringify(message));
  }

  notify<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    this.notifyShared(type, data, undefined);
  }

  /**
   * notify() for a notification that goes to many sessions: `dataJson` is
   * JSON.stringify(data), made once for all of them, and so are the frame's
   * bytes but for this session's seq (wsFrames.ts).
   */
  notifyShared<T extends NotificationType>(type: T, data: NotificationData<T>, dataJson: string | undefined): void {
    if (!this.open && !this.resumable) return;
    const head = notificationHead(type, dataJson ?? JSON.stringify(data));
    if (!this.resumable) {
      this.#queue(head, 0);
      return;
    }
    this.#replay ??= new ReplayBuffer(REPLAY_BUFFER_SIZE);
    const seq = this.#replay.push(type, data);
    if (!this.#holding) this.#queue(head, seq);
  }

  /**
   * Frames wait for the end of the tick, then go out together (writeBatch.ts):
   * one write to the socket however many messages the tick made for it.
   */
  #write(frame: string): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== socket.OPEN) return;
    if (this.#outbox.empty) scheduleFlush(this);
    this.#outbox.pushText(frame);
  }

  /** #write() for a notification's shared head (wsFrames.ts) and this session's seq. */
  #queue(head: Buffer, seq: number): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== socket.OPEN) return;
    if (this.#outbox.empty) scheduleFlush(this);
    this.#outbox.pushNotification(head, seq);
  }

  /** Writes what waits in the outbox (writeBatch.ts calls it; close() too, so that nothing sent before a close is lost). */
  flush(): void {
    const outbox = this.#outbox;
    if (outbox.empty) return;
    const socket = this.#socket;
    // Encoded (or handed to ws) before it returns: the outbox can be reused at once.
    if (socket && socket.readyState === socket.OPEN) writeFrames(socket, outbox, this.#onWriteError);
    outbox.clear();
  }

  /** One callback for every write of the session. */
  readonly #onWriteError = (error?: Error | null): void => {
    if (error) this.log.debug({ err: error }, 'send failed');
  };

  /** An answer; its data's top-level JsonFragment fields are spliced in as serialised (jsonFragment.ts). */
  respond(id: number, data: unknown): void {
    if (data === undefined) this.send({ kind: 'res', id, ok: true, data });
    else this.#write(`{"kind":"res","id":${id},"ok":true,"data":${stringifyAnswer(data)}}`);
  }

  fail(id: number | null, error: ErrorBody): void {
    this.send({ kind: 'res', id, ok: false, error });
  }

  /** Closes the socket (the 'close' handler then detaches from the room, or starts the grace period). */
  close(code: number, reason: string): void {
    const socket = this.#socket;
    if (!socket || socket.readyState === socket.CLOSED || socket.readyState === socket.CLOSING) return;
    this.flush();
    socket.close(code, reason);
  }
}
