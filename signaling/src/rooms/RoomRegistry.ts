import type { FastifyBaseLogger } from 'fastify';
import type { Sfu } from '@chantier/sfu';
import type { MeetingJournal } from '../projects/MeetingJournal.js';
import type { ProjectHub } from '../projects/ProjectHub.js';
import type { MeetingPresence } from '../store/meetingPresence.js';
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

  constructor(options: {
    sfu: Sfu;
    presence: MeetingPresence;
    hub: ProjectHub;
    journal: MeetingJournal;
    log: FastifyBaseLogger;
    nodeId: string;
    /** Each new meeting's guest lobby setting (config GUEST_LOBBY). */
    guestLobby: boolean;
  }) {
    this.#sfu = options.sfu;
    this.#presence = options.presence;
    this.#hub = options.hub;
    this.#journal = options.journal;
    this.#log = options.log;
    this.#nodeId = options.nodeId;
    this.#guestLobby = options.guestLobby;
  }

  get rooms(): ReadonlyMap<string, Room> {
    return this.#rooms;
  }

  get(projectId: string, roomId: string): Room | undefined {
    return this.#rooms.get(roomKey(projectId, roomId));
  }

  /** Attaches the session to the room, creating the room if needed. */
  async attach(session: Session, projectId: string, roomId: string): Promise<Room> {
    const key = roomKey(projectId, roomId);
    // A room may close (emptied) between lookup and attach: try again then.
    for (let attempt = 0; attempt < 3; attempt++) {
      let room = this.#rooms.get(key);
      if (!room || room.closed) {
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
            onEmpty: (r) => {
              if (this.#rooms.get(key) === r) this.#rooms.delete(key);
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
}

export function roomKey(projectId: string, roomId: string): string {
  return `${projectId}/${roomId}`;
}
