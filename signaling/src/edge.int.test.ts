/**
 * The hardened edge on the real app (plugins/edge.ts): security headers and
 * the client's Content-Security-Policy, the WebSocket's Origin check and
 * per-IP caps, per-IP limits of the HTTP API, uploads, joins and chat, a
 * schema on every route, and no token in any log line.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../../test/app.js';
import { testConfig } from '../../test/config.js';
import { deviceRtpCapabilities } from '../../test/fakeMedia.js';
import { TestClient } from '../../test/TestClient.js';
import { buildApp, redactQuery } from './app.js';
import { mintAccessToken } from './auth/tokens.js';
import { minimalPdf } from './documents/fixtures.js';
import { unboundedParts } from './edge/bounds.js';
import { ErrorCode, PROTOCOL_VERSION } from './protocol/index.js';
import { LONGEST_PATH_PARAMETER } from './routes/params.js';

const PROJECT = 'p1';

/** Opens a WebSocket with the given headers: its status when refused at the upgrade, 101 when opened. */
async function upgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string; ws?: WebSocket }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ status: 101, headers: {}, body: '', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      // The server ends the connection after its answer (else this would never come).
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    ws.once('error', (error) => reject(error));
  });
}

async function closeSocket(ws: WebSocket | undefined): Promise<void> {
  if (!ws || ws.readyState === WebSocket.CLOSED) return;
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}

/** Polls until `condition` holds; fails after `timeoutMs`. */
async function eventually(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function directives(csp: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

async function helloClient(app: TestApp, roomId?: string) {
  const c = await TestClient.connect(app.url);
  const token = await app.token({ projectId: PROJECT });
  const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, ...(roomId ? { roomId } : {}) });
  return { c, hello };
}

describe('security headers and the Content-Security-Policy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the client pages under a strict policy that lets their own WebSocket through', async () => {
    const host = new URL(t.url).host;
    for (const path of ['/', `/p/${PROJECT}`, `/p/${PROJECT}/r/reunion?audio=1&join=1`]) {
      const response = await fetch(`${t.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = directives(response.headers.get('content-security-policy'));
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'"]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
      expect(csp.get('img-src')).toEqual(["'self'", 'blob:', 'data:']);
      expect(csp.get('media-src')).toEqual(["'self'", 'blob:']);
      expect(csp.get('worker-src')).toEqual(["'self'", 'blob:']);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      // Plain http here: no upgrade of subresources, no HSTS.
      expect(csp.has('upgrade-insecure-requests')).toBe(false);
      expect(response.headers.get('strict-transport-security')).toBeNull();
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('permissions-policy')).toContain('camera=(self)');
      expect(response.headers.get('permissions-policy')).toContain('microphone=(self)');
      expect(response.headers.get('permissions-policy')).toContain('display-capture=(self)');
      expect(response.headers.get('permissions-policy')).toContain('geolocation=()');
    }
  });

  it('has no inline script in the built page, which script-src would block', async () => {
    const html = await (await fetch(`${t.url}/`)).text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\//);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+="/i);
  });

  it('puts the same headers on API answers, errors included, and the sandbox on user content', async () => {
    const refused = await fetch(`${t.url}/api/projects/${PROJECT}/documents`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    expect(refused.headers.get('referrer-policy')).toBe('no-referrer');
    expect(refused.headers.get('content-security-policy')).toContain("default-src 'self'");

    const authorization = `Bearer ${await t.token({ projectId: PROJECT })}`;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(minimalPdf('edge'))], { type: 'application/pdf' }), 'plan.pdf');
    const created = await fetch(`${t.url}/api/projects/${PROJECT}/documents`, { method: 'POST', headers: { authorization }, body: form });
    expect(created.status).toBe(201);
    const { document } = (await created.json()) as { document: { documentId: string } };
    const download = await fetch(`${t.url}/api/projects/${PROJECT}/documents/${document.documentId}/download?inline=1`, { headers: { authorization } });
    expect(download.status).toBe(200);
    // One policy, the route's: user bytes rendered as a page would run nothing.
    expect(download.headers.get('content-security-policy')).toBe('sandbox');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    await download.arrayBuffer();
  });
});

describe('an https deployment embedded by a platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL: 'https://chantier.example.org', EMBED_ORIGINS: 'https://platform.example.com, https://erp.example.net:8443' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends HSTS, upgrades subresources and lets only the listed origins frame the client', async () => {
    const response = await fetch(`${t.url}/`);
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('frame-ancestors')).toEqual(['https://platform.example.com', 'https://erp.example.net:8443']);
    expect(csp.has('upgrade-insecure-requests')).toBe(true);
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=31536000/);
    // X-Frame-Options cannot name origins: frame-ancestors alone decides.
    expect(response.headers.get('x-frame-options')).toBeNull();
    // The platform may open the client in a window of its own and talk to it.
    expect(response.headers.get('cross-origin-opener-policy')).toBeNull();
  });

  it('opens the WebSocket from its own origin, an embedder or a client without Origin; refuses others before any message', async () => {
    const host = new URL(t.url).host;
    for (const origin of ['https://chantier.example.org', 'https://platform.example.com', 'https://erp.example.net:8443', `http://${host}`, undefined]) {
      const result = await upgrade(t.url, origin ? { origin } : {});
      expect(result.status, String(origin)).toBe(101);
      await closeSocket(result.ws);
    }
    for (const origin of ['https://evil.example.com', 'https://platform.example.com.evil.net', 'http://platform.example.com', 'null', 'not a url']) {
      const result = await upgrade(t.url, { origin });
      expect(result.status, origin).toBe(403);
      expect(JSON.parse(result.body)).toEqual({ error: { code: ErrorCode.FORBIDDEN, message: expect.any(String) } });
    }
  });
});

describe('per-IP limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ WS_CONNECTIONS_PER_IP: '3', WS_CONNECTS_PER_MINUTE: '6' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('caps open sockets and new sockets per minute at the upgrade, with 429 and Retry-After', async () => {
    const open: WebSocket[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await upgrade(t.url);
      expect(result.status).toBe(101);
      open.push(result.ws!);
    }
    const fourth = await upgrade(t.url);
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(fourth.body).error.code).toBe(ErrorCode.RATE_LIMITED);

    // A closed socket frees its place (5th connect of the minute).
    await closeSocket(open.pop());
    let fifth: Awaited<ReturnType<typeof upgrade>> | undefined;
    await eventually(async () => {
      fifth = await upgrade(t.url);
      return fifth.status === 101;
    }, 'a place after a socket closed');
    open.push(fifth!.ws!);
    await Promise.all(open.map(closeSocket));
    // Four connects counted so far (refusals for too many open sockets take
    // nothing): two more open, then the minute's allowance is spent. Until the
    // server has seen the closes, an attempt may still find every place taken.
    const opened: WebSocket[] = [];
    let last: Awaited<ReturnType<typeof upgrade>> | undefined;
    await eventually(async () => {
      last = await upgrade(t.url);
      if (last.status === 101) opened.push(last.ws!);
      return last.status === 429 && last.body.includes('new connections');
    }, 'the per-minute limit');
    expect(opened.length).toBe(2);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(last!.headers['retry-after'])).toBeLessThanOrEqual(10);
    await Promise.all(opened.map(closeSocket));
  });
});

describe('per-IP limits of the HTTP API and of WebSocket requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      HTTP_REQUESTS_PER_MINUTE: '6',
      UPLOADS_PER_MINUTE: '2',
      JOINS_PER_MINUTE: '2',
      CHAT_MESSAGES_PER_MINUTE_PER_IP: '3',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers the API with 429, RATE_LIMITED and Retry-After past the limit, unauthenticated requests counted; static files and health are not limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${t.url}/api/projects/${PROJECT}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    const limited = await fetch(`${t.url}/api/projects/${PROJECT}`, { headers: { authorization: `Bearer ${await t.token({ projectId: PROJECT })}` } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.RATE_LIMITED);
    for (let i = 0; i < 10; i++) {
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${t.url}/`)).status).toBe(200);
    }
  });

  it('counts an IPv6 client by its /64 and an IPv4 client by its address (behind a trusted proxy), on the API and the WebSocket', async () => {
    const u = await startTestApp({ TRUST_PROXY: 'true', HTTP_REQUESTS_PER_MINUTE: '3', WS_CONNECTS_PER_MINUTE: '3' });
    const sockets: (WebSocket | undefined)[] = [];
    try {
      const sameSubnet = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:abcd::3', '2001:db8:1:2:ffff:ffff:ffff:ffff'];
      // HTTP (@fastify/rate-limit groups IPv6 by /64 itself).
      const from = async (ip: string) => (await fetch(`${u.url}/api/projects/${PROJECT}`, { headers: { 'x-forwarded-for': ip } })).status;
      const statuses = [];
      for (const ip of sameSubnet) statuses.push(await from(ip));
      expect(statuses).toEqual([401, 401, 401, 429]);
      expect(await from('2001:db8:1:3::1')).toBe(401);
      for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4']) expect(await from(ip)).toBe(401);
      // WebSocket upgrades (our own limits): four addresses of one /64 are one client.
      const upgrades = [];
      for (const ip of sameSubnet) {
        const opened = await upgrade(u.url, { 'x-forwarded-for': ip });
        sockets.push(opened.ws);
        upgrades.push(opened.status);
      }
      expect(upgrades).toEqual([101, 101, 101, 429]);
      const other = await upgrade(u.url, { 'x-forwarded-for': '2001:db8:1:3::1' });
      sockets.push(other.ws);
      expect(other.status).toBe(101);
    } finally {
      await Promise.all(sockets.map(closeSocket));
      await u.close();
    }
  });

  it('limits uploads more strictly than the rest of the API', async () => {
    // A fresh app: the API allowance of the test above is spent.
    const u = await startTestApp({ UPLOADS_PER_MINUTE: '2' });
    try {
      const authorization = `Bearer ${await u.token({ projectId: PROJECT })}`;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(minimalPdf(`upload ${i}`))]), `plan-${i}.pdf`);
        const response = await fetch(`${u.url}/api/projects/${PROJECT}/documents`, { method: 'POST', headers: { authorization }, body: form });
        statuses.push(response.status);
        if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        await response.arrayBuffer();
      }
      expect(statuses).toEqual([201, 201, 429]);
      // The rest of the API is still open.
      expect((await fetch(`${u.url}/api/projects/${PROJECT}/documents`, { headers: { authorization } })).status).toBe(200);
    } finally {
      await u.close();
    }
  });

  it('limits joins and chat messages per address over all of its sockets', async () => {
    const clients: TestClient[] = [];
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const { c, hello } = await helloClient(t, 'salle');
        clients.push(c);
        const rtpCapabilities = deviceRtpCapabilities(hello.routerRtpCapabilities!);
        try {
          await c.request('join', { rtpCapabilities });
          outcomes.push('joined');
        } catch (error) {
          outcomes.push((error as { code?: string }).code ?? String(error));
        }
      }
      expect(outcomes).toEqual(['joined', 'joined', ErrorCode.RATE_LIMITED]);

      const chat: string[] = [];
      for (let i = 0; i < 4; i++) {
        const c = clients[i % 2]!;
        try {
          await c.request('chatSend', { clientMessageId: `edge-chat-${i}`, text: `message ${i}` });
          chat.push('sent');
        } catch (error) {
          chat.push((error as { code?: string }).code ?? String(error));
        }
      }
      expect(chat).toEqual(['sent', 'sent', 'sent', ErrorCode.RATE_LIMITED]);
      for (const c of clients) expect(c.violations).toEqual([]);
    } finally {
      for (const c of clients) c.ws.close();
    }
  });
});

describe('routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Routes whose body is not JSON and is limited elsewhere, with the reason. */
  const BODY_CHECKED_ELSEWHERE: Record<string, string> = {
    'POST /api/projects/:projectId/documents': 'multipart: @fastify/multipart limits (one file, maxUploadBytes, 10 fields of 1 KiB) and magic bytes',
    'POST /api/projects/:projectId/meetings/feed': 'takes no body (an empty POST makes the caller a new feed URL); one sent is bounded by bodyLimit and never read',
    'PUT /api/projects/:projectId/meetings/:roomId/screens/:producerId/still':
      'the picture itself: bytes bounded by the route\'s bodyLimit (MAX_STILL_BYTES), typed by their signature (rooms/ScreenStills.ts)',
  };

  it('every route declares a schema; parameters, query and body are bounded', () => {
    const table = t.app.routeTable;
    expect(table.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const route of table) {
      const name = `${route.method} ${route.url}`;
      // The client's files (@fastify/static): fixed paths, no parameters, nothing parsed.
      if (route.staticFile) continue;
      const schema = route.schema as Record<string, unknown> | undefined;
      if (!schema || (!schema.params && !schema.querystring && !schema.body)) {
        problems.push(`${name}: no schema for its input`);
        continue;
      }
      const params = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
      const declared = Object.keys(((schema.params as { properties?: object } | undefined)?.properties ?? {}) as object);
      for (const p of params) if (!declared.includes(p)) problems.push(`${name}: parameter ${p} has no schema`);
      // The router's parameter limit comes from routes/params.ts: a longer bound elsewhere would be cut at 414.
      for (const [p, sub] of Object.entries(((schema.params as { properties?: Record<string, { maxLength?: number }> } | undefined)?.properties ?? {}))) {
        if ((sub.maxLength ?? Infinity) > LONGEST_PATH_PARAMETER) problems.push(`${name}: parameter ${p} may be longer than routes/params.ts's longest (${LONGEST_PATH_PARAMETER})`);
      }
      if (['POST', 'PUT', 'PATCH'].includes(route.method) && !schema.body && !BODY_CHECKED_ELSEWHERE[name]) {
        problems.push(`${name}: no body schema`);
      }
      for (const part of ['params', 'querystring', 'body', 'headers'] as const) {
        for (const p of unboundedParts(schema[part])) problems.push(`${name}: ${part}${p} is not bounded`);
      }
    }
    expect(problems).toEqual([]);
    // The registry sees the routes a test must see: the WebSocket and the client's routes included.
    expect(table.some((r) => r.url === '/ws' && r.websocket)).toBe(true);
    expect(table.some((r) => r.url === '/p/:projectId/r/:roomId')).toBe(true);
    expect(table.some((r) => r.staticFile && r.url === '/index.html')).toBe(true);
  });

  it('refuses parameters beyond their limits before any handler runs', async () => {
    const authorization = `Bearer ${await t.token({ projectId: PROJECT })}`;
    const long = 'a'.repeat(65);
    const response = await fetch(`${t.url}/api/projects/${long}/documents`, { headers: { authorization } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.BAD_REQUEST);
    expect((await fetch(`${t.url}/p/${long}`)).status).toBe(400);
  });
});

describe('tokens never logged', () => {
  it('redacts token-like query parameters in request lines', () => {
    expect(redactQuery('/api/x?token=abc.def&limit=5')).toBe('/api/x?token=[redacted]&limit=5');
    expect(redactQuery('/p/x?access_token=abc#y')).toBe('/p/x?access_token=[redacted]#[redacted]');
  });

  it('writes no token in any log line at trace level, through hello, join, chat, uploads, refused tokens and query strings', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = testConfig({ LOG_LEVEL: 'trace' });
    const app: FastifyInstance = await buildApp(config, { logStream: stream });
    await app.listen({ host: config.host, port: 0 });
    const url = `http://${config.host}:${(app.server.address() as AddressInfo).port}`;
    const secrets: string[] = [];
    const mint = async (userId: string, secret = config.jwtSecret): Promise<string> => {
      const token = await mintAccessToken({ userId, displayName: 'Log', projectId: PROJECT, role: 'owner' }, secret);
      secrets.push(token);
      return token;
    };
    try {
      // A meeting: hello, join, chat.
      const c = await TestClient.connect(url);
      const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token: await mint('u-log'), projectId: PROJECT, roomId: 'salle' });
      await c.request('join', { rtpCapabilities: deviceRtpCapabilities(hello.routerRtpCapabilities!) });
      await c.request('chatSend', { clientMessageId: 'log-chat-1', text: 'bonjour' });
      // Refused tokens: a forged one and a token of another project, over WebSocket and HTTP.
      const forged = await TestClient.connect(url);
      await forged.expectError(forged.request('hello', { protocol: PROTOCOL_VERSION, token: await mint('u-forged', 'another-secret-another-secret-0123456789'), projectId: PROJECT }));
      const garbage = 'eyJhbGciOiJIUzI1NiJ9.not-a-payload.' + 'x'.repeat(40);
      secrets.push(garbage);
      const bad = await TestClient.connect(url);
      await bad.expectError(bad.request('hello', { protocol: PROTOCOL_VERSION, token: garbage, projectId: PROJECT }));
      // A malformed hello whose token field is wrong in another way (an envelope error).
      const malformed = await TestClient.connect(url);
      await malformed.expectError(malformed.rawRequest('hello', { protocol: PROTOCOL_VERSION, token: garbage, projectId: 'bad project id!' }));
      // HTTP: an upload with a bearer token, a refused bearer, a token in a query string.
      const authorization = `Bearer ${await mint('u-upload')}`;
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(minimalPdf('log'))]), 'plan.pdf');
      expect((await fetch(`${url}/api/projects/${PROJECT}/documents`, { method: 'POST', headers: { authorization }, body: form })).status).toBe(201);
      expect((await fetch(`${url}/api/projects/${PROJECT}`, { headers: { authorization: `Bearer ${garbage}` } })).status).toBe(401);
      const queryToken = await mint('u-query');
      expect((await fetch(`${url}/api/projects/${PROJECT}/documents?token=${queryToken}`, { headers: { authorization } })).status).toBe(200);
      expect((await fetch(`${url}/p/${PROJECT}/r/salle?access_token=${queryToken}`)).status).toBe(200);
      for (const client of [c, forged, bad, malformed]) client.ws.close();
      await eventually(() => lines.some((l) => l.includes('"socket closed"')), 'the sockets to close');
    } finally {
      await app.close();
    }
    const log = lines.join('');
    // The log did record these events (so the assertion below means something)...
    expect(log).toContain('hello refused');
    expect(log).toContain('/documents?token=[redacted]');
    expect(log).toContain('incoming request');
    // ...and no token, nor its claims or signature (the first part, the JOSE header, is the same in every token).
    for (const token of secrets) {
      for (const part of [token, ...token.split('.').slice(1).filter((p) => p.length >= 16)]) expect(log).not.toContain(part);
    }
  });
});
