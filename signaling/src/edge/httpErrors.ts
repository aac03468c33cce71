/**
 * Every HTTP error as the protocol documents it: a status and a body
 * `{error: {code, message}}` with a code from protocol/errors.ts. Fastify's
 * own errors (`FST_ERR_*`) and those of its plugins get a code by what they
 * mean and a message of ours: no framework code or text reaches a client.
 * Schema validation keeps its message (which field broke which bound of our
 * schemas). Anything else is unexpected: INTERNAL, logged by the caller.
 */
import { STATUS_CODES } from 'node:http';
import { AppError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';

export interface HttpErrorReply {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
}

export const INTERNAL_REPLY: HttpErrorReply = { status: 500, code: ErrorCode.INTERNAL, message: 'internal error' };

const reply = (status: number, code: ErrorCode, message: string): HttpErrorReply => ({ status, code, message });

/** Fastify's errors that a request can cause, by their code. */
const FRAMEWORK: Readonly<Record<string, HttpErrorReply>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: reply(413, ErrorCode.TOO_LARGE, 'the request body is larger than this route takes'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: reply(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'this route does not read a body of this Content-Type'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: reply(400, ErrorCode.BAD_REQUEST, 'the body does not match its Content-Length'),
  FST_ERR_CTP_EMPTY_JSON_BODY: reply(400, ErrorCode.BAD_REQUEST, 'the body is empty but its Content-Type says JSON'),
  FST_ERR_CTP_INVALID_JSON_BODY: reply(400, ErrorCode.BAD_REQUEST, 'the body is not valid JSON'),
  FST_ERR_BAD_URL: reply(400, ErrorCode.BAD_REQUEST, 'the path is not valid percent-encoding'),
  FST_ERR_INVALID_URL: reply(400, ErrorCode.BAD_REQUEST, 'the request target is not a path'),
  FST_ERR_MAX_PARAM_LENGTH: reply(414, ErrorCode.URI_TOO_LONG, 'a path segment is longer than any route accepts'),
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: reply(400, ErrorCode.BAD_REQUEST, 'the request has no Content-Type'),
  FST_ERR_ROUTE_MISSING_CONTENT: reply(400, ErrorCode.BAD_REQUEST, 'the request has no body'),
  FST_ERR_NOT_FOUND: reply(404, ErrorCode.NOT_FOUND, 'no such route'),
};

/** Client errors (4xx) of other origins (@fastify/static's send, parsers), by status. */
const BY_STATUS: Readonly<Partial<Record<number, ErrorCode>>> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHORIZED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  413: ErrorCode.TOO_LARGE,
  414: ErrorCode.URI_TOO_LONG,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  431: ErrorCode.TOO_LARGE,
};

/**
 * The reply for `error`, or undefined when it is not the client's doing
 * (the caller logs it and answers INTERNAL_REPLY). `statusOf` gives a coded
 * error's status (plugins/auth.ts).
 */
export function httpErrorOf(error: unknown, statusOf: (code: ErrorCode) => number): HttpErrorReply | undefined {
  if (error instanceof AppError) return reply(statusOf(error.code), error.code, error.message);
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { validation?: unknown; code?: unknown; statusCode?: unknown; message?: unknown };
  if (e.validation) {
    // Fastify's text of the schema's own failure: "params/userId must NOT have more than 128 characters".
    return reply(400, ErrorCode.BAD_REQUEST, typeof e.message === 'string' && e.message !== '' ? e.message : 'the request does not match its schema');
  }
  if (typeof e.code === 'string' && Object.hasOwn(FRAMEWORK, e.code)) return FRAMEWORK[e.code];
  const status = e.statusCode;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
    return reply(status, BY_STATUS[status] ?? ErrorCode.BAD_REQUEST, (STATUS_CODES[status] ?? 'bad request').toLowerCase());
  }
  return undefined;
}

/** The JSON body of a reply. */
export function errorBody(r: HttpErrorReply): { error: { code: ErrorCode; message: string } } {
  return { error: { code: r.code, message: r.message } };
}
