import { AwaitQueue } from 'awaitqueue';
import type { FastifyBaseLogger } from 'fastify';
import type { MediaPeer, MediaRoom, Source } from '@chantier/sfu';
import { AppError } from '../errors.js';
import {
  CloseReason,
  ErrorCode,
  WsCloseCode,
  type NotificationData,
  type NotificationType,
  type LobbyEntry,
  type PeerInfo,
  type Presentation,
  type PresentationView,
  type ProducerInfo,
  type RequestData,
  type ResponseData,
  type RoomPolicy,
  canModerate,
} from '../protocol/index.js';
import type { MeetingStateStore, SavedMeetingState } from '../cluster/MeetingState.js';
import type { MeetingJournal } from '../projects/MeetingJournal.js';
import type { ProjectHub } from '../projects/ProjectHub.js';
import type { MeetingPresence } from '../store/meetingPresence.js';
import type { Session } from '../ws/Session.js';
import { consumersForJoin } from './joinConsumers.js';
import { Lobby } from './Lobby.js';
import { MeetingRecords } from './MeetingRecords.js';
import { QualityMonitor } from './QualityMonitor.js';

/** Who did it, as others see them (a moderator). */
export interface Actor {
  peerId: string;
  displayName: string;
}

export type KnockAnswer = { status: 'admitted' } | { status: 'waiting'; moderatorsPresent: number };

/**
 * One meeting as the signaling side sees it: the sessions attached to it (after
 * hello), those of them that joined (visible, with media), and the SFU room
 * that carries their media. Membership and producer changes go through one
 * queue per room, so two joins (or a join and a new producer) never interleave:
 * every peer sees one consistent order of events.
 */
export class Room {
  readonly projectId: string;
  readonly roomId: string;
  readonly media: MediaRoom;
  readonly #queue = new AwaitQueue();
  readonly #attached = new Set<Session>();
  readonly #joined = new Map<string, Session>();
  /** Who is in the meeting, as Redis keeps it: written after the join's answer. */
  readonly #records: MeetingRecords;
  readonly #log: FastifyBaseLogger;
  readonly #onEmpty: (room: Room) => void;
  readonly quality: QualityMonitor;
  #presentation: Presentation | null = null;
  #closed = false;
  /** endMeeting in progress: no more attaches or joins; the last detach closes the room. */
  #ending = false;
  #policy: RoomPolicy;
  /** Guests waiting for a moderator, and who was let in or refused (see Lobby.ts). */
  readonly #lobby: Lobby;
  /**
   * Users a moderator removed: refused (REMOVED) for as long as this Room
   * lives, i.e. until the meeting ends (the last session leaves it). A new
   * meeting in the same room id starts with an empty list.
   */
  readonly #removedUsers = new Set<string>();
  /** Peers whose microphone a moderator muted and who have not unmuted since. */
  readonly #mutedByModerator = new Set<string>();
  /** Policy and removed users are written through here (they outlive this node; cluster/MeetingState.ts). */
  readonly #state: MeetingStateStore | undefined;
  /** Taken over from a dead node: the first join continues the meeting's record instead of starting one. */
  #continuesMeeting = false;
  /** The last write to #state: handlers wait for it before answering. */
  #stateWrite: Promise<void> = Promise.resolve();

  constructor(options: {
    projectId: string;
    roomId: string;
    media: MediaRoom;
    presence: MeetingPresence;
    hub: ProjectHub;
    journal: MeetingJournal;
    log: FastifyBaseLogger;
    nodeId: string;
    onEmpty: (room: Room) => void;
    /** Whether guests wait in the lobby until admitted, at the meeting's start (config GUEST_LOBBY). */
    guestLobby: boolean;
    state?: MeetingStateStore;
    /**
     * What the meeting kept in Redis; `continues`: its node died and this one
     * takes it over, so that the first join here goes on with the meeting's record.
     */
    saved?: SavedMeetingState & { continues?: boolean };
  }) {
    this.projectId = options.projectId;
    this.roomId = options.roomId;
    this.media = options.media;
    this.#records = new MeetingRecords(options);
    this.#log = options.log;
    this.#onEmpty = options.onEmpty;
    this.#policy = options.saved?.policy ?? { locked: false, allowSelfUnmute: true, guestLobby: options.guestLobby };
    for (const userId of options.saved?.removedUsers ?? []) this.#removedUsers.add(userId);
    this.#state = options.state;
    this.#continuesMeeting = options.saved?.continues === true;
    this.#lobby = new Lobby({ onChange: (waiting) => this.#toModerators('lobby', { waiting }) });
    this.media.on('activespeaker', (peerId) => this.broadcast('activeSpeaker', { peerId }));
    this.media.once('close', (reason) => this.#onMediaClosed(reason));
    // Stops by itself when the media room closes.
    this.quality = new QualityMonitor(this.media, (peers) => this.broadcast('connectionQuality', { peers }), this.#log);
  }

  get closed(): boolean {
    return this.#closed;
  }
  get joinedSessions(): ReadonlyMap<string, Session> {
    return this.#joined;
  }
  get attachedCount(): number {
    return this.#attached.size;
  }
  /** Every attached session, joined or still on the join screen (recording's consent notice). */
  get attachedSessions(): ReadonlySet<Session> {
    return this.#attached;
  }
  get presentation(): Presentation | null {
    return this.#presentation;
  }
  get policy(): RoomPolicy {
    return { ...this.#policy };
  }

  /** Changes the rules; allowing self-unmute again forgets past mutes (a later disallow does not revive them). */
  setPolicy(patch: Partial<RoomPolicy>): RoomPolicy {
    this.#policy = { ...this.#policy, ...patch };
    if (this.#policy.allowSelfUnmute) this.#mutedByModerator.clear();
    const policy = this.policy;
    this.#persist('policy', (state) => state.savePolicy(this.projectId, this.roomId, policy));
    return this.policy;
  }

  /**
   * Resolves when the meeting's records queued so far (joins and leaves:
   * presence, the meeting's record) are in Redis or given up. Whatever on this
   * node reads them waits for it, so that it sees every join already answered.
   */
  recordsWritten(): Promise<void> {
    return this.#records.settled();
  }

  /** Resolves when what setPolicy and markRemoved wrote is in Redis (a failure is logged, not thrown). */
  stateSaved(): Promise<void> {
    return this.#stateWrite;
  }

  #persist(what: string, write: (state: MeetingStateStore) => Promise<void>): void {
    const state = this.#state;
    if (!state) return;
    const previous = this.#stateWrite;
    this.#stateWrite = previous
      .then(() => write(state))
      .catch((error: unknown) => this.#log.warn({ err: error, what }, 'meeting state not saved'));
  }

  /** The guests waiting in the lobby, oldest first. */
  get lobby(): LobbyEntry[] {
    return this.#lobby.waiting;
  }

  /** Joined moderators: someone who can admit a waiting guest. */
  get moderatorsPresent(): number {
    let n = 0;
    for (const session of this.#joined.values()) if (canModerate(session.identity!)) n++;
    return n;
  }

  /**
   * May this session come in? See the `knock` request. A guest who must wait
   * is put in the lobby (moderators get `lobby`). Refusals as `join` would
   * refuse, so that a guest does not wait for nothing.
   */
  knock(session: Session, displayName: string | undefined): KnockAnswer {
    if (this.#closed || this.#ending) throw new AppError(ErrorCode.ROOM_CLOSED, 'room closed');
    const identity = session.identity!;
    if (this.#removedUsers.has(identity.userId)) {
      throw new AppError(ErrorCode.REMOVED, 'a moderator removed you from this meeting');
    }
    if (this.#policy.locked && !canModerate(identity)) throw new AppError(ErrorCode.ROOM_LOCKED, 'the meeting is locked');
    if (!this.#mustWait(session)) return { status: 'admitted' };
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
    this.findAttached(peerId)?.notify('admission', { granted: allow, by });
    this.#log.info({ peerId, allow, by: by.peerId }, allow ? 'guest admitted' : 'guest refused');
  }

  /** The lobby was turned off: everyone waiting comes in. */
  admitAllWaiting(by: Actor): void {
    const admitted = this.#lobby.admitAll();
    for (const entry of admitted) this.findAttached(entry.peerId)?.notify('admission', { granted: true, by });
    if (admitted.length > 0) this.#log.info({ guests: admitted.length, by: by.peerId }, 'lobby opened: waiting guests admitted');
  }

  /** A waiting guest's socket is gone (it may resume, and then knocks again): out of the list. */
  leaveLobby(session: Session): void {
    if (session.peerId) this.#lobby.remove(session.peerId);
  }

  /** Whether this session's user must be admitted before joining. */
  #mustWait(session: Session): boolean {
    const identity = session.identity!;
    return this.#policy.guestLobby && identity.role === 'guest' && !this.#lobby.isAdmitted(identity.userId);
  }

  #toModerators<T extends NotificationType>(type: T, data: NotificationData<T>): void {
    for (const session of this.#joined.values()) if (canModerate(session.identity!)) session.notify(type, data);
  }

  /** Waiting guests learn how many moderators could let them in. */
  #moderatorsChanged(): void {
    const moderatorsPresent = this.moderatorsPresent;
    for (const peerId of this.#lobby.waitingPeerIds) this.findAttached(peerId)?.notify('lobbyStatus', { moderatorsPresent });
  }

  isRemoved(userId: string): boolean {
    return this.#removedUsers.has(userId);
  }

  markRemoved(userId: string): void {
    this.#removedUsers.add(userId);
    this.#persist('removed', (state) => state.addRemoved(this.projectId, this.roomId, userId));
  }

  /** A moderator muted this peer's microphone. */
  markMuted(peerId: string): void {
    this.#mutedByModerator.add(peerId);
  }

  /** The peer unmuted (allowed): a later policy change does not block it again. */
  clearMuted(peerId: string): void {
    this.#mutedByModerator.delete(peerId);
  }

  /** Whether this peer may not turn its microphone back on (muted by a moderator, self-unmute disallowed). */
  selfUnmuteBlocked(peerId: string): boolean {
    return !this.#policy.allowSelfUnmute && this.#mutedByModerator.has(peerId);
  }

  /**
   * endMeeting: refuses attaches and joins from now on and returns every
   * attached session, each already sent roomClosed {reason:'ended'}; the
   * caller closes their sockets and ends them (the last detach closes the room).
   */
  beginEnd(): Session[] {
    this.#ending = true;
    const sessions = [...this.#attached];
    for (const session of sessions) session.notify('roomClosed', { reason: CloseReason.ENDED });
    this.#log.info({ peers: this.#joined.size }, 'meeting ended by a moderator');
    return sessions;
  }

  /** Starts (or takes over) the room's presentation; everyone is told. */
  startPresentation(presentation: Presentation): void {
    this.#presentation = presentation;
    this.broadcast('presentation', { presentation });
  }

  /** The presenter's new view; refused for anyone else or a stale presentation. */
  updatePresentation(session: Session, presentationId: string, view: PresentationView): void {
    const current = this.#ownPresentation(session, presentationId);
    current.view = view;
    this.broadcast('presentationView', { presentationId, view }, session.peerId);
  }

  stopPresentation(session: Session, presentationId: string): void {
    this.#ownPresentation(session, presentationId);
    this.#presentation = null;
    this.broadcast('presentation', { presentation: null });
  }

  #ownPresentation(session: Session, presentationId: string): Presentation {
    const current = this.#presentation;
    if (!current || current.presentationId !== presentationId) {
      throw new AppError(ErrorCode.NOT_FOUND, 'no such presentation in progress');
    }
    if (current.presenterPeerId !== session.peerId) {
      throw new AppError(ErrorCode.FORBIDDEN, 'only the presenter controls the presentation');
    }
    return current;
  }

  /** Synchronous on purpose: the registry checks `closed` and attaches in one step. */
  attach(session: Session): void {
    if (this.#closed || this.#ending) throw new AppError(ErrorCode.ROOM_CLOSED, 'room closed');
    this.#attached.add(session);
  }

  /**
   * Makes the session a participant. Its media peer is the one made before
   * join (prepareMedia: transports made in the lobby) or a new one; with a
   * receive transport already there, the answer carries a flowing consumer of
   * every producer in the room (joinConsumers.ts). The Redis records follow
   * the answer (MeetingRecords). `observe` is told how long the join waited
   * for the room's queue and how long its media took.
   */
  join(
    session: Session,
    data: RequestData<'join'>,
    observe: (phase: 'queue' | 'media', seconds: number) => void = () => undefined,
  ): Promise<ResponseData<'join'>> {
    const asked = performance.now();
    return this.#serial('join', async () => {
      const started = performance.now();
      observe('queue', (started - asked) / 1000);
      this.#refuseEntry(session);
      const peerId = session.peerId!;
      const identity = session.identity!;
      const peer = session.media ?? this.media.createPeer(peerId);
      peer.setRtpCapabilities(data.rtpCapabilities);
      peer.setAudioOnly(data.audioOnly ?? false);
      session.media = peer;
      session.displayName = data.displayName?.trim() || identity.displayName;
      session.device = data.device ?? 'desktop';
      session.state = 'joined';
      this.#wirePeer(session, peer);
      this.quality.forget(peerId);

      const othersSessions = [...this.#joined.values()];
      const others = othersSessions.map((s) => this.peerInfo(s));
      this.#joined.set(peerId, session);
      this.#lobby.remove(peerId);
      this.broadcast('peerJoined', { peer: this.peerInfo(session) }, peerId);
      const moderator = canModerate(identity);
      if (moderator) this.#moderatorsChanged();
      const consumers = await consumersForJoin(peer, othersSessions, session.log);
      observe('media', (performance.now() - started) / 1000);
      const first = others.length === 0 && !this.#continuesMeeting;
      this.#continuesMeeting = false;
      session.joinRecorded = this.#records.joined(session, first);
      session.log.info({ peers: this.#joined.size, consumers: consumers?.length }, 'peer joined');
      // Who speaks now: the others were told when it changed, the newcomer was not (before the
      // answer, so that its list of the others is made with it).
      const speaker = this.media.activeSpeaker;
      if (speaker !== null && speaker !== peerId) session.notify('activeSpeaker', { peerId: speaker });
      return {
        peers: others,
        presentation: this.#presentation,
        policy: this.policy,
        // Taken now, not before the awaits above: a knock may have come meanwhile.
        ...(moderator ? { lobby: this.#lobby.waiting } : {}),
        ...(consumers ? { consumers } : {}),
      };
    });
  }

  /**
   * Before join, on a transport made ahead in the lobby: the session's media
   * peer, made once (join keeps it). Refused as join would refuse a guest
   * who must wait first; a session leaving without joining closes it.
   */
  prepareMedia(session: Session): MediaPeer {
    this.#refuseEntry(session);
    session.media ??= this.media.createPeer(session.peerId!);
    return session.media;
  }

  /** Throws what join refuses this session with (closed room, removed, locked, a guest who must wait). */
  #refuseEntry(session: Session): void {
    if (this.#closed || this.#ending) throw new AppError(ErrorCode.ROOM_CLOSED, 'room closed');
    if (!this.#attached.has(session) || session.state !== 'ready') {
      throw new AppError(ErrorCode.ALREADY_JOINED, 'this session cannot join');
    }
    const identity = session.identity!;
    if (this.#removedUsers.has(identity.userId)) {
      throw new AppError(ErrorCode.REMOVED, 'a moderator removed you from this meeting');
    }
    if (this.#policy.locked && !canModerate(identity)) throw new AppError(ErrorCode.ROOM_LOCKED, 'the meeting is locked');
    if (this.#mustWait(session)) {
      if (this.#lobby.deniedFor(identity.userId) > 0) throw new AppError(ErrorCode.ADMISSION_DENIED, 'a moderator refused you');
      throw new AppError(ErrorCode.ADMISSION_REQUIRED, 'guests wait in the lobby: knock, then join once admitted');
    }
  }

  /** Runs a producer change in the room's order (so joins see a consistent list). */
  serialProducerChange<T>(name: string, task: () => Promise<T>): Promise<T> {
    return this.#serial(name, task);
  }

  /** Runs a task in the room's order (a resume: no join, leave or producer change interleaves). */
  inQueue<T>(name: string, task: () => Promise<T>): Promise<T> {
    return this.#serial(name, task);
  }

  /** The attached session (joined or not) with this peer id. */
  findAttached(peerId: string): Session | undefined {
    for (const session of this.#attached) if (session.peerId === peerId) return session;
    return undefined;
  }

  /**
   * Leaves (if joined) and detaches. Idempotent. Closes the room when nobody is attached.
   * `onlyIf`, checked in the room's queue, may call it off (a session resumed
   * meanwhile); resolves whether the session was detached.
   */
  detach(session: Session, reason: CloseReason, onlyIf?: () => boolean): Promise<boolean> {
    return this.#serial('detach', async () => {
      if (!this.#attached.has(session) || (onlyIf && !onlyIf())) return false;
      this.#attached.delete(session);
      const peerId = session.peerId;
      if (peerId) this.#lobby.remove(peerId);
      if (peerId && this.#joined.get(peerId) === session) {
        this.#joined.delete(peerId);
        this.#mutedByModerator.delete(peerId);
        if (session.identity && canModerate(session.identity)) this.#moderatorsChanged();
        session.media?.close();
        this.broadcast('peerLeft', { peerId, reason });
        if (this.#presentation?.presenterPeerId === peerId) {
          this.#presentation = null;
          this.broadcast('presentation', { presentation: null });
        }
        await this.#records.left(session, peerId, this.#joined.size === 0);
        session.meetingId = undefined;
        session.log.info({ reason, peers: this.#joined.size }, 'peer left');
      } else if (session.media) {
        // Media made in the lobby (prepareMedia) by a session that never joined.
        session.media.close();
        session.media = undefined;
      }
      if (this.#attached.size === 0 && !this.#closed) {
        this.#closed = true;
        this.#lobby.close();
        this.media.close('empty');
        this.#onEmpty(this);
      }
      return true;
    });
  }

  broadcast<T extends NotificationType>(type: T, data: NotificationData<T>, exceptPeerId?: string): void {
    for (const [peerId, session] of this.#joined) {
      if (peerId !== exceptPeerId) session.notify(type, data);
    }
  }

  peerInfo(session: Session): PeerInfo {
    return {
      peerId: session.peerId!,
      userId: session.identity!.userId,
      displayName: session.displayName ?? session.identity!.displayName,
      role: session.identity!.role,
      producers: session.media ? producerInfos(session.media) : [],
      audioOnly: session.media?.audioOnly ?? false,
      ...(session.handRaised ? { handRaised: true } : {}),
    };
  }

  #wirePeer(session: Session, peer: MediaPeer): void {
    const peerId = peer.id;
    peer.on('consumerclosed', (consumerId) => session.notify('consumerClosed', { consumerId }));
    peer.on('producerclosed', (producerId) => this.broadcast('producerClosed', { peerId, producerId }, peerId));
  }

  async #serial<T>(name: string, task: () => Promise<T>): Promise<T> {
    return this.#queue.push(task, name);
  }

  #onMediaClosed(reason: string): void {
    if (reason === 'empty') return;
    // The worker died or the server shuts down: tell everyone, then close
    // their sockets; their close handlers detach them.
    this.#closed = true;
    this.#lobby.close();
    this.#log.warn({ reason, peers: this.#joined.size }, 'room closed under its peers');
    for (const session of [...this.#attached]) {
      session.notify('roomClosed', { reason });
      session.close(WsCloseCode.ROOM_CLOSED, reason);
      // A session waiting for a resume has nothing to come back to.
      if (!session.hasSocket) session.endGrace?.();
    }
    this.#onEmpty(this);
  }
}

export function producerInfos(peer: MediaPeer): ProducerInfo[] {
  return [...peer.producers.values()].map((p) => ({
    producerId: p.id,
    kind: p.kind,
    source: p.appData.source as Source,
    paused: p.paused,
  }));
}
