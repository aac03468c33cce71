/**
 * Access tokens: JWTs signed with HS256 by the platform that embeds Chantier
 * (or by `npm run token`). Claims (documented in README.md):
 *   sub      user id (string)
 *   name     display name
 *   project  project id the token grants access to
 *   role     'owner' | 'member' | 'guest'
 *   exp      expiry (seconds since epoch), required
 * jose does the cryptography and the time checks; TypeBox checks the claims.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../errors.js';
import { ErrorCode, Role } from '../protocol/index.js';

const Claims = Type.Object({
  sub: Type.String({ minLength: 1, maxLength: 128 }),
  name: Type.String({ minLength: 1, maxLength: 64 }),
  project: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  role: Role,
  exp: Type.Number(),
});
const checkClaims = TypeCompiler.Compile(Claims);

export type AccessClaims = Static<typeof Claims>;

export interface Identity {
  userId: string;
  displayName: string;
  projectId: string;
  role: Static<typeof Role>;
  expiresAt: number;
}

const encoder = new TextEncoder();

/** Verifies a token; throws AppError UNAUTHORIZED or TOKEN_EXPIRED. */
export async function verifyAccessToken(token: string, secret: string): Promise<Identity> {
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, encoder.encode(secret), { algorithms: ['HS256'], requiredClaims: ['exp'] }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new AppError(ErrorCode.TOKEN_EXPIRED, 'token expired');
    throw new AppError(ErrorCode.UNAUTHORIZED, 'invalid token');
  }
  if (!checkClaims.Check(payload)) throw new AppError(ErrorCode.UNAUTHORIZED, 'token claims are invalid');
  return {
    userId: payload.sub,
    displayName: payload.name,
    projectId: payload.project,
    role: payload.role,
    expiresAt: payload.exp,
  };
}

export interface MintOptions {
  userId: string;
  displayName: string;
  projectId: string;
  role: Static<typeof Role>;
  /** Lifetime in seconds (default 12 h); negative makes an expired token (tests). */
  ttlSeconds?: number;
}

export async function mintAccessToken(options: MintOptions, secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: options.displayName, project: options.projectId, role: options.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 12 * 3600))
    .sign(encoder.encode(secret));
}
