import fp from 'fastify-plugin';
import * as mediasoup from 'mediasoup';
import { Sfu } from '@chantier/sfu';
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
    // mediasoup logs through the `debug` module by default; route its warnings
    // and errors into pino instead (debug lines are per packet: dropped).
    mediasoup.setLogEventListeners({
      onwarn: (namespace, log_) => log.warn({ namespace }, log_),
      onerror: (namespace, log_, error) => log.error({ namespace, err: error }, log_),
    });
    const sfu = await Sfu.create(config.sfu, log);
    app.decorate('sfu', sfu);
    app.addHook('onClose', () => sfu.close());
  },
  { name: 'sfu' },
);
