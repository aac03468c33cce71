/**
 * Access tokens: JWTs issued by the platform that embeds Chantier, signed
 * with HS256 (the shared JWT_SECRET, also used by `npm run token`) or with
 * RS256/ES256 keys published at JWT_JWKS_URL. Claims (documented in README.md):
 *   sub      user id (string)
 *   name     display name
 *   project  project id the token grants access to
 *   role     'owner' | 'moderator' | 'member' | 'guest'
 *   exp      expiry (seconds since epoch), required
 *   room     optional: the one meeting room the token is limited to
 *   iss/aud  checked when JWT_ISSUER / JWT_AUDIENCE are set
 * jose does the cryptography and the time checks; TypeBox checks the claims.
 * HS256 (every hello of a platform using the shared secret) is checked
 * synchronously with node:crypto instead (auth/hs256.ts), jose still checking
 * its claims.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JWTVerifyOptions,
  type ProtectedHeaderParameters,
} from 'jose';
import { AppError } from '../errors.js';
import { ErrorCode, Role } from '../protocol/index.js';
import { createHs256Verifier } from './hs256.js';

/** A user id on the platform (the `sub` claim): what HTTP routes naming a user accept too. */
export const UserId = Type.String({ minLength: 1, maxLength: 128 });

const Claims = Type.Object({
  sub: UserId,
  name: Type.String({ minLength: 1, maxLength: 64 }),
  project: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  role: Role,
  exp: Type.Number(),
  room: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
});
const checkClaims = TypeCompiler.Compile(Claims);

export type AccessClaims = Static<typeof Claims>;

export interface Identity {
  userId: string;
  displayName: string;
  projectId: string;
  role: Static<typeof Role>;
  expiresAt: number;
  /** The `room` claim: the only meeting this identity may enter; unset: any room of the project. */
  roomId?: string;
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
  return identityOf(payload);
}

function identityOf(payload: unknown): Identity {
  if (!checkClaims.Check(payload)) throw new AppError(ErrorCode.UNAUTHORIZED, 'token claims are invalid');
  return {
    userId: payload.sub,
    displayName: payload.name,
    projectId: payload.project,
    role: payload.role,
    expiresAt: payload.exp,
    ...(payload.room !== undefined ? { roomId: payload.room } : {}),
  };
}

/** The signature algorithms Chantier accepts (JWT_ALGORITHMS). `none` is never one. */
export const TOKEN_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

export interface TokenVerifierOptions {
  /** Enabled algorithms; HS256 needs `secret`, RS256/ES256 need `jwksUrl`. */
  readonly algorithms: readonly TokenAlgorithm[];
  readonly secret: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  /** Leeway for exp/nbf/iat between the issuer's clock and ours, in seconds. */
  readonly clockToleranceS: number;
  /** JWKS fetch: timeout, and how soon an unknown kid may trigger a new fetch (jose's defaults: 5 s, 30 s). */
  readonly jwksTimeoutMs?: number;
  readonly jwksCooldownMs?: number;
  /** Keys are fetched again after this long even without an unknown kid (jose's default: 10 min). */
  readonly jwksCacheMaxAgeMs?: number;
  /** Told when the key set cannot be fetched (a server-side problem, not the token's). */
  readonly onKeySetError?: (error: unknown) => void;
}

export interface TokenVerifier {
  /** Verifies a token; throws AppError UNAUTHORIZED or TOKEN_EXPIRED. */
  verify(token: string): Promise<Identity>;
}

/**
 * The verifier of a configuration. The key is chosen by the token's `alg`,
 * and each key is only ever used with its own algorithm family: an HS256
 * token is checked against the shared secret only (never against a public
 * key taken as an HMAC secret), an RS256/ES256 token against the JWKS only,
 * by its `kid` (required). Algorithms not enabled, `none` included, are
 * refused before any key is looked at.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const enabled = new Set<string>(options.algorithms);
  const asymmetric = options.algorithms.filter((a) => a !== 'HS256');
  // HS256: the HMAC synchronously through node:crypto (see auth/hs256.ts for why).
  const hs256 = options.secret !== undefined && enabled.has('HS256') ? createHs256Verifier(options.secret) : undefined;
  const jwks =
    options.jwksUrl !== undefined && asymmetric.length > 0
      ? createRemoteJWKSet(new URL(options.jwksUrl), {
          ...(options.jwksTimeoutMs !== undefined ? { timeoutDuration: options.jwksTimeoutMs } : {}),
          ...(options.jwksCooldownMs !== undefined ? { cooldownDuration: options.jwksCooldownMs } : {}),
          ...(options.jwksCacheMaxAgeMs !== undefined ? { cacheMaxAge: options.jwksCacheMaxAgeMs } : {}),
        })
      : undefined;
  const common: JWTVerifyOptions = {
    requiredClaims: ['exp'],
    clockTolerance: options.clockToleranceS,
    ...(options.issuer !== undefined ? { issuer: options.issuer } : {}),
    ...(options.audience !== undefined ? { audience: options.audience } : {}),
  };

  return {
    async verify(token) {
      let header: ProtectedHeaderParameters;
      try {
        header = protectedHeader(token);
      } catch {
        throw new AppError(ErrorCode.UNAUTHORIZED, 'invalid token');
      }
      const alg = header.alg;
      if (typeof alg !== 'string' || !enabled.has(alg)) {
        throw new AppError(ErrorCode.UNAUTHORIZED, 'token algorithm not accepted');
      }
      let payload: unknown;
      try {
        if (alg === 'HS256') {
          if (!hs256) throw new AppError(ErrorCode.UNAUTHORIZED, 'token algorithm not accepted');
          payload = hs256(token, header, common);
        } else {
          if (!jwks) throw new AppError(ErrorCode.UNAUTHORIZED, 'token algorithm not accepted');
          if (typeof header.kid !== 'string' || header.kid === '') throw new AppError(ErrorCode.UNAUTHORIZED, 'token has no kid');
          ({ payload } = await jwtVerify(token, jwks, { ...common, algorithms: [alg] }));
        }
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw new AppError(ErrorCode.TOKEN_EXPIRED, 'token expired');
        if (alg !== 'HS256' && (error instanceof joseErrors.JWKSTimeout || isFetchFailure(error))) {
          options.onKeySetError?.(error);
          throw new AppError(ErrorCode.UNAUTHORIZED, 'token keys unavailable');
        }
        throw new AppError(ErrorCode.UNAUTHORIZED, 'invalid token');
      }
      return identityOf(payload);
    },
  };
}

/**
 * The token's header, only to choose its key: the signature check that
 * follows covers it (jwtVerify parses it again). Buffer's base64url decoder:
 * jose's decodeProtectedHeader (atob-based, for every runtime) was ~20 µs of
 * each hello in the profile.
 */
function protectedHeader(token: string): ProtectedHeaderParameters {
  const end = token.indexOf('.');
  if (end <= 0) throw new Error('no header');
  const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error('header is not an object');
  return header as ProtectedHeaderParameters;
}

/** The key set could not be fetched or read (network, HTTP status, not a JWKS). */
function isFetchFailure(error: unknown): boolean {
  if (error instanceof joseErrors.JWKSInvalid) return true;
  if (error instanceof joseErrors.JOSEError) {
    // jose reports a non-200 answer as a plain JOSEError.
    return error.code === 'ERR_JOSE_GENERIC';
  }
  return error instanceof TypeError; // fetch(): connection refused, DNS, ...
}

export interface MintOptions {
  userId: string;
  displayName: string;
  projectId: string;
  role: Static<typeof Role>;
  /** Lifetime in seconds (default 12 h); negative makes an expired token (tests). */
  ttlSeconds?: number;
  /** The `room` claim: limit the token to one meeting room. */
  roomId?: string;
  /** `iss` and `aud`, for a server that checks them (JWT_ISSUER, JWT_AUDIENCE). */
  issuer?: string | undefined;
  audience?: string | undefined;
}

export async function mintAccessToken(options: MintOptions, secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    name: options.displayName,
    project: options.projectId,
    role: options.role,
    ...(options.roomId !== undefined ? { room: options.roomId } : {}),
    ...(options.issuer !== undefined ? { iss: options.issuer } : {}),
    ...(options.audience !== undefined ? { aud: options.audience } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.userId)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 12 * 3600))
    .sign(encoder.encode(secret));
}
