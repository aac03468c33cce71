import { exportSPKI, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf } from '../../../test/errorCode.js';
import { startJwksServer, type JwksServer } from '../../../test/jwks.js';
import { createTokenVerifier, mintAccessToken, verifyAccessToken, type TokenVerifierOptions } from './tokens.js';

const secret = 'unit-secret-unit-secret-unit-secret-unit';
const options = { userId: 'u1', displayName: 'Léa', projectId: 'p1', role: 'member' as const };


describe('access tokens', () => {
  it('round-trips the claims', async () => {
    const identity = await verifyAccessToken(await mintAccessToken(options, secret), secret);
    expect(identity).toMatchObject({ userId: 'u1', displayName: 'Léa', projectId: 'p1', role: 'member' });
    expect(identity.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('refuses expired, forged, unsigned and incomplete tokens with distinct codes', async () => {
    expect(await codeOf(verifyAccessToken(await mintAccessToken({ ...options, ttlSeconds: -1 }, secret), secret))).toBe(
      'TOKEN_EXPIRED',
    );
    expect(await codeOf(verifyAccessToken(await mintAccessToken(options, secret + 'x'), secret))).toBe('UNAUTHORIZED');
    const [header, payload] = (await mintAccessToken(options, secret)).split('.');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect(await codeOf(verifyAccessToken(none, secret))).toBe('UNAUTHORIZED');
    expect(header).toBeTruthy();
    const noRole = await new SignJWT({ name: 'x', project: 'p1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    expect(await codeOf(verifyAccessToken(noRole, secret))).toBe('UNAUTHORIZED');
    const noExp = await new SignJWT({ name: 'x', project: 'p1', role: 'owner' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .sign(new TextEncoder().encode(secret));
    expect(await codeOf(verifyAccessToken(noExp, secret))).toBe('UNAUTHORIZED');
  });
});

describe('token verifier (HS256 secret and JWKS)', () => {
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await startJwksServer();
  });
  afterAll(async () => {
    await jwks.close();
  });

  const claims = { sub: 'u1', name: 'Léa', project: 'p1', role: 'member' };
  const verifier = (overrides: Partial<TokenVerifierOptions> = {}) =>
    createTokenVerifier({
      algorithms: ['RS256', 'ES256'],
      secret,
      jwksUrl: jwks.url,
      issuer: undefined,
      audience: undefined,
      clockToleranceS: 30,
      ...overrides,
    });

  it.each(['RS256', 'ES256'] as const)('verifies %s tokens with keys from the JWKS URL', async (alg) => {
    const key = await jwks.addKey(alg);
    const identity = await verifier().verify(await key.sign({ ...claims, room: 'chantier-nord' }));
    expect(identity).toMatchObject({ userId: 'u1', displayName: 'Léa', projectId: 'p1', role: 'member', roomId: 'chantier-nord' });
    expect(identity.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('keeps HS256 through the verifier when enabled, and refuses it when only the JWKS is', async () => {
    const hs = await mintAccessToken({ ...options, roomId: 'r1' }, secret);
    expect(await verifier({ algorithms: ['HS256'], jwksUrl: undefined }).verify(hs)).toMatchObject({ userId: 'u1', roomId: 'r1' });
    expect(await codeOf(verifier().verify(hs))).toBe('UNAUTHORIZED');
    // Both enabled: each token with its own key.
    const rs = await jwks.addKey('RS256');
    const both = verifier({ algorithms: ['HS256', 'RS256'] });
    expect((await both.verify(hs)).userId).toBe('u1');
    expect((await both.verify(await rs.sign(claims))).userId).toBe('u1');
  });

  it('fetches the key set again for a new kid (key rotation), and refuses an unknown kid', async () => {
    const v = verifier({ jwksCooldownMs: 0 });
    const first = await jwks.addKey('ES256');
    await v.verify(await first.sign(claims));
    const fetchesBefore = jwks.fetches;
    const rotated = await jwks.addKey('ES256');
    jwks.removeKey(first.kid);
    expect((await v.verify(await rotated.sign(claims))).userId).toBe('u1');
    expect(jwks.fetches).toBeGreaterThan(fetchesBefore);
    const forged = await rotated.sign(claims, { header: { kid: 'no-such-kid' } });
    expect(await codeOf(v.verify(forged))).toBe('UNAUTHORIZED');
  });

  it('requires a kid with the JWKS', async () => {
    const key = await jwks.addKey('RS256');
    const noKid = await key.sign(claims, { header: { kid: undefined } });
    expect(JSON.parse(Buffer.from(noKid.split('.')[0]!, 'base64url').toString()).kid).toBeUndefined();
    expect(await codeOf(verifier().verify(noKid))).toBe('UNAUTHORIZED');
  });

  it('refuses algorithms that are not enabled, alg none, and a key used with another algorithm', async () => {
    const rs = await jwks.addKey('RS256');
    const es = await jwks.addKey('ES256');
    expect(await codeOf(verifier({ algorithms: ['ES256'] }).verify(await rs.sign(claims)))).toBe('UNAUTHORIZED');
    // An RSA signature presented under the EC key's kid.
    expect(await codeOf(verifier().verify(await rs.sign(claims, { header: { kid: es.kid } })))).toBe('UNAUTHORIZED');
    const payload = (await rs.sign(claims)).split('.')[1];
    for (const header of [{ alg: 'none' }, { alg: 'none', kid: rs.kid }, { alg: 'NONE', kid: rs.kid }]) {
      const unsigned = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.`;
      expect(await codeOf(verifier({ algorithms: ['HS256', 'RS256', 'ES256'] }).verify(unsigned))).toBe('UNAUTHORIZED');
    }
    expect(await codeOf(verifier().verify('not.a.jwt'))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify('garbage'))).toBe('UNAUTHORIZED');
  });

  it('never takes a public key as an HMAC secret (algorithm confusion)', async () => {
    const rs = await jwks.addKey('RS256');
    const jwk = jwks.keys().find((k) => k.kid === rs.kid)!;
    const publicPem = await exportSPKI(await importJWK(jwk, 'RS256') as CryptoKey);
    for (const hmacKey of [publicPem, JSON.stringify(jwk), jwk.n!]) {
      const confused = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: rs.kid })
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(hmacKey));
      expect(await codeOf(verifier().verify(confused))).toBe('UNAUTHORIZED');
      expect(await codeOf(verifier({ algorithms: ['HS256', 'RS256'] }).verify(confused))).toBe('UNAUTHORIZED');
    }
  });

  it('checks issuer and audience when configured', async () => {
    const key = await jwks.addKey('ES256');
    const v = verifier({ issuer: 'https://platform.example', audience: 'chantier' });
    const good = await key.sign({ ...claims, iss: 'https://platform.example', aud: 'chantier' });
    expect((await v.verify(good)).userId).toBe('u1');
    expect(await codeOf(v.verify(await key.sign(claims)))).toBe('UNAUTHORIZED');
    expect(await codeOf(v.verify(await key.sign({ ...claims, iss: 'https://evil.example', aud: 'chantier' })))).toBe('UNAUTHORIZED');
    expect(await codeOf(v.verify(await key.sign({ ...claims, iss: 'https://platform.example', aud: 'other' })))).toBe('UNAUTHORIZED');
    // Not configured: not checked.
    expect((await verifier().verify(await key.sign({ ...claims, iss: 'anyone', aud: 'anything' }))).userId).toBe('u1');
  });

  it('allows a small clock skew only', async () => {
    const key = await jwks.addKey('RS256');
    expect((await verifier().verify(await key.sign(claims, { expiresInS: -10 }))).userId).toBe('u1');
    expect(await codeOf(verifier().verify(await key.sign(claims, { expiresInS: -60 })))).toBe('TOKEN_EXPIRED');
    expect(await codeOf(verifier({ clockToleranceS: 0 }).verify(await key.sign(claims, { expiresInS: -10 })))).toBe('TOKEN_EXPIRED');
  });

  it('checks the room claim and the other claims', async () => {
    const key = await jwks.addKey('ES256');
    expect(await codeOf(verifier().verify(await key.sign({ ...claims, room: '../other' })))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(await key.sign({ ...claims, room: '' })))).toBe('UNAUTHORIZED');
    expect(await codeOf(verifier().verify(await key.sign({ ...claims, role: 'admin' })))).toBe('UNAUTHORIZED');
    expect((await verifier().verify(await key.sign(claims))).roomId).toBeUndefined();
  });

  it('refuses tokens when the key set cannot be fetched, and says so', async () => {
    const key = await jwks.addKey('RS256');
    const token = await key.sign(claims);
    const down = await startJwksServer();
    await down.close();
    const errors: unknown[] = [];
    const v = verifier({ jwksUrl: down.url, jwksTimeoutMs: 2_000, onKeySetError: (e) => errors.push(e) });
    expect(await codeOf(v.verify(token))).toBe('UNAUTHORIZED');
    expect(errors).toHaveLength(1);
  });
});
