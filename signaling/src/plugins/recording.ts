import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { recoverRecordings } from '../recording/recovery.js';
import { RecordingService } from '../recording/RecordingService.js';
import { RecordingStore } from '../recording/RecordingStore.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Recording meetings (issue 22): recording/RecordingService.ts. */
    recordings: RecordingService;
    recordingStore: RecordingStore;
  }
}

/**
 * Recording, on the stores it needs. Registered last: its onClose runs first,
 * so that the results of recordings ended by the shutdown are stored before
 * Redis closes. Once the app is ready, recordings a killed predecessor left
 * are made into partial results (recovery.ts), in the background.
 */
export const recordingPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const store = new RecordingStore(app.redis, app.keys);
    const service = new RecordingService({
      config: config.recording,
      store,
      chat: app.chat,
      publish: {
        library: app.documentLibrary,
        documents: app.documents,
        chat: app.chat,
        bus: app.bus,
        timeZone: (projectId) => app.planner.timeZone(projectId),
      },
      log: app.log.child({ component: 'recording' }),
      nodeId: config.cluster.nodeId,
    });
    app.decorate('recordingStore', store);
    app.decorate('recordings', service);
    app.addHook('onReady', async () => {
      void service.track(
        recoverRecordings({
          root: config.recording.dir,
          publish: service.publishContext,
          chat: app.chat,
          log: app.log.child({ component: 'recording' }),
          running: () => false,
        }),
      );
    });
    app.addHook('onClose', async () => service.close());
  },
  { name: 'recording', dependencies: ['redis', 'projects', 'documents', 'planning'] },
);
