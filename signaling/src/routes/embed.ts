import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/** Reads nothing from the request. */
const schema = { querystring: Type.Object({}, { additionalProperties: false }) };

/**
 * GET /api/embed → {origins: [...]}: the pages allowed to embed the client
 * in an iframe and hand it fresh access tokens by postMessage (EMBED_ORIGINS).
 * Public: it tells which parent the client may listen to, nothing secret.
 * Only an embedded client asks (window.parent !== window).
 */
export async function embedRoutes(app: FastifyInstance, { origins }: { origins: readonly string[] }): Promise<void> {
  app.get('/api/embed', { schema }, async (_request, reply) => {
    reply.header('Cache-Control', 'no-cache');
    return { origins };
  });
}
