/**
 * One error handler and one not-found handler for the whole app, so that
 * every HTTP error has the documented shape `{error: {code, message}}`
 * (docs/PROTOCOL.md, "HTTP errors") and the right status:
 *
 * - thrown errors: coded ones (AppError) with their status, schema failures
 *   400, Fastify's and its plugins' errors mapped by edge/httpErrors.ts,
 *   anything else 500 INTERNAL, logged with its details (never sent);
 * - a path no route serves: 404 NOT_FOUND; a path served with other
 *   methods: 405 METHOD_NOT_ALLOWED with `Allow`;
 * - errors the router raises before any route (a path that does not decode,
 *   a parameter longer than any route takes): `frameworkErrors`, a Fastify
 *   option, so exported for buildApp;
 * - malformed HTTP that never becomes a request (bad request line, headers
 *   too large, timeouts): `clientErrorHandler`, also an option.
 *
 * Refusals are logged at debug level, without the URL (the request line,
 * redacted, is logged at debug level already).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { errorBody, httpErrorOf, INTERNAL_REPLY, type HttpErrorReply } from '../edge/httpErrors.js';
import { RouteMethods } from '../edge/routeMethods.js';
import { ErrorCode } from '../protocol/index.js';
import { statusOf } from './auth.js';

function send(reply: FastifyReply, r: HttpErrorReply): FastifyReply {
  return reply.code(r.status).type('application/json; charset=utf-8').send(errorBody(r));
}

export const httpErrorsPlugin = fp<{ maxParamLength: number }>(
  async (app, { maxParamLength }) => {
    app.setErrorHandler((error, request, reply) => {
      const known = httpErrorOf(error, statusOf);
      if (known && known.status < 500) {
        request.log.debug({ status: known.status, code: known.code }, 'request refused');
        return send(reply, known);
      }
      // Redis unreachable or too slow: an outage the Redis link already logs once, not a bug (redis/bounded.ts).
      if (known?.code === ErrorCode.UNAVAILABLE) {
        request.log.warn({ status: known.status, code: known.code }, 'request refused: storage unavailable');
        return send(reply, known);
      }
      request.log.error({ err: error }, 'request failed');
      return send(reply, known ?? INTERNAL_REPLY);
    });

    const methods = new RouteMethods(() => app.routeTable, { maxParamLength });
    app.setNotFoundHandler((request, reply) => {
      const allowed = methods.allowed(request.url);
      if (allowed.length > 0) {
        request.log.debug({ status: 405 }, 'method not allowed');
        reply.header('allow', allowed.join(', '));
        return send(reply, { status: 405, code: ErrorCode.METHOD_NOT_ALLOWED, message: `this path takes ${allowed.join(', ')}` });
      }
      request.log.debug({ status: 404 }, 'route not found');
      return send(reply, { status: 404, code: ErrorCode.NOT_FOUND, message: 'no such route' });
    });
  },
  { name: 'httpErrors', dependencies: ['edge', 'auth'] },
);

/** Fastify's `frameworkErrors`: the router's refusals, before any route or hook. */
export function frameworkErrors(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const r = httpErrorOf(error, statusOf) ?? INTERNAL_REPLY;
  if (r.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.debug({ status: r.status, code: r.code }, 'request refused by the router');
  void send(reply, r);
}

/**
 * Fastify's `clientErrorHandler`: HTTP the server could not parse into a
 * request. Answered in the documented shape; logged at trace level with the
 * parser's code only (its error carries the raw bytes, headers included).
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const r: HttpErrorReply =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? { status: 431, code: ErrorCode.TOO_LARGE, message: 'the request headers are too large' }
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? { status: 408, code: ErrorCode.BAD_REQUEST, message: 'the request did not arrive in time' }
        : { status: 400, code: ErrorCode.BAD_REQUEST, message: 'malformed HTTP request' };
  this.log.trace({ parserCode: error.code }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(errorBody(r));
    socket.write(
      `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
