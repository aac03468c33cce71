import type { FastifyInstance } from 'fastify';

/** Liveness (the process answers) and readiness (Redis and a media worker are up). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const workers = app.sfu.pool.slots.filter((s) => !s.worker.closed).length;
    let redis = false;
    try {
      redis = (await app.redis.ping()) === 'PONG';
    } catch {
      redis = false;
    }
    const ready = redis && workers > 0;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', redis, workers });
  });
}
