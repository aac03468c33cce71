/**
 * The way into a meeting, up to the join: the refusals that a knock, a join
 * and the media made before a join share (room closed, session not ready,
 * user removed, meeting locked, a guest who must wait), the guest lobby
 * (RoomLobby.ts) and the media a session makes on the join screen
 * (prepareMedia, prepareConsumers). Part of a Room, which lends it its
 * sessions, rules and queue, and calls it as sessions join and leave.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { MediaPeer, MediaRoom } from '@chantier/sfu';
import { AppError } from '../errors.js';
import { ErrorCode, type LobbyEntry, type RequestData, type ResponseData } from '../protocol/index.js';
import type { Session } from '../ws/Session.js';
import { consumersForLobby } from './joinConsumers.js';
import type { MeetingRules } from './MeetingRules.js';
import { RoomLobby, type Actor, type KnockAnswer } from './RoomLobby.js';

export type { Actor, KnockAnswer } from './RoomLobby.js';

/** Runs a task in the room's order (Room's queue). */
type Serial = <T>(name: string, task: () => Promise<T>) => Promise<T>;

export class RoomEntry {
  readonly #attached: ReadonlySet<Session>;
  readonly #joined: ReadonlyMap<string, Session>;
  readonly #media: MediaRoom;
  readonly #rules: MeetingRules;
  /** Closed, or ending (endMeeting): nobody comes in any more. */
  readonly #shut: () => boolean;
  readonly #serial: Serial;
  /** Guests waiting for a moderator, and who was let in or refused (RoomLobby.ts). */
  readonly #lobby: RoomLobby;

  constructor(options: {
    /** The room's attached and joined sessions (its own collections, read live). */
    attached: ReadonlySet<Session>;
    joined: ReadonlyMap<string, Session>;
    media: MediaRoom;
    rules: MeetingRules;
    shut: () => boolean;
    serial: Serial;
    findAttached: (peerId: string) => Session | undefined;
    log: FastifyBaseLogger;
  }) {
    this.#attached = options.attached;
    this.#joined = options.joined;
    this.#media = options.media;
    this.#rules = options.rules;
    this.#shut = options.shut;
    this.#serial = options.serial;
    this.#lobby = new RoomLobby({
      joined: options.joined,
      findAttached: options.findAttached,
      guestLobby: () => options.rules.policy.guestLobby,
      log: options.log,
    });
  }

  /** The guests waiting in the lobby, oldest first. */
  get waiting(): LobbyEntry[] {
    return this.#lobby.waiting;
  }

  /**
   * May this session come in? See the `knock` request. A guest who must wait
   * is put in the lobby (moderators get `lobby`). Refusals as `join` would
   * refuse, so that a guest does not wait for nothing.
   */
  knock(session: Session, displayName: string | undefined): KnockAnswer {
    if (this.#shut()) throw new AppError(ErrorCode.ROOM_CLOSED, 'room closed');
    this.#rules.refuseEntry(session.identity!);
    return this.#lobby.knock(session, displayName);
  }

  /** A moderator lets a waiting guest in or refuses them (RoomLobby.admit). */
  admit(peerId: string, allow: boolean, by: Actor): void {
    this.#lobby.admit(peerId, allow, by);
  }

  /** The lobby was turned off: everyone waiting comes in. */
  admitAllWaiting(by: Actor): void {
    this.#lobby.admitAll(by);
  }

  /** Out of the waiting list: joined, left, or (a waiting guest) its socket gone, to knock again if it resumes. */
  leaveLobby(session: Session): void {
    if (session.peerId) this.#lobby.remove(session.peerId);
  }

  /** A moderator joined or left: waiting guests learn how many could let them in. */
  moderatorsChanged(): void {
    this.#lobby.moderatorsChanged();
  }

  /**
   * Before join, on a transport made ahead in the lobby: the session's media
   * peer, made once (join keeps it). Refused as join would refuse a guest
   * who must wait first; a session leaving without joining closes it.
   */
  prepareMedia(session: Session): MediaPeer {
    this.refuse(session);
    session.media ??= this.#media.createPeer(session.peerId!);
    return session.media;
  }

  /**
   * On the join screen, once the receive transport is made there
   * (`prepareConsumers`): a paused consumer of every producer already in the
   * meeting (joinConsumers.ts consumersForLobby), which the join resumes.
   * Refused as join would refuse this session now; in the room's order, so
   * that a join or a producer change never interleaves.
   */
  prepareConsumers(session: Session, data: RequestData<'prepareConsumers'>): Promise<ResponseData<'prepareConsumers'>> {
    return this.#serial('prepareConsumers', async () => {
      this.refuse(session);
      const peer = session.media;
      if (!peer) return { consumers: [] };
      peer.setRtpCapabilities(data.rtpCapabilities);
      peer.setAudioOnly(data.audioOnly ?? false);
      return { consumers: await consumersForLobby(peer, [...this.#joined.values()], session.log) };
    });
  }

  /** Throws what join refuses this session with (closed room, removed, locked, a guest who must wait). */
  refuse(session: Session): void {
    if (this.#shut()) throw new AppError(ErrorCode.ROOM_CLOSED, 'room closed');
    if (!this.#attached.has(session) || session.state !== 'ready') {
      throw new AppError(ErrorCode.ALREADY_JOINED, 'this session cannot join');
    }
    const identity = session.identity!;
    this.#rules.refuseEntry(identity);
    if (this.#lobby.mustWait(session)) {
      if (this.#lobby.deniedFor(identity.userId) > 0) throw new AppError(ErrorCode.ADMISSION_DENIED, 'a moderator refused you');
      throw new AppError(ErrorCode.ADMISSION_REQUIRED, 'guests wait in the lobby: knock, then join once admitted');
    }
  }

  /** The room closed: the lobby's timers stop. */
  close(): void {
    this.#lobby.close();
  }
}
