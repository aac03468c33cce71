/**
 * What the service worker does with each request. Pure, so that it is
 * unit-tested; sw.ts applies it.
 *
 * - 'shell': a page navigation (/, /p/…, /p/…/r/…, /i/…): the precached
 *   index.html at once, the network only while nothing is cached. A repeat
 *   visit on a site's weak link then does not wait a round trip (0.4–0.8 s
 *   there) for a page it already has, and works offline: the app shell starts
 *   and says the server is out of reach instead of the browser's dinosaur. A
 *   deployment shows from the next visit (the new worker precaches its own
 *   shell and takes over), at once if it changed the protocol
 *   (phone/outdatedShell.ts reloads the page).
 * - 'static': the build's files (hashed names under /assets/, icons,
 *   manifest): cache first; hashed files never change under one name.
 * - 'bypass': everything else goes to the network untouched, never cached:
 *   the API (/api/…, documents, thumbnails and downloads included), the
 *   WebSocket (/ws), health checks, other origins, non-GET requests.
 */
export type SwRoute = 'shell' | 'static' | 'bypass';

/** Never cached, never answered from a cache: live data, private data. */
const BYPASS_PREFIXES = ['/api/', '/ws', '/healthz', '/readyz', '/metrics'];

export function routeOf(
  request: { url: string; method: string; mode: RequestMode },
  origin: string,
  precached: ReadonlySet<string>,
): SwRoute {
  if (request.method !== 'GET') return 'bypass';
  const url = new URL(request.url);
  if (url.origin !== origin) return 'bypass';
  const path = url.pathname;
  if (path === '/api' || BYPASS_PREFIXES.some((prefix) => path.startsWith(prefix))) return 'bypass';
  if (request.mode === 'navigate') return 'shell';
  if (path.startsWith('/assets/') && !path.endsWith('.map')) return 'static';
  if (precached.has(path)) return 'static';
  return 'bypass';
}

/** The cache's name for one build: a new build gets a new cache, the old one is deleted. */
export function cacheName(precache: readonly string[]): string {
  // FNV-1a over the list: the hashed file names change with their content.
  let hash = 0x811c9dc5;
  for (const char of precache.join('\n')) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `chantier-shell-${hash.toString(16).padStart(8, '0')}`;
}
