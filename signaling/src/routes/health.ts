import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/** These routes read nothing from the request. */
const schema = { querystring: Type.Object({}, { additionalProperties: false }) };

/** Liveness (the process answers) and readiness (Redis, a media worker and, when embedded, coturn are up). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema }, async (_request, reply) => {
    const workers = app.sfu.pool.slots.filter((s) => !s.worker.closed).length;
    let redis = false;
    try {
      redis = (await app.redis.ping()) === 'PONG';
    } catch {
      redis = false;
    }
    const turn = await app.turn.status();
    // An embedded coturn is this process's own part: down means not ready. An
    // external one is reported but not required: taking this node out of a
    // load balancer would help nobody while meetings on open networks work.
    const ready = redis && workers > 0 && !(turn.mode === 'embedded' && turn.state === 'down');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', redis, workers, turn });
  });
}
