import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';
import { httpErrorOf } from './httpErrors.js';
import { RouteMethods } from './routeMethods.js';

const statusOf = (code: ErrorCode): number => (code === ErrorCode.FORBIDDEN ? 403 : 500);
const framework = (code: string, statusCode: number, message: string) => Object.assign(new Error(message), { code, statusCode });

describe('httpErrorOf', () => {
  it('keeps a coded error, with the status of its code', () => {
    expect(httpErrorOf(new AppError(ErrorCode.FORBIDDEN, 'not yours'), statusOf)).toEqual({ status: 403, code: 'FORBIDDEN', message: 'not yours' });
  });

  it('answers a schema failure 400 BAD_REQUEST with what failed', () => {
    const error = Object.assign(new Error('params/userId must NOT have more than 128 characters'), { validation: [{}], statusCode: 400, code: 'FST_ERR_VALIDATION' });
    expect(httpErrorOf(error, statusOf)).toEqual({ status: 400, code: 'BAD_REQUEST', message: 'params/userId must NOT have more than 128 characters' });
  });

  it("maps Fastify's errors by meaning, with a message of ours", () => {
    const cases: [string, number, number, ErrorCode][] = [
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415, ErrorCode.UNSUPPORTED_MEDIA_TYPE],
      ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413, ErrorCode.TOO_LARGE],
      ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 400, ErrorCode.BAD_REQUEST],
      ['FST_ERR_BAD_URL', 400, 400, ErrorCode.BAD_REQUEST],
      ['FST_ERR_MAX_PARAM_LENGTH', 414, 414, ErrorCode.URI_TOO_LONG],
    ];
    for (const [code, statusCode, status, expected] of cases) {
      const reply = httpErrorOf(framework(code, statusCode, `Fastify's words about '/secret/path'`), statusOf);
      expect(reply?.status, code).toBe(status);
      expect(reply?.code, code).toBe(expected);
      expect(reply?.message, code).not.toMatch(/Fastify|secret|FST/);
    }
  });

  it('keeps the status of other client errors, with a documented code', () => {
    expect(httpErrorOf(Object.assign(new Error('Range Not Satisfiable'), { statusCode: 416 }), statusOf)).toEqual({ status: 416, code: 'BAD_REQUEST', message: 'range not satisfiable' });
    expect(httpErrorOf(Object.assign(new Error('x'), { statusCode: 429 }), statusOf)?.code).toBe('RATE_LIMITED');
  });

  it('leaves the unexpected to the caller (INTERNAL, logged)', () => {
    expect(httpErrorOf(new Error('boom'), statusOf)).toBeUndefined();
    expect(httpErrorOf(Object.assign(new Error('x'), { statusCode: 503 }), statusOf)).toBeUndefined();
    expect(httpErrorOf('a string', statusOf)).toBeUndefined();
    expect(httpErrorOf(null, statusOf)).toBeUndefined();
  });
});

describe('RouteMethods', () => {
  const routes = [
    { method: 'GET', url: '/api/projects/:projectId' },
    { method: 'HEAD', url: '/api/projects/:projectId' },
    { method: 'DELETE', url: '/api/projects/:projectId/documents/:documentId' },
    { method: 'GET', url: '/api/projects/:projectId/documents/:documentId' },
    { method: 'GET', url: '/healthz' },
  ];
  const methods = new RouteMethods(() => routes, { maxParamLength: 129 });

  it('lists the methods a path is served with, as the router matches it', () => {
    expect(methods.allowed('/api/projects/p1')).toEqual(['GET', 'HEAD']);
    expect(methods.allowed('/api/projects/p1/documents/d1?x=1')).toEqual(['DELETE', 'GET']);
    expect(methods.allowed('/healthz')).toEqual(['GET']);
  });

  it('lists none for a path no route serves', () => {
    expect(methods.allowed('/nope')).toEqual([]);
    expect(methods.allowed('/api/projects/p1/')).toEqual([]);
    expect(methods.allowed(`/api/projects/${'a'.repeat(200)}`)).toEqual([]);
    expect(methods.allowed('/api/projects/%zz')).toEqual([]);
  });
});
