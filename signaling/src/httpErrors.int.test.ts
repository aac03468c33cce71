/**
 * Every HTTP error in the documented shape (plugins/httpErrors.ts): unknown
 * paths, wrong methods, bad URLs, parameters past their bounds, bodies the
 * route cannot read, HTTP the server cannot parse; with no Fastify code or
 * text in any answer, the right status, and the client's routes unchanged.
 */
import type { InjectOptions } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { rawHttp } from '../../test/rawHttp.js';
import { useTestApp } from '../../test/useTestApp.js';
import { errorCodes, ErrorCode } from './protocol/index.js';
import { LONGEST_PATH_PARAMETER, ROUTER_MAX_PARAM_LENGTH } from './routes/params.js';

const PROJECT = 'p1';
const { app: t } = useTestApp();
let owner: Record<string, string>;

beforeAll(async () => {
  owner = { authorization: `Bearer ${await t.token({ projectId: PROJECT, role: 'owner' })}` };
});

interface Answer {
  status: number;
  headers: Record<string, string | number | string[] | undefined>;
  body: string;
}

/** The documented error shape, a known code, and nothing of Fastify's. */
function expectError(answer: Answer, status: number, code: ErrorCode): void {
  expect(answer.status, answer.body).toBe(status);
  expect(String(answer.headers['content-type'])).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(errorCodes).toContain(body.error.code);
  expect(body.error.message).toEqual(expect.any(String));
  expect(answer.body).not.toMatch(/FST_|statusCode|"Not Found"|"Bad Request"/);
}

async function inject(options: InjectOptions): Promise<Answer> {
  const r = await t.app.inject(options);
  return { status: r.statusCode, headers: r.headers, body: r.body };
}

describe('not found and wrong methods', () => {
  it('answers a path no route serves 404 NOT_FOUND', async () => {
    expectError(await inject({ method: 'GET', url: '/nope' }), 404, ErrorCode.NOT_FOUND);
    expectError(await inject({ method: 'POST', url: '/api/nope', payload: {} }), 404, ErrorCode.NOT_FOUND);
    expectError(await inject({ method: 'GET', url: '/assets/../../etc/passwd' }), 404, ErrorCode.NOT_FOUND);
    expectError(await inject({ method: 'GET', url: '/p/demo/r/salle/extra' }), 404, ErrorCode.NOT_FOUND);
  });

  it('answers a path served with other methods 405 METHOD_NOT_ALLOWED, with Allow', async () => {
    const health = await inject({ method: 'DELETE', url: '/healthz' });
    expectError(health, 405, ErrorCode.METHOD_NOT_ALLOWED);
    expect(health.headers.allow).toBe('GET, HEAD');
    const project = await inject({ method: 'PATCH', url: `/api/projects/${PROJECT}`, headers: owner, payload: {} });
    expectError(project, 405, ErrorCode.METHOD_NOT_ALLOWED);
    expect(project.headers.allow).toBe('GET, HEAD');
    const documents = await inject({ method: 'PUT', url: `/api/projects/${PROJECT}/documents` });
    expectError(documents, 405, ErrorCode.METHOD_NOT_ALLOWED);
    expect(documents.headers.allow).toBe('GET, HEAD, POST');
    // The WebSocket's path without an upgrade.
    const plain = await inject({ method: 'GET', url: '/ws' });
    expectError(plain, 404, ErrorCode.NOT_FOUND);
    const options = await inject({ method: 'OPTIONS', url: '/' });
    expectError(options, 405, ErrorCode.METHOD_NOT_ALLOWED);
    expect(options.headers.allow).toBe('GET, HEAD');
  });
});

describe('bad URLs and parameters', () => {
  it('answers a path that does not decode 400 BAD_REQUEST', async () => {
    expectError(await inject({ method: 'GET', url: `/api/projects/%zz` }), 400, ErrorCode.BAD_REQUEST);
    expectError(await inject({ method: 'GET', url: `/p/%E0%A4%A` }), 400, ErrorCode.BAD_REQUEST);
  });

  it('answers a parameter past its schema 400, and one longer than any route takes 414 URI_TOO_LONG', async () => {
    expect(ROUTER_MAX_PARAM_LENGTH).toBe(LONGEST_PATH_PARAMETER + 1);
    expectError(await inject({ method: 'GET', url: `/api/projects/${'a'.repeat(65)}`, headers: owner }), 400, ErrorCode.BAD_REQUEST);
    expectError(await inject({ method: 'GET', url: `/api/projects/${'a'.repeat(1000)}`, headers: owner }), 414, ErrorCode.URI_TOO_LONG);
    expectError(await inject({ method: 'GET', url: `/p/${'a'.repeat(ROUTER_MAX_PARAM_LENGTH + 1)}` }), 414, ErrorCode.URI_TOO_LONG);
  });

  it('manages a member whose user id is as long as a token allows (128), and refuses 129 with 400', async () => {
    const put = (userId: string) =>
      inject({ method: 'PUT', url: `/api/projects/${PROJECT}/members/${encodeURIComponent(userId)}`, headers: owner, payload: { displayName: 'Long', role: 'member' } });
    const longest = 'u'.repeat(128);
    expect((await put(longest)).status).toBe(204);
    // Non-ASCII: the bound is on characters, as the token's, not on the encoded path.
    expect((await put('é'.repeat(128))).status).toBe(204);
    const members = JSON.parse((await inject({ method: 'GET', url: `/api/projects/${PROJECT}`, headers: owner })).body) as { members: { userId: string }[] };
    expect(members.members.map((m) => m.userId)).toEqual(expect.arrayContaining([longest, 'é'.repeat(128)]));
    const tooLong = await put('u'.repeat(129));
    expectError(tooLong, 400, ErrorCode.BAD_REQUEST);
    expect(JSON.parse(tooLong.body).error.message).toMatch(/userId/);
  });
});

describe('bodies the route cannot read', () => {
  const post = (headers: Record<string, string>, payload: string) =>
    inject({ method: 'POST', url: '/api/projects', headers: { ...owner, ...headers }, payload });

  it('answers bad JSON 400, an unread content type 415, a body past the limit 413', async () => {
    expectError(await post({ 'content-type': 'application/json' }, '{"id":'), 400, ErrorCode.BAD_REQUEST);
    expectError(await post({ 'content-type': 'application/json' }, ''), 400, ErrorCode.BAD_REQUEST);
    expectError(await post({ 'content-type': 'application/xml' }, '<a/>'), 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE);
    expectError(await post({ 'content-type': 'text/plain' }, 'id'), 400, ErrorCode.BAD_REQUEST);
    expectError(await post({ 'content-type': 'application/json' }, `"${'a'.repeat(1024 * 1024 + 10)}"`), 413, ErrorCode.TOO_LARGE);
  });

  it('answers a range the file does not have with its status and a documented code', async () => {
    const r = await inject({ method: 'GET', url: '/favicon.svg', headers: { range: 'bytes=99999999-' } });
    expectError(r, 416, ErrorCode.BAD_REQUEST);
  });
});

describe('HTTP the server cannot parse', () => {
  it('answers a malformed request 400 and headers too large 431, in the documented shape', async () => {
    expectError(await rawHttp(t.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'), 400, ErrorCode.BAD_REQUEST);
    expectError(await rawHttp(t.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, ErrorCode.TOO_LARGE);
  });
});

describe('the client keeps working', () => {
  it('serves its pages, links and files', async () => {
    for (const url of ['/', '/p/demo', '/p/demo/r/reunion', '/i/SomeInvitationCode', '/sw.js', '/manifest.webmanifest', '/favicon.svg']) {
      const r = await inject({ method: 'GET', url });
      expect(r.status, url).toBe(200);
    }
    expect((await inject({ method: 'HEAD', url: '/p/demo' })).status).toBe(200);
  });
});
