/**
 * Store-level fuzz (issue 16): every value a request schema accepts reaches
 * the stores, against the real app and a real Redis, without an INTERNAL
 * answer (WebSocket) or a 5xx (HTTP). The WebSocket fuzz (test/fuzz.int.test.ts)
 * throws frames at the boundary; this one goes through it, with values made
 * from the schemas themselves (test/fuzz/schemaArbitrary.ts): at and inside
 * every bound, patterns, stream ids up to 2^64 - 1, realistic ids mixed in
 * (a real document, real messages, a real call) so that requests get past
 * "not found", and values just past a bound, which must be BAD_REQUEST.
 *
 * - WebSocket: each request type that reaches Redis (chat, calls,
 *   presentations, moderation and the meeting's state, hello: presence,
 *   project members, unread counts), 200 runs each, on a joined meeting
 *   socket (a project page's for calls; a fresh socket per hello).
 * - HTTP: every /api route of the route registry whose schema says what it
 *   takes (the upload's multipart body is the HTTP fuzz's), 50 runs each (FUZZ_HTTP_RUNS),
 *   with the admin token (any project id reaches the stores) or an owner's.
 *
 * Seeded: FUZZ_SEED=<n> replays a run (default fixed); fast-check prints the
 * seed and the failing value's path on failure.
 */
import { randomBytes } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minimalPdf } from '../../signaling/src/documents/fixtures.js';
import { mintAccessToken } from '../../signaling/src/auth/tokens.js';
import { ErrorCode, errorCodes, Requests, type RequestType } from '../../signaling/src/protocol/index.js';
import { startTestApp, type TestApp } from '../app.js';
import { deviceRtpCapabilities } from '../fakeMedia.js';
import { helloSession, type HelloSession } from '../session.js';
import { RequestFailed, TestClient } from '../TestClient.js';
import { invalid, valid, type Hints } from './schemaArbitrary.js';

const SEED = process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== '' ? Number(process.env.FUZZ_SEED) | 0 : 16_016;
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/**
 * Per HTTP route: the 20,000 requests of the HTTP fuzz test (test/httpFuzz.int.test.ts)
 * already cover every route's bounds and shapes; here, values the schemas accept reaching
 * the stores. 50 runs per route keep the file near half a minute (200 took 150 s).
 */
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 50);
const PROJECT = 'fuzz-stores';
const ROOM = 'reunion';
const ADMIN_TOKEN = 'admin-token-of-the-store-fuzz-0123456789abcdef';

/** Requests that reach the stores, and the socket each is sent on. */
const WS_TYPES = {
  chatSend: 'meeting',
  chatHistory: 'meeting',
  chatMarkRead: 'meeting',
  presentStart: 'meeting',
  presentUpdate: 'meeting',
  presentStop: 'meeting',
  setRoomPolicy: 'meeting',
  moderate: 'meeting',
  admit: 'meeting',
  callStart: 'page',
  callAnswer: 'page',
  callCancel: 'page',
} as const satisfies Partial<Record<RequestType, 'meeting' | 'page'>>;

let t: TestApp;
let owner: string;
let meeting: HelloSession;
let page: HelloSession;
let other: HelloSession;
const hints: Record<string, unknown[]> = {};
const sockets: TestClient[] = [];
const counts: Record<string, { ok: number; refused: Record<string, number> }> = {};

function count(what: string, code: string | undefined): void {
  const c = (counts[what] ??= { ok: 0, refused: {} });
  if (code === undefined) c.ok++;
  else c.refused[code] = (c.refused[code] ?? 0) + 1;
}

async function json(method: string, url: string, token: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const answer = await t.app.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
  const text = answer.body;
  let parsed: unknown = text;
  if (answer.headers['content-type']?.toString().startsWith('application/json')) parsed = JSON.parse(text);
  return { status: answer.statusCode, body: parsed };
}

beforeAll(async () => {
  process.stdout.write(`[store fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED})\n`);
  t = await startTestApp({
    ADMIN_TOKEN,
    PEER_GRACE_MS: '0',
    CALL_RING_MS: '1000',
    WS_MESSAGES_PER_SECOND: '10000',
    CHAT_MESSAGES_PER_MINUTE: '10000',
    CHAT_MESSAGES_PER_MINUTE_PER_IP: '100000',
    JOINS_PER_MINUTE: '100000',
    WS_CONNECTS_PER_MINUTE: '100000',
    WS_CONNECTIONS_PER_IP: '100000',
    HTTP_REQUESTS_PER_MINUTE: '1000000',
    UPLOADS_PER_MINUTE: '10000',
  });
  owner = await t.token({ projectId: PROJECT, userId: 'fuzz-owner', role: 'owner' });
  meeting = await helloSession(t, { projectId: PROJECT, userId: 'fuzz-owner', role: 'owner', room: ROOM, token: owner });
  await meeting.c.request('join', { rtpCapabilities: deviceRtpCapabilities(meeting.hello.routerRtpCapabilities!) });
  other = await helloSession(t, { projectId: PROJECT, userId: 'fuzz-other', displayName: 'Bruno', room: ROOM });
  await other.c.request('join', { rtpCapabilities: deviceRtpCapabilities(other.hello.routerRtpCapabilities!) });
  page = await helloSession(t, { projectId: PROJECT, userId: 'fuzz-caller', role: 'member' });
  sockets.push(meeting.c, other.c, page.c);

  // Real things for the generated requests to name.
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(minimalPdf('fuzz'))], { type: 'application/pdf' }), 'plan-R+1.pdf');
  const upload = await fetch(`${t.url}/api/projects/${PROJECT}/documents`, { method: 'POST', headers: { authorization: `Bearer ${owner}` }, body: form });
  expect(upload.status).toBe(201);
  const documentId = ((await upload.json()) as { document: { documentId: string } }).document.documentId;
  const messages: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { message } = await other.c.request('chatSend', { clientMessageId: randomBytes(9).toString('base64url'), text: `message ${i}` });
    messages.push(message.id);
  }
  const { call } = await page.c.request('callStart', { userIds: ['fuzz-owner', 'fuzz-other'] });
  const invitation = await json('POST', `/api/projects/${PROJECT}/invitations`, owner, { role: 'guest', expiresInS: 3600, maxUses: 1000 });
  expect(invitation.status).toBe(201);
  const created = invitation.body as { invitation: { invitationId: string }; code: string };
  Object.assign(hints, {
    protocol: [1],
    projectId: [PROJECT],
    roomId: [ROOM],
    documentId: [documentId],
    messageId: messages,
    before: messages,
    callId: [call.callId],
    peerId: [other.hello.peerId],
    userIds: [['fuzz-owner'], ['fuzz-other', 'fuzz-owner']],
    invitationId: [created.invitation.invitationId],
    code: [created.code],
    userId: ['fuzz-other', 'fuzz-owner'],
  });
}, 60_000);

afterAll(async () => {
  for (const c of sockets) c.close();
  await t?.close();
  process.stdout.write(`[store fuzz] answers (seed ${SEED}):\n${Object.entries(counts).map(([what, c]) => `  ${what}: ${c.ok} ok, refused ${JSON.stringify(c.refused)}`).join('\n')}\n`);
});

/** The code of a refusal, or undefined for a success; anything else (a closed socket) throws. */
async function answerOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof RequestFailed) return error.code;
    throw error;
  }
}

function expectCoded(what: string, code: string | undefined, value: unknown, schemaCheck: TypeCheck<TSchema>): void {
  const shown = JSON.stringify(value).slice(0, 300);
  if (code !== undefined) {
    expect(errorCodes, `${what} ${shown}: unknown code`).toContain(code);
    expect(code, `${what} ${shown}`).not.toBe(ErrorCode.INTERNAL);
  }
  if (!schemaCheck.Check(value)) expect(code, `${what} ${shown}: refused at the boundary`).toBe(ErrorCode.BAD_REQUEST);
}

describe('store fuzz over the WebSocket', () => {
  for (const [type, on] of Object.entries(WS_TYPES) as [keyof typeof WS_TYPES, 'meeting' | 'page'][]) {
    it(`${type}: no INTERNAL for any value its schema accepts (${RUNS} runs)`, async () => {
      const schema = Requests[type].request as TSchema;
      const check = TypeCompiler.Compile(schema);
      const data = fc.oneof({ weight: 4, arbitrary: valid(schema, hints) }, { weight: 1, arbitrary: invalid(schema, hints) });
      await fc.assert(
        fc.asyncProperty(data, async (value) => {
          const session = on === 'meeting' ? meeting : page;
          const code = await answerOf(session.c.rawRequest(type, value));
          count(type, code);
          expectCoded(type, code, value, check);
        }),
        { numRuns: RUNS, seed: SEED },
      );
      // The sockets still work.
      await meeting.c.request('ping', {});
      await page.c.request('ping', {});
    }, 120_000);
  }

  it(`hello: no INTERNAL for any value its schema accepts (${RUNS} runs)`, async () => {
    const schema = Requests.hello.request as TSchema;
    const check = TypeCompiler.Compile(schema);
    const data = fc.tuple(
      fc.oneof({ weight: 4, arbitrary: valid(schema, hints) }, { weight: 1, arbitrary: invalid(schema, hints) }),
      fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      fc.constantFrom('owner', 'moderator', 'member', 'guest'),
    );
    await fc.assert(
      fc.asyncProperty(data, async ([value, signed, role]) => {
        const hello = { ...(value as Record<string, unknown>) };
        const projectId = hello.projectId;
        // Mostly a token that opens the generated project and room, so that the hello reaches the stores.
        if (signed && typeof projectId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(projectId) && hello.protocol === 1) {
          hello.token = await mintAccessToken(
            { userId: `fuzz-${randomBytes(3).toString('hex')}`, displayName: 'Fuzz', projectId, role: role as 'member', ...(typeof hello.roomId === 'string' ? { roomId: hello.roomId } : {}) },
            t.config.jwtSecret,
          );
        }
        const c = await TestClient.connect(t.url);
        try {
          const code = await answerOf(c.rawRequest('hello', hello));
          count('hello', code);
          expectCoded('hello', code, hello, check);
        } finally {
          c.close();
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  }, 180_000);
});

interface ApiRoute {
  method: string;
  url: string;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
}

/** /api routes whose schema says what they take (the upload's multipart is left to the HTTP fuzz). */
function apiRoutes(): ApiRoute[] {
  return t.app.routeTable
    .filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD' && !r.websocket)
    .filter((r) => !(r.method === 'POST' && r.url.endsWith('/documents')))
    .map((r) => {
      const schema = (r.schema ?? {}) as { params?: TSchema; querystring?: TSchema; body?: TSchema };
      return { method: r.method, url: r.url, ...schema };
    });
}

function pathOf(route: ApiRoute, params: Record<string, unknown>, query: Record<string, unknown> | undefined): string {
  // A URL carries UTF-8: half a surrogate pair (a cut edge value) cannot travel in one.
  const text = (v: unknown): string => String(v).replace(/[\uD800-\uDFFF]/gu, '\uFFFD');
  const path = route.url.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(text(params[name])));
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) search.set(k, text(v));
  const q = search.toString();
  return q ? `${path}?${q}` : path;
}

function part(schema: TSchema | undefined): fc.Arbitrary<Record<string, unknown> | undefined> {
  if (!schema) return fc.constant(undefined);
  return fc.oneof(
    { weight: 6, arbitrary: valid(schema, hints) as fc.Arbitrary<Record<string, unknown>> },
    { weight: 1, arbitrary: invalid(schema, hints) },
  );
}

describe('store fuzz over HTTP', () => {
  it('covers the routes that reach the stores', () => {
    const urls = apiRoutes().map((r) => `${r.method} ${r.url}`);
    for (const route of ['GET /api/projects/:projectId/chat', 'PUT /api/projects/:projectId/members/:userId', 'POST /api/projects/:projectId/invitations', 'GET /api/projects/:projectId/meetings/:roomId/current']) {
      expect(urls).toContain(route);
    }
  });

  it(`no 5xx, and every error in the documented shape (${HTTP_RUNS} runs per route)`, async () => {
    for (const route of apiRoutes()) {
      const what = `${route.method} ${route.url}`;
      const request = fc.record({
        params: route.params ? (valid(route.params, hints) as fc.Arbitrary<Record<string, unknown>>) : fc.constant<Record<string, unknown>>({}),
        query: part(route.querystring),
        body: part(route.body),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ params, query, body }) => {
          // The owner's token in the fuzz's project, the admin token (any project, project creation) elsewhere.
          const token = params.projectId === PROJECT ? owner : ADMIN_TOKEN;
          const url = pathOf(route, params, query);
          const answer = await json(route.method, url, token, route.body ? (body ?? {}) : undefined);
          const shown = `${what} ${url} ${JSON.stringify(body ?? null).slice(0, 200)}`;
          expect(answer.status, `${shown}: ${JSON.stringify(answer.body).slice(0, 200)}`).toBeLessThan(500);
          if (answer.status >= 400) {
            const error = (answer.body as { error?: { code?: string; message?: unknown } }).error;
            expect(errorCodes, `${shown}: error body ${JSON.stringify(answer.body).slice(0, 200)}`).toContain(error?.code);
            expect(typeof error?.message).toBe('string');
            count(what, error?.code);
          } else {
            count(what, undefined);
          }
        }),
        { numRuns: HTTP_RUNS, seed: SEED },
      );
    }
    const health = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(health.statusCode).toBe(200);
  }, 300_000);
});
