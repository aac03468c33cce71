import fp from 'fastify-plugin';
import { timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createTokenVerifier, type Identity, type TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { ErrorCode, type ErrorBody } from '../protocol/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by app.authenticate: the verified access token's identity. */
    identity: Identity | undefined;
    /** Set by app.authenticate when the bearer is the admin token. */
    isAdmin: boolean;
  }
  interface FastifyInstance {
    /** Verifies access tokens as configured (HS256 secret and/or JWKS); hello and refreshToken use it too. */
    tokens: TokenVerifier;
    /** preHandler: a valid access token (or the admin token) is required. */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /**
     * Throws FORBIDDEN unless the request may act in this project. A token
     * limited to one meeting (`room` claim) is refused unless the route says
     * the meeting's page needs it (`reach`, see MeetingReach).
     */
    requireProject: (request: FastifyRequest, projectId: string, reach?: MeetingReach) => Identity | 'admin';
  }
}

/** How late a refused credential is answered (tokens, the metrics token, invitation codes). */
export const AUTH_FAILURE_DELAY_MS = 250;

/**
 * What a token limited to one meeting (the `room` claim: a guest invited to
 * one meeting, a link for one site visit) may reach over HTTP:
 *   'project'   nothing (the default): the project's page, its members, its
 *               presence, other meetings' records are not that meeting's;
 *   'meeting'   what a meeting's page uses: the project's documents (to
 *               present and view them) and its chat (the meeting's socket
 *               reads it already);
 *   {roomId}    that room's own data only (its meeting in progress).
 * docs/SECURITY.md's access table lists every route's answer.
 */
export type MeetingReach = 'project' | 'meeting' | { readonly roomId: string };

const httpStatus: Partial<Record<ErrorBody['code'], number>> = {
  UNAUTHORIZED: 401,
  TOKEN_EXPIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  RATE_LIMITED: 429,
  ROOM_FULL: 409,
  TOO_LARGE: 413,
  UNSUPPORTED_TYPE: 415,
  INVITATION_INVALID: 404,
  INVITATION_EXPIRED: 410,
  INVITATION_USED_UP: 410,
  INVITATIONS_DISABLED: 409,
  MEETING_IN_PAST: 400,
  UNKNOWN_TIME_ZONE: 400,
  UNKNOWN_INVITEE: 400,
  LIMIT_EXCEEDED: 409,
};

export function statusOf(code: ErrorBody['code']): number {
  return httpStatus[code] ?? 500;
}

export function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** Whether `candidate` is the configured secret, compared in constant time. */
export function isSecret(candidate: string, secret: string | undefined): boolean {
  if (!secret) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * HTTP authentication: `Authorization: Bearer <access token>` (the same JWT
 * as the WebSocket's hello) or the admin token from config. Errors use the
 * protocol's codes in a JSON body `{error: {code, message}}`, like WebSocket
 * errors, so that the client shows them the same way.
 */
export const authPlugin = fp<{ config: Config }>(
  async (app, { config }) => {
    const tokens = createTokenVerifier({
      ...config.jwt,
      secret: config.jwtSecret,
      onKeySetError: (error) => app.log.warn({ err: error, jwksUrl: config.jwt.jwksUrl }, 'token keys could not be fetched'),
    });
    app.decorate('tokens', tokens);
    app.decorateRequest('identity', undefined);
    app.decorateRequest('isAdmin', false);

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const token = bearer(request);
      if (token && isSecret(token, config.adminToken)) {
        request.isAdmin = true;
        return;
      }
      try {
        if (!token) throw new AppError(ErrorCode.UNAUTHORIZED, 'no bearer token');
        request.identity = await tokens.verify(token);
      } catch (error) {
        await sleep(AUTH_FAILURE_DELAY_MS);
        throw error;
      }
    });

    app.decorate('requireProject', (request: FastifyRequest, projectId: string, reach: MeetingReach = 'project') => {
      if (request.isAdmin) return 'admin' as const;
      const identity = request.identity;
      if (!identity) throw new AppError(ErrorCode.UNAUTHORIZED, 'not authenticated');
      // The same answer whether the project exists or not: ids cannot be probed.
      if (identity.projectId !== projectId) throw new AppError(ErrorCode.FORBIDDEN, 'not a member of this project');
      if (identity.roomId !== undefined) {
        const allowed = reach === 'meeting' || (typeof reach === 'object' && reach.roomId === identity.roomId);
        if (!allowed) throw new AppError(ErrorCode.FORBIDDEN, 'the token is for one meeting only');
      }
      return identity;
    });

    // Coded errors become their HTTP status with the protocol's error body;
    // validation errors are BAD_REQUEST; anything else is INTERNAL and logged.
    app.setErrorHandler((error, request, reply) => {
      if (error instanceof AppError) {
        return reply.code(statusOf(error.code)).send({ error: { code: error.code, message: error.message } });
      }
      const e = error as { validation?: unknown; statusCode?: number; message?: string; code?: string };
      if (e.validation || (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)) {
        const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 400;
        const code = status === 413 ? ErrorCode.TOO_LARGE : status === 429 ? ErrorCode.RATE_LIMITED : ErrorCode.BAD_REQUEST;
        return reply.code(status).send({ error: { code, message: e.message ?? 'bad request' } });
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: { code: ErrorCode.INTERNAL, message: 'internal error' } });
    });
  },
  { name: 'auth' },
);
