/**
 * HS256 tokens checked synchronously: the HMAC with node:crypto (the key
 * object made once), the claims by jose.
 *
 * jose checks an HMAC through WebCrypto only (`crypto.subtle.verify`: a job
 * sent off the main thread and its answer awaited), ~0.1 ms of main-thread
 * CPU per token in the hello's profile, where createHmac costs a few µs.
 * fast-jwt has a synchronous path too, but adds 1.2 MB of heap at start
 * (asn1.js, bn.js, mnemonist: for keys this path never sees) to a server
 * whose idle memory is counted; jose stays for the claims, so that their
 * rules (exp, nbf, iat, iss, aud, clock tolerance) are one library's for
 * every algorithm.
 *
 * The claims go to jose's `UnsecuredJWT.decode` as the payload of an
 * unsigned token: that is jose's claim validation (validateClaimsSet), run
 * synchronously on the payload whose bytes the HMAC has just vouched for.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, UnsecuredJWT, type JWTClaimVerificationOptions, type ProtectedHeaderParameters } from 'jose';

/** `{"alg":"none"}`, base64url: the header under which the verified payload goes to jose. */
const NONE_HEADER = Buffer.from('{"alg":"none"}').toString('base64url');

/**
 * The verifier of one secret: (token, its decoded header, claim options) →
 * the payload, or a jose error (JWSSignatureVerificationFailed, JWTExpired,
 * JWTClaimValidationFailed, JWTInvalid...), as jwtVerify would throw.
 */
export type Hs256Verifier = (token: string, header: ProtectedHeaderParameters, options: JWTClaimVerificationOptions) => unknown;

export function createHs256Verifier(secret: string): Hs256Verifier {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return (token, header, options) => {
    if (header.alg !== 'HS256') throw new joseErrors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
    // No JWS extension is understood here (jose would refuse an unknown critical
    // one, and an unencoded payload in a JWT): a header that asks for one is refused.
    if ('crit' in header || 'b64' in header) throw new joseErrors.JWSInvalid('JWS extensions are not accepted');
    const first = token.indexOf('.');
    const last = token.lastIndexOf('.');
    if (first <= 0 || last === first || token.indexOf('.', first + 1) !== last) throw new joseErrors.JWTInvalid('Invalid JWT');
    // Compared as base64url text: exactly the signature's one encoding (Buffer's
    // decoder would skip characters that are not base64url).
    const expected = Buffer.from(createHmac('sha256', key).update(token.slice(0, last)).digest('base64url'));
    const given = Buffer.from(token.slice(last + 1));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new joseErrors.JWSSignatureVerificationFailed();
    }
    return UnsecuredJWT.decode(`${NONE_HEADER}.${token.slice(first + 1, last)}.`, options).payload;
  };
}
