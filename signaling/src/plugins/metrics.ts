import fp from 'fastify-plugin';
import { Metrics } from '../metrics/Metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry (GET /metrics, routes/metrics.ts). */
    metrics: Metrics;
  }
}

/**
 * Owns the app's metrics. The gauges read the rooms, the sessions and the
 * SFU at scrape time: those are decorated later (rooms, ws), hence a getter.
 */
export const metricsPlugin = fp(
  async (app) => {
    const metrics = new Metrics(() => ({ sfu: app.sfu, rooms: app.rooms, sessions: app.sessions, nodes: app.nodes }));
    app.decorate('metrics', metrics);
    app.addHook('onClose', () => metrics.close());
  },
  { name: 'metrics' },
);
