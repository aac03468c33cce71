import fastifyStatic from '@fastify/static';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { PathId } from './params.js';

/**
 * Serves the built client (client/dist). Project pages (/p/<project>) and
 * meeting links (/p/<project>/r/<room>) and invitation links (/i/<code>) are client-side routes: they get
 * index.html. The access token travels in the
 * link's fragment (#token=…), which browsers never send to the server.
 * The app-shell service worker (sw.js) and index.html are never cached by
 * HTTP, so that a deployment reaches phones at their next visit.
 *
 * Compressed: the build writes a Brotli and a gzip copy beside each text
 * file (client/compressPlugin.ts) and `preCompressed` sends the one the
 * browser accepts (Content-Encoding, `Vary: Accept-Encoding`), the plain
 * file otherwise. Precompressed rather than @fastify/compress: Brotli's best
 * level once at build time, no CPU per request.
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
  await app.register(fastifyStatic, {
    root: clientDir,
    index: ['index.html'],
    wildcard: false,
    preCompressed: true,
    setHeaders(reply, path) {
      // `path` is the file sent: index.html.br for index.html asked with Brotli.
      const name = basename(path).replace(/\.(?:br|gz)$/, '');
      if (name === 'sw.js') {
        // The browser must see a new build's worker at once, and may let it control the whole app.
        reply.header('Cache-Control', 'no-cache');
        reply.header('Service-Worker-Allowed', '/');
      } else if (name === 'index.html' || name === 'manifest.webmanifest') {
        reply.header('Cache-Control', 'no-cache');
      } else if (path.includes(`${sep}assets${sep}`)) {
        // Hashed names: a file never changes under its name.
        reply.header('Cache-Control', 'public, max-age=31536000, immutable');
      }
    },
  });
  const schema = (params: string[]) => ({
    params: Type.Object(Object.fromEntries(params.map((p) => [p, PathId]))),
    querystring: Type.Object({}, { additionalProperties: false }),
  });
  app.get('/p/:projectId', { schema: schema(['projectId']) }, async (_request, reply) => reply.sendFile('index.html'));
  app.get('/p/:projectId/r/:roomId', { schema: schema(['projectId', 'roomId']) }, async (_request, reply) => reply.sendFile('index.html'));
  // An invitation link (/i/<code>): the page asks the API what the code opens.
  app.get('/i/:code', { schema: schema(['code']) }, async (_request, reply) => reply.sendFile('index.html'));
}
