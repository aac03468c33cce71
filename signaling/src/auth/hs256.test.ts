/**
 * HS256 tokens through the synchronous path (auth/hs256.ts), as the hello
 * sees them: createTokenVerifier with the shared secret. Tokens are made by
 * jose, as the embedding platform's library would.
 */
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/errorCode.js';
import { createTokenVerifier, mintAccessToken, type TokenVerifierOptions } from './tokens.js';

const secret = 'hs256-unit-secret-hs256-unit-secret-0123';
const claims = { sub: 'u1', name: 'Léa', project: 'p1', role: 'member' };
const b64 = (text: string): string => Buffer.from(text).toString('base64url');

const verifier = (overrides: Partial<TokenVerifierOptions> = {}) =>
  createTokenVerifier({ algorithms: ['HS256'], secret, jwksUrl: undefined, issuer: undefined, audience: undefined, clockToleranceS: 30, ...overrides });


function sign(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }, key = secret): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

describe('HS256 tokens (node:crypto HMAC, jose claims)', () => {
  it('accepts a token signed with the secret, with every claim', async () => {
    const token = await mintAccessToken({ userId: 'u1', displayName: 'Léa', projectId: 'p1', role: 'moderator', roomId: 'r1' }, secret);
    const identity = await verifier().verify(token);
    expect(identity).toMatchObject({ userId: 'u1', displayName: 'Léa', projectId: 'p1', role: 'moderator', roomId: 'r1' });
    expect(identity.expiresAt).toBeGreaterThan(Date.now() / 1000);
    // And one made by hand (no iat, other header order).
    expect((await verifier().verify(sign({ ...claims, exp: inAnHour() }, { typ: 'JWT', alg: 'HS256' }))).userId).toBe('u1');
  });

  it('refuses another secret, a changed payload and a changed or re-encoded signature', async () => {
    expect(await codeOf(verifier().verify(sign({ ...claims, exp: inAnHour() }, undefined, `${secret}x`)))).toBe('UNAUTHORIZED');
    const token = sign({ ...claims, exp: inAnHour() });
    const [header, , signature] = token.split('.');
    const owner = `${header}.${b64(JSON.stringify({ ...claims, role: 'owner', exp: inAnHour() }))}.${signature}`;
    expect(await codeOf(verifier().verify(owner))).toBe('UNAUTHORIZED');
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await codeOf(verifier().verify(flipped))).toBe('UNAUTHORIZED');
    // The same signature bytes, written otherwise: padding, a character base64url has not.
    expect(await codeOf(verifier().verify(`${token}=`))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(`${token.slice(0, -2)}*${token.slice(-2)}`))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(`${token}.`))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(token.slice(0, token.lastIndexOf('.'))))).toBe('UNAUTHORIZED');
  });

  it('refuses an unsigned token, another HMAC algorithm and a JWS extension', async () => {
    const payload = b64(JSON.stringify({ ...claims, exp: inAnHour() }));
    expect(await codeOf(verifier().verify(`${b64('{"alg":"none"}')}.${payload}.`))).toBe('UNAUTHORIZED');
    const hs384 = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS384' }).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    expect(await codeOf(verifier().verify(hs384))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(sign({ ...claims, exp: inAnHour() }, { alg: 'HS256', crit: ['b64'], b64: true })))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(sign({ ...claims, exp: inAnHour() }, { alg: 'HS256', b64: false })))).toBe('UNAUTHORIZED');
  });

  it('checks expiry with the clock tolerance, nbf, and that exp is there', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await verifier().verify(sign({ ...claims, exp: now - 10 }))).userId).toBe('u1');
    expect(await codeOf(verifier().verify(sign({ ...claims, exp: now - 60 })))).toBe('TOKEN_EXPIRED');
    expect(await codeOf(verifier({ clockToleranceS: 0 }).verify(sign({ ...claims, exp: now - 10 })))).toBe('TOKEN_EXPIRED');
    expect(await codeOf(verifier().verify(sign({ ...claims, exp: inAnHour(), nbf: now + 600 })))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(sign({ ...claims })))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(sign({ ...claims, exp: 'tomorrow' })))).toBe('UNAUTHORIZED');
  });

  it('checks issuer and audience when configured, and the claims', async () => {
    const v = verifier({ issuer: 'https://platform.example', audience: 'chantier' });
    const exp = inAnHour();
    expect((await v.verify(sign({ ...claims, exp, iss: 'https://platform.example', aud: ['x', 'chantier'] }))).userId).toBe('u1');
    expect(await codeOf(v.verify(sign({ ...claims, exp, aud: 'chantier' })))).toBe('UNAUTHORIZED');
    expect(await codeOf(v.verify(sign({ ...claims, exp, iss: 'https://platform.example' })))).toBe('UNAUTHORIZED');
    expect(await codeOf(v.verify(sign({ ...claims, exp, iss: 'https://evil.example', aud: 'chantier' })))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(sign({ ...claims, exp, role: 'admin' })))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(sign({ ...claims, exp, room: '../x' })))).toBe('UNAUTHORIZED');
  });

  it('refuses what is not a token', async () => {
    for (const garbage of ['', 'garbage', 'a.b.c', '..', `${b64('{"alg":"HS256"}')}.not-json.${b64('x')}`]) {
      expect(await codeOf(verifier().verify(garbage))).toBe('UNAUTHORIZED');
    }
  });
});
