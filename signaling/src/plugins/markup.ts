import fp from 'fastify-plugin';
import { MarkupService } from '../markup/MarkupService.js';
import { MarkupStore } from '../store/markup.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Marks on presented documents (handlers/markup.ts). */
    markup: MarkupService;
  }
}

/** Markup's store in Redis and its per-node state (markup/MarkupService.ts). */
export const markupPlugin = fp(
  async (app) => {
    app.decorate('markup', new MarkupService(new MarkupStore(app.redis, app.keys)));
  },
  { name: 'markup', dependencies: ['redis'] },
);
