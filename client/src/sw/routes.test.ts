import { describe, expect, it } from 'vitest';
import { cacheName, routeOf } from './routes';

const ORIGIN = 'https://chantier.example';
const PRECACHED = new Set(['/index.html', '/manifest.webmanifest', '/icons/icon-192.png', '/assets/index-abc.js']);
const get = (path: string, mode: RequestMode = 'cors', method = 'GET') => routeOf({ url: ORIGIN + path, method, mode }, ORIGIN, PRECACHED);

describe('routeOf', () => {
  it('serves page navigations from the cached shell, meeting links included', () => {
    expect(get('/', 'navigate')).toBe('shell');
    expect(get('/p/tour-b/r/reunion?lang=en', 'navigate')).toBe('shell');
    // Invitation links are pages too; what they open is asked of the API, never cached.
    expect(get('/i/Ab_9-xYz0123456789012345', 'navigate')).toBe('shell');
    expect(get('/api/invitations/Ab_9-xYz0123456789012345')).toBe('bypass');
    expect(get('/api/invitations/Ab_9-xYz0123456789012345/accept', 'cors', 'POST')).toBe('bypass');
  });

  it('never caches the API, documents, thumbnails, the socket or health checks', () => {
    expect(get('/api/projects/p1/documents/d1/thumbnail')).toBe('bypass');
    expect(get('/api/projects/p1/documents/d1/download', 'navigate')).toBe('bypass');
    expect(get('/api/projects/p1/chat')).toBe('bypass');
    expect(get('/ws', 'websocket' as RequestMode)).toBe('bypass');
    expect(get('/healthz')).toBe('bypass');
    expect(get('/api')).toBe('bypass');
  });

  it('serves the build files from the cache, not their source maps', () => {
    expect(get('/assets/index-abc.js', 'no-cors')).toBe('static');
    expect(get('/assets/pdf.worker.min-xyz.mjs')).toBe('static'); // lazy chunk: cached on first use
    expect(get('/assets/index-abc.js.map')).toBe('bypass');
    expect(get('/icons/icon-192.png')).toBe('static');
    expect(get('/manifest.webmanifest')).toBe('static');
  });

  it('leaves other origins and non-GET requests alone', () => {
    expect(routeOf({ url: 'https://cdn.example/x.js', method: 'GET', mode: 'no-cors' }, ORIGIN, PRECACHED)).toBe('bypass');
    expect(get('/api/projects/p1/documents', 'cors', 'POST')).toBe('bypass');
    expect(get('/assets/index-abc.js', 'cors', 'HEAD')).toBe('bypass');
  });
});

describe('cacheName', () => {
  it('changes with the build and is stable for one build', () => {
    const a = cacheName(['/index.html', '/assets/index-abc.js']);
    expect(a).toMatch(/^chantier-shell-[0-9a-f]{8}$/);
    expect(cacheName(['/index.html', '/assets/index-abc.js'])).toBe(a);
    expect(cacheName(['/index.html', '/assets/index-abd.js'])).not.toBe(a);
  });
});
