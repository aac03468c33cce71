import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { MinutesBook } from '../minutes/MinutesBook.js';
import { MinutesStore } from '../store/minutes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Meetings' minutes (compte rendu): written in the meeting, published as a project document. */
    minutes: MinutesBook;
    minutesStore: MinutesStore;
  }
}

/** The minutes, on the stores they need: plans (which meeting), documents (publish), chat (announce). */
export const minutesPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const store = new MinutesStore(app.redis, app.keys);
    app.decorate('minutesStore', store);
    app.decorate(
      'minutes',
      new MinutesBook({
        store,
        planner: app.planner,
        meetings: app.meetings,
        projects: app.projects,
        documents: app.documents,
        library: app.documentLibrary,
        chat: app.chat,
        bus: app.bus,
        log: app.log.child({ component: 'minutes' }),
        fontDir: config.minutesFontDir,
      }),
    );
  },
  { name: 'minutes', dependencies: ['redis', 'projects', 'documents', 'planning'] },
);
