/**
 * Live project events shared by every Chantier node through Redis pub/sub:
 * one subscriber connection per process (PSUBSCRIBE on every project's
 * channel), fanned out in-process to the sessions of that project.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ChatMessage, NotificationData, PresenceChange } from '../protocol/index.js';
import type { RedisClient } from '../redis/client.js';
import { closeWithin } from '../redis/bounded.js';
import type { Keys } from '../store/keys.js';

export type ProjectEvent =
  | { type: 'chatMessage'; message: ChatMessage }
  /** Published by store/presence.ts's scripts, in version order. */
  | { type: 'presence'; change: PresenceChange }
  | { type: 'documentsChanged'; documentId: string; change: 'added' | 'removed' }
  /**
   * A call's notification for some users' sessions (all their pages and
   * devices, on every node), except one connection (the device that answered).
   */
  | { type: 'call'; to: string[]; except?: string; notification: CallNotification }
  /** A planned meeting's notification: for the named users' sessions (`to`), or every session of the project. */
  | { type: 'planning'; to?: string[]; notification: PlanningNotification };

/** The notifications of calls (projects/Calls.ts). */
export type CallNotification =
  | { type: 'incomingCall'; data: NotificationData<'incomingCall'> }
  | { type: 'callUpdate'; data: NotificationData<'callUpdate'> }
  | { type: 'callEnded'; data: NotificationData<'callEnded'> };

const callNotificationTypes = new Set(['incomingCall', 'callUpdate', 'callEnded']);

/** The notifications of planned meetings (planning/MeetingPlanner.ts, planning/Reminders.ts). */
export type PlanningNotification =
  | { type: 'meetingPlanChanged'; data: NotificationData<'meetingPlanChanged'> }
  | { type: 'meetingReminder'; data: NotificationData<'meetingReminder'> };

const planningNotificationTypes = new Set(['meetingPlanChanged', 'meetingReminder']);

type Listener = (event: ProjectEvent) => void;

/** Told when the subscriber is back after losing Redis: what was published meanwhile never arrived. */
export type ResubscribedListener = (lostAt: number) => void;

export class EventBus {
  readonly #listeners = new Map<string, Set<Listener>>();
  #subscriber: RedisClient | undefined;
  readonly #resubscribed = new Set<ResubscribedListener>();
  /** When the subscriber lost Redis (undefined while subscribed). */
  #lostAt: number | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly log: FastifyBaseLogger,
    /** How long stop() waits for the subscriber to close cleanly (REDIS_TIMEOUT_MS). */
    private readonly closeTimeoutMs = 1_000,
  ) {}

  async start(): Promise<void> {
    const subscriber = this.redis.duplicate();
    // Its outages are logged once by the main client's RedisLink; here only when they start.
    subscriber.on('error', (error: Error) => this.#lost(error));
    subscriber.on('end', () => this.#lost(undefined));
    // node-redis re-subscribes on reconnect, before 'ready'.
    subscriber.on('ready', () => this.#ready());
    await subscriber.connect();
    const prefix = this.keys.projectEvents('');
    await subscriber.pSubscribe(this.keys.projectEventsPattern(), (payload, channel) => {
      this.#deliver(channel.slice(prefix.length), payload);
    });
    this.#subscriber = subscriber;
  }

  async stop(): Promise<void> {
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    if (!subscriber) return;
    await closeWithin(subscriber, this.closeTimeoutMs);
  }

  /** Listens for the subscriber's return after an outage; returns the unsubscribe function. */
  onResubscribed(listener: ResubscribedListener): () => void {
    this.#resubscribed.add(listener);
    return () => this.#resubscribed.delete(listener);
  }

  #lost(error: Error | undefined): void {
    if (!this.#subscriber || this.#lostAt !== undefined) return;
    this.#lostAt = Date.now();
    this.log.debug({ err: error }, 'redis subscriber lost its connection');
  }

  #ready(): void {
    const lostAt = this.#lostAt;
    if (lostAt === undefined) return;
    this.#lostAt = undefined;
    this.log.info({ downMs: Date.now() - lostAt }, 'project events subscribed again');
    for (const listener of this.#resubscribed) {
      try {
        listener(lostAt);
      } catch (error) {
        this.log.error({ err: error }, 'resubscribed listener failed');
      }
    }
  }

  /** Listens to one project's events; returns the unsubscribe function. */
  on(projectId: string, listener: Listener): () => void {
    let set = this.#listeners.get(projectId);
    if (!set) {
      set = new Set();
      this.#listeners.set(projectId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(projectId) === set) this.#listeners.delete(projectId);
    };
  }

  async publish(projectId: string, event: ProjectEvent): Promise<void> {
    await this.redis.publish(this.keys.projectEvents(projectId), JSON.stringify(event));
  }

  #deliver(projectId: string, payload: string): void {
    const listeners = this.#listeners.get(projectId);
    if (!listeners || listeners.size === 0) return;
    let event: ProjectEvent;
    try {
      const raw = JSON.parse(payload) as {
        type?: string;
        id?: string;
        message?: ChatMessage;
        documentId?: string;
        change?: 'added' | 'removed' | PresenceChange;
        to?: unknown;
        except?: unknown;
        notification?: { type?: unknown; data?: unknown };
      };
      if (raw.type === 'chatMessage' && raw.message && raw.id) {
        // The chat's Lua script publishes the message without its id (unknown until XADD).
        event = { type: 'chatMessage', message: { ...raw.message, id: raw.id } };
      } else if (raw.type === 'presence' && typeof raw.change === 'object' && Number.isSafeInteger(raw.change.version)) {
        event = { type: 'presence', change: raw.change };
      } else if (raw.type === 'documentsChanged' && typeof raw.documentId === 'string' && (raw.change === 'added' || raw.change === 'removed')) {
        event = { type: 'documentsChanged', documentId: raw.documentId, change: raw.change };
      } else if (
        raw.type === 'call' &&
        Array.isArray(raw.to) &&
        raw.to.every((u) => typeof u === 'string') &&
        typeof raw.notification?.type === 'string' &&
        callNotificationTypes.has(raw.notification.type) &&
        raw.notification.data !== null &&
        typeof raw.notification.data === 'object'
      ) {
        event = {
          type: 'call',
          to: raw.to as string[],
          ...(typeof raw.except === 'string' ? { except: raw.except } : {}),
          notification: raw.notification as CallNotification,
        };
      } else if (
        raw.type === 'planning' &&
        (raw.to === undefined || (Array.isArray(raw.to) && raw.to.every((u) => typeof u === 'string'))) &&
        typeof raw.notification?.type === 'string' &&
        planningNotificationTypes.has(raw.notification.type) &&
        raw.notification.data !== null &&
        typeof raw.notification.data === 'object'
      ) {
        event = {
          type: 'planning',
          ...(raw.to !== undefined ? { to: raw.to as string[] } : {}),
          notification: raw.notification as PlanningNotification,
        };
      } else {
        this.log.warn({ projectId }, 'unknown project event');
        return;
      }
    } catch (error) {
      this.log.warn({ err: error, projectId }, 'malformed project event');
      return;
    }
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ err: error, projectId }, 'project event listener failed');
      }
    }
  }
}
