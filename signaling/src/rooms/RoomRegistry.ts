import type { FastifyBaseLogger } from 'fastify';
import type { Sfu } from '@chantier/sfu';
import type { MeetingJournal } from '../projects/MeetingJournal.js';
import type { ProjectHub } from '../projects/ProjectHub.js';
import type { MeetingPresence } from '../store/meetingPresence.js';
import type { MeetingStateStore, SavedMeetingState } from '../cluster/MeetingState.js';
import type { NodeRegistry } from '../cluster/NodeRegistry.js';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import type { Session } from '../ws/Session.js';
import { Room } from './Room.js';

/**
 * The rooms of this process, by project and room id. A room exists while at
 * least one session is attached to it; the first attach creates it (and its
 * SFU router), the last detach closes it.
 */
export class RoomRegistry {
  readonly #rooms = new Map<string, Room>();
  readonly #sfu: Sfu;
  readonly #presence: MeetingPresence;
  readonly #hub: ProjectHub;
  readonly #journal: MeetingJournal;
  readonly #log: FastifyBaseLogger;
  readonly #nodeId: string;
  readonly #guestLobby: boolean;
  readonly #nodes: NodeRegistry | undefined;
  readonly #state: MeetingStateStore | undefined;
  /** Releases in flight, by room key: a new room of the same meeting claims after them. */
  readonly #releasing = new Map<string, Promise<void>>();

  constructor(options: {
    sfu: Sfu;
    presence: MeetingPresence;
    hub: ProjectHub;
    journal: MeetingJournal;
    log: FastifyBaseLogger;
    nodeId: string;
    /** Each new meeting's guest lobby setting (config GUEST_LOBBY). */
    guestLobby: boolean;
    /** The cluster's meeting → node map; unset: this process is alone. */
    nodes?: NodeRegistry;
    /** Where the meeting's policy and removed users are kept (take-overs find them). */
    state?: MeetingStateStore;
  }) {
    this.#sfu = options.sfu;
    this.#presence = options.presence;
    this.#hub = options.hub;
    this.#journal = options.journal;
    this.#log = options.log;
    this.#nodeId = options.nodeId;
    this.#guestLobby = options.guestLobby;
    this.#nodes = options.nodes;
    this.#state = options.state;
  }

  get rooms(): ReadonlyMap<string, Room> {
    return this.#rooms;
  }

  get(projectId: string, roomId: string): Room | undefined {
    return this.#rooms.get(roomKey(projectId, roomId));
  }

  /**
   * Resolves when the meeting records of the project's rooms held here (or
   * of one of them) are written: a reader of the records (HTTP routes) sees
   * every join answered before it asked.
   */
  async recordsWritten(projectId: string, roomId?: string): Promise<void> {
    const rooms = roomId ? [this.get(projectId, roomId)] : [...this.#rooms.values()].filter((r) => r.projectId === projectId);
    await Promise.all(rooms.map((room) => room?.recordsWritten()));
  }

  /** Attaches the session to the room, creating the room if needed. */
  async attach(session: Session, projectId: string, roomId: string): Promise<Room> {
    const key = roomKey(projectId, roomId);
    // A room may close (emptied) between lookup and attach: try again then.
    for (let attempt = 0; attempt < 3; attempt++) {
      let room = this.#rooms.get(key);
      if (!room || room.closed) {
        const saved = await this.#claim(projectId, roomId);
        const media = await this.#sfu.room(key);
        room = this.#rooms.get(key);
        if (!room || room.closed || room.media !== media) {
          if (media.closed) continue;
          room = new Room({
            projectId,
            roomId,
            media,
            presence: this.#presence,
            hub: this.#hub,
            journal: this.#journal,
            log: this.#log.child({ projectId, roomId }),
            nodeId: this.#nodeId,
            guestLobby: this.#guestLobby,
            state: this.#state,
            saved,
            onEmpty: (r) => {
              if (this.#rooms.get(key) !== r) return;
              this.#rooms.delete(key);
              this.#release(key, projectId, roomId);
            },
          });
          this.#rooms.set(key, room);
        }
      }
      if (room.closed) continue;
      room.attach(session);
      return room;
    }
    throw new Error(`could not attach to room ${key}`);
  }

  /**
   * Makes sure this node holds the meeting (throws WRONG_NODE otherwise) and
   * reads what the meeting kept in Redis.
   */
  async #claim(projectId: string, roomId: string): Promise<(SavedMeetingState & { continues: boolean }) | undefined> {
    await this.#releasing.get(roomKey(projectId, roomId));
    if (this.#nodes) {
      const claim = await this.#nodes.claim(projectId, roomId);
      if (!claim.mine) {
        this.#log.debug({ projectId, roomId, holder: claim.holder }, 'meeting held by another node');
        if (!claim.url) throw new AppError(ErrorCode.ROOM_CLOSED, 'the node holding this meeting is going away; try again');
        throw new AppError(ErrorCode.WRONG_NODE, 'this meeting is held by another node', { url: claim.url });
      }
      if (claim.tookOverFrom) {
        // The dead node's participants are not in the meeting any more (they come back as new peers).
        const stale = await this.#presence
          .removeNode(projectId, roomId, claim.tookOverFrom)
          .catch((error: unknown) => this.#log.warn({ err: error }, 'dead node’s participants not cleared'));
        this.#log.info({ projectId, roomId, from: claim.tookOverFrom, stale }, 'meeting taken over from a dead node');
        const saved = await this.#state?.load(projectId, roomId);
        return { policy: saved?.policy, removedUsers: saved?.removedUsers ?? [], continues: true };
      }
    }
    const saved = await this.#state?.load(projectId, roomId);
    return saved && { ...saved, continues: false };
  }

  /** The room closed: its meeting's state goes, then its claim (so that the next holder finds no stale state). */
  #release(key: string, projectId: string, roomId: string): void {
    const release = (async () => {
      try {
        await this.#state?.clear(projectId, roomId);
        await this.#nodes?.release(projectId, roomId);
      } catch (error) {
        this.#log.warn({ err: error, projectId, roomId }, 'meeting not released');
      }
    })();
    this.#releasing.set(key, release);
    void release.finally(() => {
      if (this.#releasing.get(key) === release) this.#releasing.delete(key);
    });
  }

  /** Resolves when every release in flight is done (shutdown, before Redis closes). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#releasing.values()]);
  }

  /**
   * Redis is back after an outage: who is in the meetings held here is
   * written again. Joins Redis missed are added, leaves it missed removed;
   * entries that survived keep their time of joining.
   */
  async resyncPresence(): Promise<void> {
    for (const room of [...this.#rooms.values()]) {
      const joined = room.joinedSessions;
      const recorded = await this.#presence.list(room.projectId, room.roomId);
      const known = new Set(recorded.map((e) => e.peerId));
      for (const [peerId, session] of joined) {
        const identity = session.identity;
        if (known.has(peerId) || !identity) continue;
        await this.#presence.add(room.projectId, room.roomId, {
          peerId,
          userId: identity.userId,
          displayName: session.displayName ?? identity.displayName,
          role: identity.role,
          device: session.device,
          joinedAt: Date.now(),
          node: this.#nodeId,
        });
      }
      for (const entry of recorded) {
        if (entry.node === this.#nodeId && !joined.has(entry.peerId)) {
          await this.#presence.remove(room.projectId, room.roomId, entry.peerId);
        }
      }
    }
  }

  /** The meetings whose rooms live here, as [projectId, roomId]. */
  held(): Array<[string, string]> {
    return [...this.#rooms.values()].map((room) => [room.projectId, room.roomId]);
  }
}

export function roomKey(projectId: string, roomId: string): string {
  return `${projectId}/${roomId}`;
}
