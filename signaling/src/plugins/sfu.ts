import fp from 'fastify-plugin';
import { routeMediasoupLogs, Sfu } from '@chantier/sfu';
import type { Config } from '../config.js';

declare module 'fastify' {
  interface FastifyInstance {
    sfu: Sfu;
  }
}

/** Starts the mediasoup worker pool; closes it (and every room) on shutdown. */
export const sfuPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const log = app.log.child({ component: 'mediasoup' });
    // mediasoup logs through the `debug` module by default; its warnings and
    // errors (the workers' too) go into pino instead.
    routeMediasoupLogs(log);
    const sfu = await Sfu.create(config.sfu, log);
    app.decorate('sfu', sfu);
    app.addHook('onClose', () => sfu.close());
  },
  { name: 'sfu' },
);
