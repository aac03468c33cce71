/**
 * The live side of projects on this node: which sessions are connected to
 * which project, their presence in Redis (with heartbeats), and delivery of
 * the project's events (chat, presence) from the event bus to those sessions.
 *
 * After a Redis outage (resync()): every session connected here is recorded
 * online again (with its meeting), the entries of sessions that left during
 * the outage go, presence is announced, and chat messages published while
 * the bus was not subscribed are delivered (clients merge them by id).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Identity } from '../auth/tokens.js';
import type { EventBus, ProjectEvent } from '../events/EventBus.js';
import type { NotificationData, NotificationType } from '../protocol/index.js';
import { isUnavailable } from '../redis/bounded.js';
import type { ChatStore } from '../store/chat.js';
import { compareStreamIdText as compareIds } from '../protocol/streamId.js';
import type { ConnectionInfo, PresenceStore } from '../store/presence.js';
import { coveredBy, PresenceFanout } from './PresenceFanout.js';

/** Most chat messages delivered again per project after an outage. */
const CATCH_UP_LIMIT = 200;
/** Between attempts of a resync that found Redis not yet back (the subscriber may return first). */
const RESYNC_RETRY_MS = 500;
const RESYNC_ATTEMPTS = 40;

/**
 * What the hub needs of a session: declared here rather than imported from ws/Session.ts (which
 * knows its room, which knows the hub), so that projects/ does not import ws/. Session satisfies
 * it as it is.
 */
export interface HubSession {
  readonly connectionId: string;
  /** Set at hello, before the session connects to its project. */
  readonly identity: Identity | undefined;
  readonly displayName: string | undefined;
  readonly device: ConnectionInfo['device'];
  notify<T extends NotificationType>(type: T, data: NotificationData<T>): void;
  /** notify() with `dataJson` = JSON.stringify(data), made once for all the project's sessions. */
  notifyShared<T extends NotificationType>(type: T, data: NotificationData<T>, dataJson: string | undefined): void;
}

export class ProjectHub {
  readonly #sessions = new Map<string, Set<HubSession>>();
  readonly #unsubscribe = new Map<string, () => void>();
  /** Each session's meeting as last recorded (null: the project page or the lobby). */
  readonly #rooms = new WeakMap<HubSession, string | null>();
  /** The newest chat message id delivered here, per project. */
  readonly #lastChat = new Map<string, string>();
  /** Projects left by their last session here while Redis could not be told. */
  readonly #unclean = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;
  #stopped = false;
  /** A resync in progress, and whether another was asked for meanwhile. */
  #resyncing: Promise<void> | undefined;
  #resyncAgain = false;
  /** The oldest time since when chat may have been missed (the bus's loss), until a resync delivers it. */
  #missedSince: number | undefined;
  /** Presence changes to the sessions, coalesced per project per tick. */
  readonly #fanout = new PresenceFanout((projectId, data, json) => {
    for (const session of this.#sessions.get(projectId) ?? []) {
      if (coveredBy(data, this.#helloVersions.get(session))) continue;
      if (data.snapshot) this.#helloVersions.delete(session);
      session.notifyShared('presence', data, json);
    }
  });
  /** The version of each session's hello snapshot (what its changes need not repeat). */
  readonly #helloVersions = new WeakMap<HubSession, number>();

  constructor(
    private readonly bus: EventBus,
    private readonly presence: PresenceStore,
    private readonly chat: ChatStore,
    private readonly log: FastifyBaseLogger,
    private readonly nodeId: string,
    private readonly ttlMs: number,
  ) {}

  /** Heartbeats and the sweep of expired connections, every third of the TTL. */
  start(): void {
    this.#timer = setInterval(() => void this.#tick(), Math.max(200, Math.floor(this.ttlMs / 3)));
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const off of this.#unsubscribe.values()) off();
    this.#unsubscribe.clear();
    this.#sessions.clear();
  }

  connectionKey(session: HubSession): string {
    return `${this.nodeId}/${session.connectionId}`;
  }

  /**
   * After hello: the session is online in its project and receives its
   * events. Returns the project's presence with it (the hello's snapshot),
   * as the JSON of a PresenceSnapshot.
   */
  async connect(session: HubSession, projectId: string): Promise<string> {
    let set = this.#sessions.get(projectId);
    if (!set) {
      set = new Set();
      this.#sessions.set(projectId, set);
      this.#unsubscribe.set(
        projectId,
        this.bus.on(projectId, (event) => this.#deliver(projectId, event)),
      );
    }
    set.add(session);
    this.#rooms.set(session, null);
    const { json, version } = await this.presence.setAndSnapshot(projectId, this.connectionKey(session), this.#info(session, null));
    this.#helloVersions.set(session, version);
    return json;
  }

  /** The session entered (roomId) or left (null) a meeting. */
  async setRoom(session: HubSession, projectId: string, roomId: string | null): Promise<void> {
    if (!this.#sessions.get(projectId)?.has(session)) return;
    await this.#record(session, projectId, roomId);
  }

  async disconnect(session: HubSession, projectId: string): Promise<void> {
    const set = this.#sessions.get(projectId);
    if (!set?.delete(session)) return;
    if (set.size === 0) {
      this.#sessions.delete(projectId);
      this.#unsubscribe.get(projectId)?.();
      this.#unsubscribe.delete(projectId);
      this.#lastChat.delete(projectId);
      this.#fanout.forget(projectId);
    }
    try {
      await this.presence.remove(projectId, this.connectionKey(session));
    } catch (error) {
      // Cleared by the resync when Redis is back (else by the sweep, within the TTL).
      this.#unclean.add(projectId);
      throw error;
    }
  }

  /**
   * Redis is back (the bus re-subscribed at `missedSince`, or the main
   * connection returned): writes again what this node knows. Coalesced: one
   * at a time, once more if asked meanwhile; retried while Redis is not back.
   */
  resync(missedSince?: number): Promise<void> {
    if (missedSince !== undefined) this.#missedSince = Math.min(this.#missedSince ?? missedSince, missedSince);
    if (this.#resyncing) {
      this.#resyncAgain = true;
      return this.#resyncing;
    }
    this.#resyncing = (async () => {
      try {
        do {
          this.#resyncAgain = false;
          await this.#resyncWithRetries();
        } while (this.#resyncAgain && !this.#stopped);
      } finally {
        this.#resyncing = undefined;
      }
    })();
    return this.#resyncing;
  }

  async #resyncWithRetries(): Promise<void> {
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        await this.#resyncOnce();
        return;
      } catch (error) {
        if (attempt >= RESYNC_ATTEMPTS) {
          this.log.error({ err: error }, 'presence and chat not resynchronised after the Redis outage');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RESYNC_RETRY_MS));
      }
    }
  }

  async #resyncOnce(): Promise<void> {
    const missedSince = this.#missedSince;
    const started = Date.now();
    let sessions = 0;
    for (const [projectId, set] of [...this.#sessions]) {
      const live = [...set];
      sessions += live.length;
      for (const session of live) await this.#write(session, projectId, this.#rooms.get(session) ?? null);
      await this.presence.removeStale(projectId, `${this.nodeId}/`, new Set(live.map((s) => this.connectionKey(s))));
      // Changes published while the bus was away never arrived: the sessions start again from a snapshot.
      if (this.#sessions.has(projectId)) this.#fanout.snapshot(projectId, await this.presence.snapshot(projectId));
      if (missedSince !== undefined) await this.#catchUpChat(projectId, missedSince);
    }
    for (const projectId of [...this.#unclean]) {
      if (!this.#sessions.has(projectId)) {
        await this.presence.removeStale(projectId, `${this.nodeId}/`, new Set());
      }
      this.#unclean.delete(projectId);
    }
    // Delivered up to now: a later loss starts its own window.
    if (this.#missedSince === missedSince) this.#missedSince = undefined;
    this.log.info({ sessions, ms: Date.now() - started }, 'presence and chat resynchronised after a Redis outage');
  }

  /** Delivers the project's chat messages newer than what was delivered here (or than `missedSince`). */
  async #catchUpChat(projectId: string, missedSince: number): Promise<void> {
    const after = this.#lastChat.get(projectId) ?? `${Math.max(0, missedSince - 1_000)}-0`;
    const { messages } = await this.chat.history(projectId, undefined, CATCH_UP_LIMIT);
    const missed = messages.filter((m) => compareIds(m.id, after) > 0).reverse();
    for (const message of missed) this.#deliver(projectId, { type: 'chatMessage', message });
    if (missed.length > 0) this.log.info({ projectId, messages: missed.length }, 'chat messages delivered after the outage');
  }

  async #record(session: HubSession, projectId: string, roomId: string | null): Promise<void> {
    this.#rooms.set(session, roomId);
    await this.#write(session, projectId, roomId);
  }

  async #write(session: HubSession, projectId: string, roomId: string | null): Promise<void> {
    await this.presence.set(projectId, this.connectionKey(session), this.#info(session, roomId));
  }

  #info(session: HubSession, roomId: string | null): ConnectionInfo {
    const identity = session.identity!;
    return { userId: identity.userId, displayName: session.displayName ?? identity.displayName, role: identity.role, device: session.device, roomId };
  }

  #deliver(projectId: string, event: ProjectEvent): void {
    if (event.type === 'call') {
      // Only the named users' sessions: a call rings its invitees, not the project.
      for (const session of this.#sessions.get(projectId) ?? []) {
        if (!event.to.includes(session.identity?.userId ?? '')) continue;
        if (event.except === this.connectionKey(session)) continue;
        const { notification } = event;
        if (notification.type === 'incomingCall') session.notify('incomingCall', notification.data);
        else if (notification.type === 'callUpdate') session.notify('callUpdate', notification.data);
        else session.notify('callEnded', notification.data);
      }
      return;
    }
    if (event.type === 'planning') {
      const { to, notification } = event;
      for (const session of this.#sessions.get(projectId) ?? []) {
        if (to && !to.includes(session.identity?.userId ?? '')) continue;
        if (notification.type === 'meetingPlanChanged') session.notify('meetingPlanChanged', notification.data);
        else session.notify('meetingReminder', notification.data);
      }
      return;
    }
    if (event.type === 'chatMessage') {
      const last = this.#lastChat.get(projectId);
      if (!last || compareIds(event.message.id, last) > 0) this.#lastChat.set(projectId, event.message.id);
    }
    if (event.type === 'presence') {
      this.#fanout.change(projectId, event.change);
      return;
    }
    // Serialised once for all the project's sessions.
    if (event.type === 'chatMessage') {
      const data = { message: event.message };
      const json = JSON.stringify(data);
      for (const session of this.#sessions.get(projectId) ?? []) session.notifyShared('chatMessage', data, json);
      return;
    }
    const data = { documentId: event.documentId, change: event.change };
    const json = JSON.stringify(data);
    for (const session of this.#sessions.get(projectId) ?? []) session.notifyShared('documentsChanged', data, json);
  }

  /** Sends a snapshot to the projects whose changes the bus lost (PresenceFanout.isBehind). */
  async #checkVersions(): Promise<void> {
    for (const projectId of [...this.#sessions.keys()]) {
      const version = await this.presence.version(projectId);
      if (!this.#fanout.isBehind(projectId, version) || !this.#sessions.has(projectId)) continue;
      this.log.info({ projectId, version, seen: this.#fanout.seen(projectId) }, 'presence changes lost: sending a snapshot');
      this.#fanout.snapshot(projectId, await this.presence.snapshot(projectId));
    }
  }

  async #tick(): Promise<void> {
    try {
      for (const [projectId, sessions] of this.#sessions) {
        await this.presence.heartbeat(projectId, [...sessions].map((s) => this.connectionKey(s)));
      }
      await this.#checkVersions();
      // Any node may sweep: what a dead node left expires and is announced once
      // (ZREM tells which node actually removed it).
      if (this.#sweeping) return;
      this.#sweeping = true;
      for (const projectId of await this.presence.projects()) {
        await this.presence.sweep(projectId);
      }
    } catch (error) {
      // An outage is logged once by RedisLink; the resync writes presence again after it.
      if (isUnavailable(error)) this.log.debug({ err: error }, 'presence heartbeat failed: Redis unavailable');
      else this.log.warn({ err: error }, 'presence heartbeat failed');
    } finally {
      this.#sweeping = false;
    }
  }
}
