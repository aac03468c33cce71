/**
 * The built client as a phone gets it (routes/client.ts over the real build
 * of client/dist, which the build precompresses): the bytes decoded from
 * Brotli, from gzip, and sent plain are the file's, with the right
 * Content-Encoding, `Vary: Accept-Encoding` and caching headers (hashed
 * assets immutable, index.html and sw.js no-cache, also when compressed);
 * HEAD and byte ranges stay right.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIN_BYTES } from '../../client/compressPlugin.js';
import { useTestApp } from '../../test/useTestApp.js';

const { app: t } = useTestApp({ MEDIASOUP_WORKERS: '1' });
let dist: string;
/** The entry script and stylesheet index.html loads (/assets/…). */
let entries: string[];

beforeAll(async () => {
  dist = t.config.clientDir;
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  entries = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
});

const get = (url: string, acceptEncoding?: string, extra: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { ...(acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding }), ...extra } });

/** The body as sent, decoded per its Content-Encoding. */
function decoded(response: LightMyRequestResponse): Buffer {
  const raw = response.rawPayload;
  switch (response.headers['content-encoding']) {
    case 'br':
      return brotliDecompressSync(raw);
    case 'gzip':
      return gunzipSync(raw);
    case undefined:
      return raw;
    default:
      throw new Error(`unexpected encoding ${String(response.headers['content-encoding'])}`);
  }
}

const varies = (response: LightMyRequestResponse): string[] =>
  String(response.headers.vary ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase());

describe('compressed client files', () => {
  it('finds the entry script and stylesheet in the build', () => {
    expect(entries.some((e) => e.endsWith('.js'))).toBe(true);
    expect(entries.some((e) => e.endsWith('.css'))).toBe(true);
  });

  it.each([
    ['br, gzip', 'br'],
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['identity', undefined],
    [undefined, undefined],
  ])('Accept-Encoding %s: sent as %s, decoding to the file, immutable', async (accept, encoding) => {
    for (const path of entries) {
      const file = readFileSync(join(dist, path));
      const response = await get(path, accept);
      expect(response.statusCode, path).toBe(200);
      // Files too small to gain from it are not precompressed (client/compressPlugin.ts) and go as they are.
      expect(response.headers['content-encoding'], path).toBe(file.length < MIN_BYTES ? undefined : encoding);
      expect(varies(response), path).toContain('accept-encoding');
      expect(response.headers['cache-control'], path).toBe('public, max-age=31536000, immutable');
      expect(String(response.headers['content-type']), path).toMatch(path.endsWith('.js') ? /javascript/ : /^text\/css/);
      expect(Number(response.headers['content-length']), path).toBe(response.rawPayload.length);
      expect(decoded(response).equals(file), path).toBe(true);
      // Compressed: smaller, and under half for files big enough to matter (small ones carry little to squeeze).
      if (encoding && file.length >= MIN_BYTES) expect(response.rawPayload.length, path).toBeLessThan(file.length >= 4096 ? file.length / 2 : file.length);
    }
  });

  it('sends index.html compressed and uncached, at / and at a meeting link', async () => {
    const file = readFileSync(join(dist, 'index.html'));
    for (const url of ['/', '/index.html', '/p/chantier-1/r/reunion', '/i/code-1']) {
      for (const [accept, encoding] of [['br', 'br'], ['gzip', 'gzip'], ['identity', undefined]] as const) {
        const response = await get(url, accept);
        expect(response.statusCode, url).toBe(200);
        expect(response.headers['content-encoding'], `${url} ${accept}`).toBe(encoding);
        expect(response.headers['cache-control'], `${url} ${accept}`).toBe('no-cache');
        expect(String(response.headers['content-type'])).toMatch(/^text\/html/);
        expect(varies(response)).toContain('accept-encoding');
        expect(decoded(response).equals(file), `${url} ${accept}`).toBe(true);
      }
    }
  });

  it('sends the service worker compressed, uncached, allowed at /', async () => {
    const response = await get('/sw.js', 'br');
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['service-worker-allowed']).toBe('/');
    expect(decoded(response).equals(readFileSync(join(dist, 'sw.js')))).toBe(true);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const path = entries.find((e) => e.endsWith('.js'))!;
    for (const accept of ['br', 'gzip', 'identity']) {
      const [head, full] = await Promise.all([t.app.inject({ method: 'HEAD', url: path, headers: { 'accept-encoding': accept } }), get(path, accept)]);
      expect(head.statusCode).toBe(200);
      expect(head.rawPayload.length).toBe(0);
      for (const name of ['content-encoding', 'content-length', 'content-type', 'cache-control', 'vary', 'etag']) {
        expect(head.headers[name], `${accept} ${name}`).toEqual(full.headers[name]);
      }
    }
  });

  it('serves byte ranges of the representation sent (RFC 9110: the encoded bytes)', async () => {
    const path = entries.find((e) => e.endsWith('.js'))!;
    for (const accept of ['br', 'gzip', 'identity']) {
      const full = await get(path, accept);
      const whole = full.rawPayload;
      const range = await get(path, accept, { range: 'bytes=100-1123' });
      expect(range.statusCode, accept).toBe(206);
      expect(range.headers['content-encoding'], accept).toBe(full.headers['content-encoding']);
      expect(range.headers['content-range'], accept).toBe(`bytes 100-1123/${whole.length}`);
      expect(range.rawPayload.equals(whole.subarray(100, 1124)), accept).toBe(true);
      const tail = await get(path, accept, { range: 'bytes=-10' });
      expect(tail.rawPayload.equals(whole.subarray(whole.length - 10)), accept).toBe(true);
      // A range past the end of the representation sent: unsatisfiable.
      const past = await get(path, accept, { range: `bytes=${whole.length + 10}-` });
      expect(past.statusCode, accept).toBe(416);
    }
  });

  it('lets a revalidation of a compressed file answer 304', async () => {
    const path = entries.find((e) => e.endsWith('.css'))!;
    const first = await get(path, 'br');
    const etag = String(first.headers.etag);
    expect(etag).toBeTruthy();
    // Each representation has its own validator: the plain file's is not the Brotli one's.
    expect((await get(path, 'identity')).headers.etag).not.toBe(etag);
    const again = await get(path, 'br', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });
});
