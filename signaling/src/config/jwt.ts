/** How access tokens are verified (auth/tokens.ts): JWT_* variables. */
import { TOKEN_ALGORITHMS, type TokenAlgorithm } from '../auth/tokens.js';
import { ConfigError, int, isLoopback, type Env } from './parse.js';

/**
 * Enabled algorithms, the JWKS URL of the platform's public keys (RS256/ES256),
 * the expected issuer and audience (checked when set), the clock leeway.
 */
export interface JwtSettings {
  readonly algorithms: readonly TokenAlgorithm[];
  readonly jwksUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  readonly clockToleranceS: number;
}

export function jwtConfig(env: Env): JwtSettings {
  let jwksUrl: string | undefined;
  if (env.JWT_JWKS_URL) {
    let url: URL;
    try {
      url = new URL(env.JWT_JWKS_URL);
    } catch {
      throw new ConfigError(`JWT_JWKS_URL must be a URL, got "${env.JWT_JWKS_URL}"`);
    }
    // Keys fetched in clear could be swapped on the way: https, except on this machine (tests).
    const loopback = url.hostname === 'localhost' || isLoopback(url.hostname.replace(/^\[|\]$/g, ''));
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
      throw new ConfigError('JWT_JWKS_URL must be an https: URL (http: only on a loopback address)');
    }
    jwksUrl = url.href;
  }
  const algorithms = env.JWT_ALGORITHMS
    ? [...new Set(env.JWT_ALGORITHMS.split(',').map((a) => a.trim()).filter((a) => a !== ''))]
    : jwksUrl
      ? ['RS256', 'ES256']
      : ['HS256'];
  if (algorithms.length === 0) throw new ConfigError('JWT_ALGORITHMS must name at least one algorithm');
  for (const alg of algorithms) {
    if (!(TOKEN_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new ConfigError(`JWT_ALGORITHMS: "${alg}" is not one of ${TOKEN_ALGORITHMS.join(', ')}`);
    }
  }
  if (!jwksUrl && algorithms.some((a) => a !== 'HS256')) {
    throw new ConfigError('JWT_ALGORITHMS: RS256 and ES256 need JWT_JWKS_URL');
  }
  return {
    algorithms: algorithms as TokenAlgorithm[],
    jwksUrl,
    issuer: env.JWT_ISSUER || undefined,
    audience: env.JWT_AUDIENCE || undefined,
    clockToleranceS: int(env, 'JWT_CLOCK_TOLERANCE_S', 30, 0, 300),
  };
}
