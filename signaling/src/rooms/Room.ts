import { AwaitQueue } from 'awaitqueue';
import type { FastifyBaseLogger } from 'fastify';
import type { MediaPeer, MediaRoom } from '@chantier/sfu';
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
import { MeetingRecords } from './MeetingRecords.js';
import { MeetingRules } from './MeetingRules.js';
import { peerInfo as describePeer } from './peerInfo.js';
import { QualityMonitor } from './QualityMonitor.js';
import { RoomEntry } from './RoomEntry.js';
import { RoomPresentation } from './RoomPresentation.js';
import { ScreenStills } from './ScreenStills.js';

/**
 * One meeting as the signaling side sees it: the sessions attached to it (after
 * hello), those of them that joined (visible, with media), and the SFU room
 * that carries their media. Membership and producer changes go through one
 * queue per room, so two joins (or a join and a new producer) never interleave:
 * every peer sees one consistent order of events. The way in (refusals, the
 * guest lobby, media made before the join) is RoomEntry.ts.
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
  readonly #presentation: RoomPresentation;
  /** Still pictures of shared screens for viewers on weak downlinks (ScreenStills.ts). */
  readonly stills: ScreenStills;
  #closed = false;
  /** endMeeting in progress: no more attaches or joins; the last detach closes the room. */
  #ending = false;
  /** The policy, removed users and moderators' mutes (MeetingRules.ts). */
  readonly #rules: MeetingRules;
  /** The way in: refusals, the guest lobby, the media made on the join screen (RoomEntry.ts). */
  readonly entry: RoomEntry;
  /** Taken over from a dead node: the first join continues the meeting's record instead of starting one. */
  #continuesMeeting = false;

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
    this.#rules = new MeetingRules(options);
    this.#presentation = new RoomPresentation(this.broadcast.bind(this));
    this.stills = new ScreenStills((peerId, type, data) => this.#joined.get(peerId)?.notify(type, data));
    this.#continuesMeeting = options.saved?.continues === true;
    this.entry = new RoomEntry({
      attached: this.#attached,
      joined: this.#joined,
      media: this.media,
      rules: this.#rules,
      shut: () => this.#closed || this.#ending,
      serial: (name, task) => this.#serial(name, task),
      findAttached: (peerId) => this.findAttached(peerId),
      log: this.#log,
    });
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
    return this.#presentation.current;
  }
  get policy(): RoomPolicy {
    return this.#rules.policy;
  }

  /** Changes the rules; allowing self-unmute again forgets past mutes (a later disallow does not revive them). */
  setPolicy(patch: Partial<RoomPolicy>): RoomPolicy {
    return this.#rules.setPolicy(patch);
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
    return this.#rules.saved();
  }

  /** The guests waiting in the lobby, oldest first (knocks, admissions: `entry`). */
  get lobby(): LobbyEntry[] {
    return this.entry.waiting;
  }

  // Removed users and moderators' mutes: MeetingRules.ts.
  isRemoved(userId: string): boolean {
    return this.#rules.isRemoved(userId);
  }
  markRemoved(userId: string): void {
    this.#rules.markRemoved(userId);
  }
  markMuted(peerId: string): void {
    this.#rules.markMuted(peerId);
  }
  clearMuted(peerId: string): void {
    this.#rules.clearMuted(peerId);
  }
  selfUnmuteBlocked(peerId: string): boolean {
    return this.#rules.selfUnmuteBlocked(peerId);
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

  // The presentation: RoomPresentation.ts.
  startPresentation(presentation: Presentation): void {
    this.#presentation.start(presentation);
  }
  updatePresentation(session: Session, presentationId: string, view: PresentationView): void {
    this.#presentation.update(session.peerId, presentationId, view);
  }
  stopPresentation(session: Session, presentationId: string): void {
    this.#presentation.stop(session.peerId, presentationId);
  }

  /** Synchronous on purpose: the registry checks `closed` and attaches in one step. */
  attach(session: Session): void {
    if (this.#closed || this.#ending) throw new AppError(ErrorCode.ROOM_CLOSED, 'room closed');
    this.#attached.add(session);
  }

  /**
   * Makes the session a participant. Its media peer is the one made before
   * join (RoomEntry.prepareMedia: transports made in the lobby) or a new one;
   * with a receive transport already there, the answer carries a flowing
   * consumer of every producer in the room (joinConsumers.ts). The Redis records follow
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
      this.entry.refuse(session);
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
      this.entry.leaveLobby(session);
      this.broadcast('peerJoined', { peer: this.peerInfo(session) }, peerId);
      const moderator = canModerate(identity);
      if (moderator) this.entry.moderatorsChanged();
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
        presentation: this.#presentation.current,
        policy: this.policy,
        // Taken now, not before the awaits above: a knock may have come meanwhile.
        ...(moderator ? { lobby: this.entry.waiting } : {}),
        ...(consumers ? { consumers } : {}),
      };
    });
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
      this.entry.leaveLobby(session);
      if (peerId && this.#joined.get(peerId) === session) {
        this.#joined.delete(peerId);
        this.#rules.clearMuted(peerId);
        if (session.identity && canModerate(session.identity)) this.entry.moderatorsChanged();
        session.media?.close();
        this.broadcast('peerLeft', { peerId, reason });
        this.#presentation.peerLeft(peerId);
        this.stills.peerLeft(peerId);
        await this.#records.left(session, peerId, this.#joined.size === 0);
        session.meetingId = undefined;
        session.log.info({ reason, peers: this.#joined.size }, 'peer left');
      } else if (session.media) {
        // Media made in the lobby (RoomEntry.prepareMedia) by a session that never joined.
        session.media.close();
        session.media = undefined;
      }
      if (this.#attached.size === 0 && !this.#closed) {
        this.#closed = true;
        this.entry.close();
        this.media.close('empty');
        this.#onEmpty(this);
      }
      return true;
    });
  }

  /**
   * A screen share began (its producer, before anyone hears of it): its stills
   * are kept from now, and every viewer's downlink is judged now, so that the
   * sharer hears of a weak one at once (MediaPeer.expectScreen).
   */
  screenShared(producerId: string, sharerPeerId: string): void {
    this.stills.shareStarted(producerId, sharerPeerId);
    for (const [peerId, session] of this.#joined) {
      if (peerId !== sharerPeerId && session.media) this.stills.judging(producerId, peerId, session.media.expectScreen(producerId));
    }
  }

  broadcast<T extends NotificationType>(type: T, data: NotificationData<T>, exceptPeerId?: string): void {
    for (const [peerId, session] of this.#joined) {
      if (peerId !== exceptPeerId) session.notify(type, data);
    }
  }

  peerInfo(session: Session): PeerInfo {
    return describePeer(session);
  }

  #wirePeer(session: Session, peer: MediaPeer): void {
    const peerId = peer.id;
    peer.on('consumerclosed', (consumerId) => session.notify('consumerClosed', { consumerId }));
    peer.on('producerclosed', (producerId) => {
      this.stills.shareEnded(producerId);
      this.broadcast('producerClosed', { peerId, producerId }, peerId);
    });
    peer.on('screenstill', (producerId, needed) => this.stills.viewerNeeds(peerId, producerId, needed));
  }

  async #serial<T>(name: string, task: () => Promise<T>): Promise<T> {
    return this.#queue.push(task, name);
  }

  #onMediaClosed(reason: string): void {
    if (reason === 'empty') return;
    // The worker died or the server shuts down: tell everyone, then close
    // their sockets; their close handlers detach them.
    this.#closed = true;
    this.entry.close();
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
