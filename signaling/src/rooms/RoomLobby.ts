/**
 * A meeting's guest lobby as its sessions see it: knocks, a moderator's
 * admission or refusal, and the notifications they cause (`lobby` to the
 * joined moderators, `admission` and `lobbyStatus` to waiting guests). The
 * waiting list itself, with its throttle and refusal backoff, is Lobby.ts,
 * which knows no sockets. Part of a Room's way in (RoomEntry.ts), which
 * delegates to it; its other refusals (closed, removed, locked) come first.
 */
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors.js';
import { ErrorCode, canModerate, type LobbyEntry, type NotificationData, type NotificationType } from '../protocol/index.js';
import type { Session } from '../ws/Session.js';
import { Lobby } from './Lobby.js';

/** Who did it, as others see them (a moderator). */
export interface Actor {
  peerId: string;
  displayName: string;
}

export type KnockAnswer = { status: 'admitted' } | { status: 'waiting'; moderatorsPresent: number };

export class RoomLobby {
  /** Guests waiting for a moderator, and who was let in or refused. */
  readonly #lobby: Lobby;
  readonly #joined: ReadonlyMap<string, Session>;
  readonly #findAttached: (peerId: string) => Session | undefined;
  /** The meeting's policy says guests wait (RoomPolicy.guestLobby, which changes). */
  readonly #guestLobby: () => boolean;
  readonly #log: FastifyBaseLogger;

  constructor(options: {
    /** The room's joined sessions, by peer id (its own map, read live). */
    joined: ReadonlyMap<string, Session>;
    findAttached: (peerId: string) => Session | undefined;
    guestLobby: () => boolean;
    log: FastifyBaseLogger;
  }) {
    this.#joined = options.joined;
    this.#findAttached = options.findAttached;
    this.#guestLobby = options.guestLobby;
    this.#log = options.log;
    this.#lobby = new Lobby({ onChange: (waiting) => this.#toModerators('lobby', { waiting }) });
  }

  /** The guests waiting in the lobby, oldest first. */
  get waiting(): LobbyEntry[] {
    return this.#lobby.waiting;
  }

  /** Joined moderators: someone who can admit a waiting guest. */
  get moderatorsPresent(): number {
    let n = 0;
    for (const session of this.#joined.values()) if (canModerate(session.identity!)) n++;
    return n;
  }

  /** A knock the room did not refuse: admitted, or put in the lobby (moderators get `lobby`). */
  knock(session: Session, displayName: string | undefined): KnockAnswer {
    if (!this.mustWait(session)) return { status: 'admitted' };
    const identity = session.identity!;
    const name = displayName?.trim() || identity.displayName;
    if (this.#lobby.add(session.peerId!, identity.userId, name)) {
      session.log.info({ moderators: this.moderatorsPresent, waiting: this.#lobby.size }, 'guest waits in the lobby');
    }
    return { status: 'waiting', moderatorsPresent: this.moderatorsPresent };
  }

  /**
   * A moderator's decision on a waiting guest: let in (their join succeeds
   * from now on, for the rest of the meeting) or refused (their knocks are
   * refused for a while). The guest gets `admission`.
   */
  admit(peerId: string, allow: boolean, by: Actor): void {
    const entry = this.#lobby.remove(peerId);
    if (!entry) throw new AppError(ErrorCode.NOT_FOUND, 'nobody with this peer id waits in the lobby');
    if (allow) this.#lobby.admit(entry.userId);
    else this.#lobby.deny(entry.userId);
    this.#findAttached(peerId)?.notify('admission', { granted: allow, by });
    this.#log.info({ peerId, allow, by: by.peerId }, allow ? 'guest admitted' : 'guest refused');
  }

  /** The lobby was turned off: everyone waiting comes in. */
  admitAll(by: Actor): void {
    const admitted = this.#lobby.admitAll();
    for (const entry of admitted) this.#findAttached(entry.peerId)?.notify('admission', { granted: true, by });
    if (admitted.length > 0) this.#log.info({ guests: admitted.length, by: by.peerId }, 'lobby opened: waiting guests admitted');
  }

  /** Out of the waiting list (joined, left, or its socket gone). */
  remove(peerId: string): void {
    this.#lobby.remove(peerId);
  }

  /** Whether this session's user must be admitted before joining. */
  mustWait(session: Session): boolean {
    const identity = session.identity!;
    return this.#guestLobby() && identity.role === 'guest' && !this.#lobby.isAdmitted(identity.userId);
  }

  /** Milliseconds until this user may knock again after a refusal; 0 when they may. */
  deniedFor(userId: string): number {
    return this.#lobby.deniedFor(userId);
  }

  /** Waiting guests learn how many moderators could let them in. */
  moderatorsChanged(): void {
    const moderatorsPresent = this.moderatorsPresent;
    for (const peerId of this.#lobby.waitingPeerIds) this.#findAttached(peerId)?.notify('lobbyStatus', { moderatorsPresent });
  }

  close(): void {
    this.#lobby.close();
  }

  #toModerators<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    for (const session of this.#joined.values()) if (canModerate(session.identity!)) session.notify(type, data);
  }
}
