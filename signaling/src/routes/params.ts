/**
 * The schemas of every HTTP route's path parameters, in one place, and the
 * router's parameter length derived from them (Fastify's `maxParamLength`,
 * 100 by default, answered 414 to user ids the token schema allows).
 *
 * A route names its parameters with these schemas; the edge test walks the
 * route table and fails on a parameter whose bound is not among them.
 */
import { Type } from '@sinclair/typebox';
import { UserId } from '../auth/tokens.js';

/** Project, room and document ids: the protocol's ids. */
export const PathId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
/** A user id, as long as a token's `sub` may be. */
export const UserIdParam = UserId;
/** An invitation's id (store/invitations.ts makes them 12 characters). */
export const InvitationIdParam = Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Za-z0-9_-]+$' });
/**
 * An invitation link's code. Any id-shaped code gets the store's answer (a
 * truncated link is INVITATION_INVALID, late, like an unknown one); only
 * junk is BAD_REQUEST.
 */
export const InvitationCodeParam = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const PATH_PARAMETERS = [PathId, UserIdParam, InvitationIdParam, InvitationCodeParam] as const;

/** The longest value any route's parameter accepts (decoded characters). */
export const LONGEST_PATH_PARAMETER = Math.max(...PATH_PARAMETERS.map((schema) => schema.maxLength ?? 0));

/**
 * Fastify's `maxParamLength`: one past the longest bound, so that a value
 * one character too long still reaches its route's schema (400 BAD_REQUEST,
 * saying which bound), and anything longer than every route accepts is
 * refused by the router before any work (414 URI_TOO_LONG). find-my-way
 * compares the decoded value, like the schemas.
 */
export const ROUTER_MAX_PARAM_LENGTH = LONGEST_PATH_PARAMETER + 1;
