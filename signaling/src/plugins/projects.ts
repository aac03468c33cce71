import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { EventBus } from '../events/EventBus.js';
import { Calls } from '../projects/Calls.js';
import { MeetingJournal } from '../projects/MeetingJournal.js';
import { ProjectHub } from '../projects/ProjectHub.js';
import { ChatStore } from '../store/chat.js';
import { MeetingStore } from '../store/meetings.js';
import { PresenceStore } from '../store/presence.js';
import { ProjectStore } from '../store/projects.js';

declare module 'fastify' {
  interface FastifyInstance {
    projects: ProjectStore;
    chat: ChatStore;
    presence: PresenceStore;
    meetings: MeetingStore;
    journal: MeetingJournal;
    bus: EventBus;
    hub: ProjectHub;
    calls: Calls;
  }
}

/** Projects, chat, presence, meetings and calls in Redis, and their live events. */
export const projectsPlugin = fp<{ config: Config; nodeId: string }>(
  async (app, { config, nodeId }) => {
    const chat = new ChatStore(app.redis, app.keys, app.log.child({ component: 'chat' }));
    const presence = new PresenceStore(app.redis, app.keys, config.presenceTtlMs);
    const meetings = new MeetingStore(app.redis, app.keys);
    const bus = new EventBus(app.redis, app.keys, app.log.child({ component: 'events' }), config.redisTimeoutMs);
    await bus.start();
    const hub = new ProjectHub(bus, presence, chat, app.log.child({ component: 'presence' }), nodeId, config.presenceTtlMs);
    hub.start();
    // After a Redis outage: presence written again, missed chat delivered (ProjectHub.resync).
    const resync = (missedSince?: number): void => {
      hub.resync(missedSince).catch((error: unknown) => app.log.error({ err: error }, 'resync failed'));
    };
    const offResubscribed = bus.onResubscribed((lostAt) => resync(lostAt));
    const onRestored = (): void => resync();
    app.redisLink.on('restored', onRestored);
    const projects = new ProjectStore(app.redis, app.keys);
    const calls = new Calls(app.redis, app.keys, bus, chat, projects, app.log.child({ component: 'calls' }), {
      ringMs: config.callRingMs,
    });
    calls.open();
    app.decorate('projects', projects);
    app.decorate('chat', chat);
    app.decorate('presence', presence);
    app.decorate('meetings', meetings);
    app.decorate('journal', new MeetingJournal(meetings, chat, app.log));
    app.decorate('bus', bus);
    app.decorate('hub', hub);
    app.decorate('calls', calls);
    // Registered after redis: Fastify runs onClose hooks in reverse order of
    // registration, so these stop before the Redis client closes.
    app.addHook('onClose', async () => {
      offResubscribed();
      app.redisLink.off('restored', onRestored);
      calls.close();
      hub.stop();
      await bus.stop();
    });
  },
  { name: 'projects', dependencies: ['redis'] },
);
