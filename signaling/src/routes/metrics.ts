import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors.js';
import { AUTH_FAILURE_DELAY_MS, bearer, isSecret } from '../plugins/auth.js';
import { ErrorCode } from '../protocol/index.js';

/** Reads nothing from the request but its Authorization header. */
const schema = { querystring: Type.Object({}, { additionalProperties: false }) };

/**
 * GET /metrics: Prometheus exposition text, for the bearer of METRICS_TOKEN
 * only (a scraper's `authorization` setting). Unset: the route answers
 * NOT_FOUND, metrics are off. Access tokens of people, the admin token
 * included, are not it: what a node carries is the operator's business.
 */
export async function metricsRoutes(app: FastifyInstance, { token }: { token: string | undefined }): Promise<void> {
  app.get('/metrics', { schema }, async (request, reply) => {
    if (!token) throw new AppError(ErrorCode.NOT_FOUND, 'metrics are off (METRICS_TOKEN is not set)');
    if (!isSecret(bearer(request) ?? '', token)) {
      await sleep(AUTH_FAILURE_DELAY_MS);
      throw new AppError(ErrorCode.UNAUTHORIZED, 'the metrics token is required');
    }
    const text = await app.metrics.metrics();
    return reply.header('content-type', app.metrics.contentType).header('cache-control', 'no-store').send(text);
  });
}
