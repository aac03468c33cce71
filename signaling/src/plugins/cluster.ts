import fp from 'fastify-plugin';
import { MeetingStateStore } from '../cluster/MeetingState.js';
import { NodeRegistry } from '../cluster/NodeRegistry.js';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    nodes: NodeRegistry;
    meetingState: MeetingStateStore;
  }
}

/**
 * This node in the cluster (several processes on one Redis): announced at
 * start, its liveness renewed, withdrawn on clean shutdown. See
 * cluster/NodeRegistry.ts. Registered after redis: its onClose runs first.
 */
export const clusterPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const nodes = new NodeRegistry({
      redis: app.redis,
      keys: app.keys,
      log: app.log.child({ component: 'cluster' }),
      nodeId: config.cluster.nodeId,
      url: config.cluster.nodeUrl,
      // app.rooms is decorated after this plugin; read when the heartbeat runs.
      held: () => (app.hasDecorator('rooms') ? app.rooms.held() : []),
    });
    await nodes.start();
    app.decorate('nodes', nodes);
    const onRestored = (): void => {
      nodes.renewNow().catch((error: unknown) => app.log.warn({ err: error }, 'node liveness not renewed after the outage'));
    };
    app.redisLink.on('restored', onRestored);
    app.decorate('meetingState', new MeetingStateStore(app.redis, app.keys));
    app.addHook('onClose', async () => {
      app.redisLink.off('restored', onRestored);
      // Rooms closed in preClose; their releases may still be on their way.
      if (app.hasDecorator('rooms')) await app.rooms.settled();
      await nodes.stop().catch((error: unknown) => app.log.warn({ err: error }, 'node not withdrawn'));
    });
  },
  { name: 'cluster', dependencies: ['redis'] },
);
