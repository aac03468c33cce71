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
  type PeerInfo,
  type Presentation,
  type PresentationView,
  type ProducerInfo,
  type RequestData,
  type RoomPolicy,
  canModerate,
} from '../protocol/index.js';
import type { MeetingJournal } from '../projects/MeetingJournal.js';
import type { ProjectHub } from '../projects/ProjectHub.js';
import type { MeetingPresence } from '../store/meetingPresence.js';
import type { Session } from '../ws/Session.js';
import { QualityMonitor } from './QualityMonitor.js';

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
  readonly #presence: MeetingPresence;
  readonly #hub: ProjectHub;
  readonly #journal: MeetingJournal;
  readonly #log: FastifyBaseLogger;
  readonly #nodeId: string;
  readonly #onEmpty: (room: Room) => void;
  readonly quality: QualityMonitor;
  #presentation: Presentation | null = null;
  #closed = false;
  /** endMeeting in progress: no more attaches or joins; the last detach closes the room. */
  #ending = false;
  #policy: RoomPolicy = { locked: false, allowSelfUnmute: true };
  /**
   * Users a moderator removed: refused (REMOVED) for as long as this Room
   * lives, i.e. until the meeting ends (the last session leaves it). A new
   * meeting in the same room id starts with an empty list.
   */
  readonly #removedUsers = new Set<string>();
  /** Peers whose microphone a moderator muted and who have not unmuted since. */
  readonly #mutedByModerator = new Set<string>();

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
  }) {
    this.projectId = options.projectId;
    this.roomId = options.roomId;
    this.media = options.media;
    this.#presence = options.presence;
    this.#hub = options.hub;
    this.#journal = options.journal;
    this.#log = options.log;
    this.#nodeId = options.nodeId;
    this.#onEmpty = options.onEmpty;
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
    return this.policy;
  }

  isRemoved(userId: string): boolean {
    return this.#removedUsers.has(userId);
  }

  markRemoved(userId: string): void {
    this.#removedUsers.add(userId);
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

  join(
    session: Session,
    data: RequestData<'join'>,
  ): Promise<{ peers: PeerInfo[]; presentation: Presentation | null; policy: RoomPolicy }> {
    return this.#serial('join', async () => {
      if (this.#closed || this.#ending) throw new AppError(ErrorCode.ROOM_CLOSED, 'room closed');
      if (!this.#attached.has(session) || session.state !== 'ready') {
        throw new AppError(ErrorCode.ALREADY_JOINED, 'this session cannot join');
      }
      const peerId = session.peerId!;
      const identity = session.identity!;
      if (this.#removedUsers.has(identity.userId)) {
        throw new AppError(ErrorCode.REMOVED, 'a moderator removed you from this meeting');
      }
      if (this.#policy.locked && !canModerate(identity)) {
        throw new AppError(ErrorCode.ROOM_LOCKED, 'the meeting is locked');
      }
      const peer = this.media.createPeer(peerId);
      peer.setRtpCapabilities(data.rtpCapabilities);
      peer.setAudioOnly(data.audioOnly ?? false);
      session.media = peer;
      session.displayName = data.displayName?.trim() || identity.displayName;
      session.device = data.device ?? 'desktop';
      session.state = 'joined';
      this.#wirePeer(session, peer);

      const others = [...this.#joined.values()].map((s) => this.peerInfo(s));
      this.#joined.set(peerId, session);
      this.broadcast('peerJoined', { peer: this.peerInfo(session) }, peerId);
      await this.#presence
        .add(this.projectId, this.roomId, {
          peerId,
          userId: identity.userId,
          displayName: session.displayName,
          role: identity.role,
          device: session.device,
          joinedAt: Date.now(),
          node: this.#nodeId,
        })
        .catch((error: unknown) => session.log.warn({ err: error }, 'could not record meeting presence'));
      // The project learns who is in the meeting, and the meeting's record who came.
      // Neither may keep the participant out of the meeting if Redis hiccups.
      const person = { userId: identity.userId, displayName: session.displayName };
      await this.#journal
        .joined(this.projectId, this.roomId, person, others.length === 0)
        .then((meetingId) => (session.meetingId = meetingId))
        .catch((error: unknown) => session.log.warn({ err: error }, 'could not record the meeting'));
      await this.#hub
        .setRoom(session, this.projectId, this.roomId)
        .catch((error: unknown) => session.log.warn({ err: error }, 'could not update presence'));
      session.log.info({ peers: this.#joined.size }, 'peer joined');
      return { peers: others, presentation: this.#presentation, policy: this.policy };
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
      if (peerId && this.#joined.get(peerId) === session) {
        this.#joined.delete(peerId);
        this.#mutedByModerator.delete(peerId);
        session.media?.close();
        this.broadcast('peerLeft', { peerId, reason });
        if (this.#presentation?.presenterPeerId === peerId) {
          this.#presentation = null;
          this.broadcast('presentation', { presentation: null });
        }
        await this.#presence
          .remove(this.projectId, this.roomId, peerId)
          .catch((error: unknown) => session.log.warn({ err: error }, 'could not clear meeting presence'));
        session.meetingId = undefined;
        await this.#hub
          .setRoom(session, this.projectId, null)
          .catch((error: unknown) => session.log.warn({ err: error }, 'could not update presence'));
        if (this.#joined.size === 0) {
          await this.#journal
            .ended(this.projectId, this.roomId)
            .catch((error: unknown) => session.log.warn({ err: error }, 'could not close the meeting record'));
        }
        session.log.info({ reason, peers: this.#joined.size }, 'peer left');
      }
      if (this.#attached.size === 0 && !this.#closed) {
        this.#closed = true;
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
