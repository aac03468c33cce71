import type { MeetingJournal } from '../projects/MeetingJournal.js';
import type { ProjectHub } from '../projects/ProjectHub.js';
import type { MeetingPresence } from '../store/meetingPresence.js';
import type { Session } from '../ws/Session.js';

/**
 * What Redis keeps of who is in one meeting (its presence list, the
 * meeting's record, the project's presence), written off the join's path:
 * the join answers without waiting for them (nothing in its answer comes from
 * them), and a leave waits for them. One chain per room keeps the order of
 * joins and leaves, so that a quick leave never lands before its join; a
 * failed write is logged and the chain goes on (a Redis hiccup never keeps
 * anyone out of a meeting).
 */
export class MeetingRecords {
  readonly #projectId: string;
  readonly #roomId: string;
  readonly #nodeId: string;
  readonly #presence: MeetingPresence;
  readonly #hub: ProjectHub;
  readonly #journal: MeetingJournal;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: {
    projectId: string;
    roomId: string;
    nodeId: string;
    presence: MeetingPresence;
    hub: ProjectHub;
    journal: MeetingJournal;
  }) {
    this.#projectId = options.projectId;
    this.#roomId = options.roomId;
    this.#nodeId = options.nodeId;
    this.#presence = options.presence;
    this.#hub = options.hub;
    this.#journal = options.journal;
  }

  /**
   * Queues the records of a join (`first`: it starts the meeting's record);
   * resolves when they are written or given up, never rejects. The session's
   * meetingId is set on the way (a leave clears it once its own records,
   * queued after these, are written).
   */
  joined(session: Session, first: boolean): Promise<void> {
    const identity = session.identity!;
    const peerId = session.peerId!;
    const displayName = session.displayName ?? identity.displayName;
    const warn = (what: string) => (error: unknown) => session.log.warn({ err: error }, what);
    return this.#then(async () => {
      await this.#presence
        .add(this.#projectId, this.#roomId, {
          peerId,
          userId: identity.userId,
          displayName,
          role: identity.role,
          device: session.device,
          joinedAt: Date.now(),
          node: this.#nodeId,
        })
        .catch(warn('could not record meeting presence'));
      // The project learns who is in the meeting, and the meeting's record who came.
      await this.#journal
        .joined(this.#projectId, this.#roomId, { userId: identity.userId, displayName }, first)
        .then((meetingId) => (session.meetingId = meetingId))
        .catch(warn('could not record the meeting'));
      await this.#hub.setRoom(session, this.#projectId, this.#roomId).catch(warn('could not update presence'));
    });
  }

  /** Queues the records of a leave (`last`: nobody is left, the meeting's record ends); resolves once written. */
  left(session: Session, peerId: string, last: boolean): Promise<void> {
    const warn = (what: string) => (error: unknown) => session.log.warn({ err: error }, what);
    return this.#then(async () => {
      await this.#presence.remove(this.#projectId, this.#roomId, peerId).catch(warn('could not clear meeting presence'));
      await this.#hub.setRoom(session, this.#projectId, null).catch(warn('could not update presence'));
      if (last) await this.#journal.ended(this.#projectId, this.#roomId).catch(warn('could not close the meeting record'));
    });
  }

  /** Resolves when every record queued so far is written (or given up). */
  settled(): Promise<void> {
    return this.#chain;
  }

  #then(write: () => Promise<void>): Promise<void> {
    // `write` catches its own failures; the catch here is for a bug in it.
    this.#chain = this.#chain.then(write).catch(() => undefined);
    return this.#chain;
  }
}
