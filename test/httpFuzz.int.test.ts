/**
 * The HTTP fuzz test (issue 16), beside the WebSocket one: 20,000 seeded
 * requests (test/fuzz/httpGenerator.ts) through `app.inject` against the
 * real app (real Redis, a real mediasoup worker), over every route of its
 * route table (app.routeTable, filled by Fastify's onRoute hook: a new route
 * is fuzzed without editing this file), plus paths no route serves.
 *
 * Expected: no 5xx; every error in the documented shape
 * `{error: {code, message}}` with a code of protocol/errors.ts and nothing
 * of Fastify's; the server ready throughout (/readyz every 1,000 requests);
 * no secret minted in the test (access tokens, the admin and metrics tokens,
 * invitation codes, those the fuzz's own requests create included) in any
 * log line, at trace level.
 *
 * Seedable: HTTP_FUZZ_SEED=<n> replays a run's requests (the seed is printed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app.js';
import { HttpRequestGenerator, type FuzzRequest, type HttpFuzzContext } from './fuzz/httpGenerator.js';
import { Prng, randomSeed } from './fuzz/prng.js';
import { captureLog, type CapturedLog } from './logCapture.js';
import { mintAccessToken } from '../signaling/src/auth/tokens.js';
import { errorCodes } from '../signaling/src/protocol/index.js';

const SEED = process.env.HTTP_FUZZ_SEED ? Number(process.env.HTTP_FUZZ_SEED) >>> 0 : randomSeed();
const TOTAL = Number(process.env.HTTP_FUZZ_TOTAL ?? 20_000);
/** Requests in flight at once: refused credentials are answered 250 ms late, and those waits overlap. */
const CONCURRENCY = 200;
const READY_EVERY = 1_000;
const PROJECT = 'fuzz-http';
const ADMIN_TOKEN = 'fuzz-admin-token-fuzz-admin-token-0123456789';
const METRICS_TOKEN = 'fuzz-metrics-token-fuzz-metrics-token-012345';

let t: TestApp;
let log: CapturedLog;

beforeAll(async () => {
  log = captureLog();
  t = await startTestApp(
    {
      LOG_LEVEL: 'trace',
      // The per-address limits would answer most of the run 429: raised, so that requests reach the routes.
      HTTP_REQUESTS_PER_MINUTE: '1000000',
      UPLOADS_PER_MINUTE: '100000',
      ADMIN_TOKEN,
      METRICS_TOKEN,
      MAX_UPLOAD_BYTES: '65536',
    },
    undefined,
    { logStream: log.stream },
  );
});
afterAll(async () => {
  await t?.close();
});

interface Counts {
  byRoute: Map<string, Map<number, number>>;
  byStatus: Map<number, number>;
  byCode: Map<string, number>;
  violations: string[];
}

function count<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** What is wrong with an answer, or undefined. */
function problem(request: FuzzRequest, status: number, contentType: string, body: string): string | undefined {
  if (status >= 500) return `${status}: ${body.slice(0, 200)}`;
  if (status < 400 || request.method === 'HEAD') return undefined;
  if (/FST_/.test(body)) return `a Fastify code in the body: ${body.slice(0, 200)}`;
  if (!contentType.startsWith('application/json')) return `error with Content-Type "${contentType}"`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `error body not JSON: ${body.slice(0, 120)}`;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
  const shaped =
    typeof parsed === 'object' && parsed !== null && Object.keys(parsed).length === 1 && typeof error === 'object' && error !== null &&
    Object.keys(error).sort().join() === 'code,message' && typeof error.message === 'string';
  if (!shaped) return `error body not in the documented shape: ${body.slice(0, 160)}`;
  if (!errorCodes.includes(error.code as never)) return `undocumented code ${String(error.code)}`;
  return undefined;
}

describe('the HTTP API under 20,000 fuzzed requests', () => {
  it('answers every request without a 5xx, every error in the documented shape, stays ready, and logs no secret', async () => {
    const started = Date.now();
    process.stdout.write(`[http-fuzz] seed ${SEED} (replay with HTTP_FUZZ_SEED=${SEED})\n`);
    const mint = (userId: string, role: 'owner' | 'moderator' | 'member' | 'guest', extra: { projectId?: string; roomId?: string; ttlSeconds?: number } = {}, secret?: string) =>
      t.token({ userId, displayName: userId, projectId: extra.projectId ?? PROJECT, role, roomId: extra.roomId, ttlSeconds: extra.ttlSeconds }, secret);
    const credentials: Record<string, string | undefined> = {
      owner: `Bearer ${await mint('fuzz-owner', 'owner')}`,
      moderator: `Bearer ${await mint('fuzz-moderator', 'moderator')}`,
      member: `Bearer ${await mint('fuzz-member', 'member')}`,
      guest: `Bearer ${await mint('fuzz-guest', 'guest')}`,
      meeting: `Bearer ${await mint('fuzz-meeting', 'guest', { roomId: 'reunion' })}`,
      otherProject: `Bearer ${await mint('fuzz-other', 'owner', { projectId: 'another-project' })}`,
      expired: `Bearer ${await mint('fuzz-expired', 'owner', { ttlSeconds: -3600 })}`,
      forged: `Bearer ${await mint('fuzz-forged', 'owner', {}, 'not-the-secret-not-the-secret-0123456789')}`,
      admin: `Bearer ${ADMIN_TOKEN}`,
      metrics: `Bearer ${METRICS_TOKEN}`,
      garbage: 'Bearer eyJhbGciOiJub25lIn0.e30.',
      basic: 'Basic dXNlcjpwYXNz',
      none: undefined,
    };
    const secrets = new Set<string>([ADMIN_TOKEN, METRICS_TOKEN]);
    for (const value of Object.values(credentials)) {
      const token = value?.replace(/^Bearer /, '');
      if (token && token.split('.').length === 3 && token.length > 40) secrets.add(token);
    }

    // The project, an invitation or two and a document, so that known ids and codes exist.
    const owner = { authorization: credentials.owner! };
    const created = await t.app.inject({ method: 'POST', url: '/api/projects', headers: owner, payload: { id: PROJECT, name: 'Fuzz' } });
    expect(created.statusCode).toBe(201);
    const ctx: HttpFuzzContext = { projectId: PROJECT, credentials, ids: ['fuzz-owner', 'fuzz-member', 'reunion'], codes: [], bodyLimit: 1024 * 1024 };
    for (const role of ['guest', 'member']) {
      const r = await t.app.inject({ method: 'POST', url: `/api/projects/${PROJECT}/invitations`, headers: owner, payload: { role, expiresInS: 3600 } });
      const answer = r.json<{ code: string; invitation: { invitationId: string } }>();
      ctx.codes.push(answer.code);
      ctx.ids.push(answer.invitation.invitationId);
      secrets.add(answer.code);
    }

    const routes = t.app.routeTable;
    const generator = new HttpRequestGenerator(new Prng(SEED), routes, ctx);
    const counts: Counts = { byRoute: new Map(), byStatus: new Map(), byCode: new Map(), violations: [] };
    const ready: number[] = [];
    let sent = 0;
    const slow: string[] = [];

    const one = async (): Promise<void> => {
      const request = generator.next();
      const t0 = Date.now();
      const response = await t.app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, payload: request.payload });
      const status = response.statusCode;
      count(counts.byStatus, status);
      const perRoute = counts.byRoute.get(request.route) ?? new Map<number, number>();
      counts.byRoute.set(request.route, perRoute);
      count(perRoute, status);
      const body = response.body;
      const wrong = problem(request, status, String(response.headers['content-type'] ?? ''), body);
      if (wrong && counts.violations.length < 200) {
        counts.violations.push(`${request.method} ${request.url.slice(0, 160)} [${request.route}; ${request.tags.join(' ')}] → ${wrong}`);
      }
      if (status >= 400 && request.method !== 'HEAD' && !wrong) count(counts.byCode, (JSON.parse(body) as { error: { code: string } }).error.code);
      // Feed what the run creates back into it: invitation codes (secrets too) and ids.
      if (status === 201 && body.includes('"code"')) {
        const answer = JSON.parse(body) as { code: string; invitation: { invitationId: string } };
        ctx.codes.push(answer.code);
        ctx.ids.push(answer.invitation.invitationId);
        secrets.add(answer.code);
      } else if (status === 201 && body.includes('"documentId"')) {
        ctx.ids.push((JSON.parse(body) as { document: { documentId: string } }).document.documentId);
      } else if (status === 200 && body.includes('"token"')) {
        const token = (JSON.parse(body) as { token?: unknown }).token;
        if (typeof token === 'string') secrets.add(token);
      }
      const ms = Date.now() - t0;
      if (ms > 1000 && slow.length < 30) slow.push(`${ms} ms ${request.method} ${request.url.slice(0, 100)} [${request.tags.join(' ')}]`);
    };

    const fuzzStart = Date.now();
    const cpuStart = process.cpuUsage();
    while (sent < TOTAL) {
      const batch = Math.min(READY_EVERY, TOTAL - sent);
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < batch) {
            next++;
            await one();
          }
        }),
      );
      sent += batch;
      ready.push((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode);
    }
    const fuzzMs = Date.now() - fuzzStart;
    const cpu = process.cpuUsage(cpuStart);

    const text = log.text();
    const leaked = [...secrets].filter((secret) => {
      const parts = [secret, ...secret.split('.').slice(1).filter((p) => p.length >= 16)];
      return parts.some((part) => text.includes(part));
    });
    const checkMs = Date.now() - fuzzStart - fuzzMs;

    const sorted = <K>(m: Map<K, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${String(k)} ${v}`).join(', ');
    process.stdout.write(
      [
        `[http-fuzz] seed ${SEED}: ${sent} requests over ${counts.byRoute.size} routes (of ${routes.length} in the table) in ${(fuzzMs / 1000).toFixed(1)} s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU, server and test); log ${log.lines.length} lines (${(text.length / 1024 / 1024).toFixed(1)} MB) checked for ${secrets.size} secrets in ${(checkMs / 1000).toFixed(1)} s; whole test ${((Date.now() - started) / 1000).toFixed(1)} s`,
        `[http-fuzz] statuses: ${sorted(counts.byStatus)}`,
        `[http-fuzz] error codes: ${sorted(counts.byCode)}`,
        `[http-fuzz] per route:`,
        ...[...counts.byRoute].sort((a, b) => a[0].localeCompare(b[0])).map(([route, statuses]) => `[http-fuzz]   ${route}: ${sorted(statuses)}`),
        `[http-fuzz] /readyz: ${ready.length} probes, ${ready.filter((s) => s !== 200).length} not ready; violations ${counts.violations.length}; secrets in the log ${leaked.length}`,
        ...slow.map((l) => `[http-fuzz]   slow: ${l}`),
        ...leaked.slice(0, 5).map((secret) => `[http-fuzz]   in the log: ${secret.slice(0, 12)}… in ${log.lines.find((l) => secret.split('.').some((p) => p.length >= 16 && l.includes(p)))?.slice(0, 400)}`),
        ...counts.violations.slice(0, 25).map((v) => `[http-fuzz]   violation: ${v}`),
      ].join('\n') + '\n',
    );

    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect(counts.violations).toEqual([]);
    expect(ready.every((s) => s === 200)).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect(leaked).toEqual([]);
    // The mix reached the app: every route of the table was requested, successes and refusals of several kinds.
    const fuzzable = routes.filter((r) => !r.staticFile && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    expect(fuzzable.filter((route) => !counts.byRoute.has(route))).toEqual([]);
    for (const status of [200, 201, 204, 400, 401, 403, 404, 405, 413, 414, 415]) expect(counts.byStatus.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
  }, 600_000);
});
