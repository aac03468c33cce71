/**
 * The app-shell service worker. Built by client/swPlugin.ts into dist/sw.js
 * (a classic script: it must import nothing at run time, the plugin checks),
 * with `__CHANTIER_PRECACHE__` replaced by the build's shell files.
 * routes.ts decides what goes where; this file only applies it.
 */
import { cacheName, routeOf } from './routes';

/** Replaced at build time by the list of the shell's paths ('/index.html', '/assets/…'). */
declare const __CHANTIER_PRECACHE__: readonly string[];

// The DOM typings have no worker scope: the little this file uses, declared here.
interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface WorkerScope {
  readonly location: Location;
  readonly caches: CacheStorage;
  skipWaiting(): Promise<void>;
  readonly clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
}

const scope = self as unknown as WorkerScope;
const PRECACHE = __CHANTIER_PRECACHE__;
const PRECACHED = new Set(PRECACHE);
const CACHE = cacheName(PRECACHE);
const SHELL = '/index.html';

scope.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await scope.caches.open(CACHE);
      // 'reload': straight from the server, not from the HTTP cache of a previous build.
      await cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload' })));
      await scope.skipWaiting();
    })(),
  );
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await scope.caches.keys()) {
        if (name.startsWith('chantier-shell-') && name !== CACHE) await scope.caches.delete(name);
      }
      await scope.clients.claim();
    })(),
  );
});

scope.addEventListener('fetch', (event) => {
  const { request } = event;
  const route = routeOf(request, scope.location.origin, PRECACHED);
  if (route === 'shell') event.respondWith(navigate(request));
  else if (route === 'static') event.respondWith(cacheFirst(request));
  // 'bypass': not answered here, the browser fetches it as if there were no worker.
});

/** The cached shell first (routes.ts says why); the network while nothing is cached (first visit, worker still installing). */
async function navigate(request: Request): Promise<Response> {
  const shell = await scope.caches.match(SHELL, { cacheName: CACHE });
  return shell ?? fetch(request);
}

/** The cached copy, else the network, keeping a copy of a build file fetched for the first time. */
async function cacheFirst(request: Request): Promise<Response> {
  const cache = await scope.caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') await cache.put(request, response.clone());
  return response;
}
