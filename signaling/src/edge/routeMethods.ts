/**
 * Which methods a path is served with: a 404 for a path some route serves
 * with other methods is a 405 with an `Allow` header (RFC 9110). Fastify's
 * router answers one method at a time, so this keeps a router of its own
 * (find-my-way, the very router Fastify uses, with the same options) over
 * the app's route table.
 */
import FindMyWay, { type HTTPMethod } from 'find-my-way';

export interface RouteLike {
  readonly method: string;
  readonly url: string;
}

export class RouteMethods {
  readonly #routes: () => readonly RouteLike[];
  readonly #maxParamLength: number;
  #router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1> | undefined;
  #methods: string[] = [];

  /** `routes`: read at the first lookup, once every route is registered. */
  constructor(routes: () => readonly RouteLike[], options: { maxParamLength: number }) {
    this.#routes = routes;
    this.#maxParamLength = options.maxParamLength;
  }

  /** The methods some route serves `url` (a request target) with, sorted; [] for a path no route serves. */
  allowed(url: string): string[] {
    const router = (this.#router ??= this.#build());
    return this.#methods.filter((method) => router.find(method as HTTPMethod, url) !== null);
  }

  #build(): FindMyWay.Instance<FindMyWay.HTTPVersion.V1> {
    const router = FindMyWay({ maxParamLength: this.#maxParamLength });
    const seen = new Set<string>();
    for (const route of this.#routes()) {
      const key = `${route.method} ${route.url}`;
      if (seen.has(key)) continue;
      seen.add(key);
      router.on(route.method as HTTPMethod, route.url, () => {});
    }
    this.#methods = [...new Set(this.#routes().map((r) => r.method))].sort();
    return router;
  }
}
