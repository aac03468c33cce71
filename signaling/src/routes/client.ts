import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Serves the built client (client/dist). Project pages (/p/<project>) and
 * meeting links (/p/<project>/r/<room>) are client-side routes: they get
 * index.html. The access token travels in the
 * link's fragment (#token=…), which browsers never send to the server.
 */
export async function clientRoutes(app: FastifyInstance, { clientDir }: { clientDir: string }): Promise<void> {
  const index = join(clientDir, 'index.html');
  if (!existsSync(index)) {
    app.log.warn({ clientDir }, 'client is not built (npm run setup builds it)');
    app.get('/', async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('Client not built: run `npm run setup`.\n'),
    );
    return;
  }
  await app.register(fastifyStatic, { root: clientDir, index: ['index.html'], wildcard: false });
  app.get('/p/:projectId', async (_request, reply) => reply.sendFile('index.html'));
  app.get('/p/:projectId/r/:roomId', async (_request, reply) => reply.sendFile('index.html'));
}
