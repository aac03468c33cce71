/**
 * The live side of projects on this node: which sessions are connected to
 * which project, their presence in Redis (with heartbeats), and delivery of
 * the project's events (chat, presence) from the event bus to those sessions.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { EventBus, ProjectEvent } from '../events/EventBus.js';
import type { PresenceStore } from '../store/presence.js';
import type { Session } from '../ws/Session.js';

export class ProjectHub {
  readonly #sessions = new Map<string, Set<Session>>();
  readonly #unsubscribe = new Map<string, () => void>();
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;

  constructor(
    private readonly bus: EventBus,
    private readonly presence: PresenceStore,
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
    clearInterval(this.#timer);
    for (const off of this.#unsubscribe.values()) off();
    this.#unsubscribe.clear();
    this.#sessions.clear();
  }

  connectionKey(session: Session): string {
    return `${this.nodeId}/${session.connectionId}`;
  }

  /** After hello: the session is online in its project and receives its events. */
  async connect(session: Session, projectId: string): Promise<void> {
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
    await this.#record(session, projectId, null);
  }

  /** The session entered (roomId) or left (null) a meeting. */
  async setRoom(session: Session, projectId: string, roomId: string | null): Promise<void> {
    if (!this.#sessions.get(projectId)?.has(session)) return;
    await this.#record(session, projectId, roomId);
  }

  async disconnect(session: Session, projectId: string): Promise<void> {
    const set = this.#sessions.get(projectId);
    if (!set?.delete(session)) return;
    if (set.size === 0) {
      this.#sessions.delete(projectId);
      this.#unsubscribe.get(projectId)?.();
      this.#unsubscribe.delete(projectId);
    }
    await this.presence.remove(projectId, this.connectionKey(session));
    await this.#publishPresence(projectId);
  }

  async #record(session: Session, projectId: string, roomId: string | null): Promise<void> {
    const identity = session.identity!;
    await this.presence.set(projectId, this.connectionKey(session), {
      userId: identity.userId,
      displayName: session.displayName ?? identity.displayName,
      role: identity.role,
      device: session.device,
      roomId,
    });
    await this.#publishPresence(projectId);
  }

  async #publishPresence(projectId: string): Promise<void> {
    const online = await this.presence.list(projectId);
    await this.bus.publish(projectId, { type: 'presence', online });
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
    for (const session of this.#sessions.get(projectId) ?? []) {
      if (event.type === 'chatMessage') session.notify('chatMessage', { message: event.message });
      else if (event.type === 'presence') session.notify('presence', { online: event.online });
      else session.notify('documentsChanged', { documentId: event.documentId, change: event.change });
    }
  }

  async #tick(): Promise<void> {
    try {
      for (const [projectId, sessions] of this.#sessions) {
        await this.presence.heartbeat(projectId, [...sessions].map((s) => this.connectionKey(s)));
      }
      // Any node may sweep: what a dead node left expires and is announced once
      // (ZREM tells which node actually removed it).
      if (this.#sweeping) return;
      this.#sweeping = true;
      for (const projectId of await this.presence.projects()) {
        if ((await this.presence.sweep(projectId)) > 0) await this.#publishPresence(projectId);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'presence heartbeat failed');
    } finally {
      this.#sweeping = false;
    }
  }
}
