/**
 * The access matrix's vocabulary: the kinds of caller it tries, the answer
 * expected of each, and the named rules (presets and their exceptions) that
 * requestAccess.ts and routeAccess.ts are written in. See access.ts.
 */
import type { ErrorCode } from '../protocol/index.js';

/** The callers of the matrix, each a token (or none) the test makes. */
export const identityKinds = [
  /** Role owner in the project. */
  'owner',
  /** Role moderator in the project. */
  'moderator',
  /** Role member in the project. */
  'member',
  /** Role guest in the project (a platform or invitation guest token; admitted from the lobby to join). */
  'guest',
  /** A member a moderator removed from the meeting, back with a new socket and a valid token. */
  'removed',
  /** An owner of another project: owner rights must not leak across projects. */
  'otherProject',
  /** A member token of this project limited (`room` claim) to another meeting. */
  'otherMeeting',
  /** No token at all, or a garbage one: both must get the same answer. */
  'anonymous',
  /** A well-signed token of a member whose `exp` has passed. */
  'expired',
] as const;
export type IdentityKind = (typeof identityKinds)[number];

/** Columns of the rendered table. */
export const identityTitles: Record<IdentityKind, string> = {
  owner: 'owner',
  moderator: 'moderator',
  member: 'member',
  guest: 'guest',
  removed: 'removed',
  otherProject: 'other project',
  otherMeeting: 'other meeting',
  anonymous: 'anonymous',
  expired: 'expired',
};

/** The expected answer: success, or this error code. */
export type Expected = 'ok' | ErrorCode;

export interface Rule {
  /** A preset's name (or an exception's), shown in the table. */
  readonly name: string;
  readonly expect: Readonly<Record<IdentityKind, Expected>>;
  /** What the test acts on, when the answer depends on it (shown in the table). */
  readonly on?: string;
}

export interface RouteRule extends Rule {
  /** HTTP status of the success answer (error statuses follow from the code: plugins/auth.ts statusOf). */
  readonly okStatus: number;
}

export function rule(name: string, expect: Record<IdentityKind, Expected>): Rule {
  return { name, expect };
}

/** The same rule with some identities' answers changed (a named exception). */
export function except(base: Rule, name: string, changes: Partial<Record<IdentityKind, Expected>>): Rule {
  return { name, expect: { ...base.expect, ...changes } };
}

export function route(base: Rule, okStatus = 200, on?: string): RouteRule {
  return { ...base, okStatus, ...(on ? { on } : {}) };
}

/** A rule whose answer depends on its target: the table says which one the test uses. */
export function on(base: Rule, target: string): Rule {
  return { ...base, on: target };
}
