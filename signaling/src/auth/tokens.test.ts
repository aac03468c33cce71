import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { mintAccessToken, verifyAccessToken } from './tokens.js';

const secret = 'unit-secret-unit-secret-unit-secret-unit';
const options = { userId: 'u1', displayName: 'Léa', projectId: 'p1', role: 'member' as const };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return (error as AppError).code;
  }
}

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
