/**
 * Invitation links on the real app (real Redis, real mediasoup): owners
 * create, list and revoke them; anyone with a code sees what it opens and
 * gets a token of a new user, which passes `hello` with the link's role and
 * meeting; expiry, revocation and maxUses under concurrent accepts; and the
 * code is never listed, stored or logged.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../../test/app.js';
import { testConfig } from '../../test/config.js';
import { TestClient } from '../../test/TestClient.js';
import { useTestApp } from '../../test/useTestApp.js';
import { buildApp, redactQuery } from './app.js';
import { mintAccessToken } from './auth/tokens.js';
import { ErrorCode, PROTOCOL_VERSION } from './protocol/index.js';
import { hashCode, InvitationStore } from './store/invitations.js';
import { makeKeys } from './store/keys.js';

const PROJECT = 'chantier-nord';
const { app: t, clients } = useTestApp();
let ownerToken: string;

interface Created {
  invitation: { invitationId: string; role: string; roomId?: string; uses: number; maxUses?: number; expiresAt: number; createdAt: number };
  code: string;
  url: string;
}

async function api(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { error?: { code: string } } };
}

async function create(body: Record<string, unknown>, token = ownerToken): Promise<Created> {
  const r = await api('POST', `/api/projects/${PROJECT}/invitations`, { token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as unknown as Created;
}

async function connect(): Promise<TestClient> {
  const c = await TestClient.connect(t.url);
  clients.push(c);
  return c;
}

// After the app's beforeAll: the app is up.
beforeAll(async () => {
  ownerToken = await t.token({ projectId: PROJECT, role: 'owner', userId: 'owner-1', displayName: 'Chef' });
  const r = await api('POST', '/api/projects', { token: ownerToken, body: { id: PROJECT, name: 'Chantier Nord' } });
  expect(r.status).toBe(201);
});

describe('owners manage invitations', () => {
  it('creates, lists (without the code) and revokes', async () => {
    const before = Date.now();
    const created = await create({ role: 'guest', expiresInS: 3600, maxUses: 5, roomId: 'reunion', label: '  Électricien  ' });
    expect(created.code).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(created.url).toBe(`${t.config.publicUrl}/i/${created.code}`);
    expect(created.invitation).toMatchObject({ role: 'guest', roomId: 'reunion', label: 'Électricien', maxUses: 5, uses: 0, createdBy: 'owner-1' });
    expect(created.invitation.expiresAt).toBeGreaterThanOrEqual(before + 3600_000);
    expect(created.invitation.expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000);
    expect(JSON.stringify(created.invitation)).not.toContain('codeHash');

    const listed = await api('GET', `/api/projects/${PROJECT}/invitations`, { token: ownerToken });
    expect(listed.status).toBe(200);
    const invitations = listed.body.invitations as Array<{ invitationId: string; revokedAt?: number }>;
    expect(invitations.map((i) => i.invitationId)).toContain(created.invitation.invitationId);
    expect(JSON.stringify(listed.body)).not.toContain(created.code);
    expect(JSON.stringify(listed.body)).not.toContain(hashCode(created.code));

    expect((await api('GET', `/api/invitations/${created.code}`)).status).toBe(200);
    const revoked = await api('DELETE', `/api/projects/${PROJECT}/invitations/${created.invitation.invitationId}`, { token: ownerToken });
    expect(revoked.status).toBe(204);
    const after = (await api('GET', `/api/projects/${PROJECT}/invitations`, { token: ownerToken })).body.invitations as Array<{
      invitationId: string;
      revokedAt?: number;
    }>;
    expect(after.find((i) => i.invitationId === created.invitation.invitationId)?.revokedAt).toBeGreaterThan(0);
    // Revoked links stop at once, for a look and for an accept; a second revoke finds nothing.
    const look = await api('GET', `/api/invitations/${created.code}`);
    expect([look.status, look.body.error?.code]).toEqual([404, ErrorCode.INVITATION_INVALID]);
    const accept = await api('POST', `/api/invitations/${created.code}/accept`, { body: { displayName: 'Paul' } });
    expect([accept.status, accept.body.error?.code]).toEqual([404, ErrorCode.INVITATION_INVALID]);
    // Revoking again changes nothing; an unknown id is NOT_FOUND.
    const again = await api('DELETE', `/api/projects/${PROJECT}/invitations/${created.invitation.invitationId}`, { token: ownerToken });
    expect(again.status).toBe(204);
    const unknown = await api('DELETE', `/api/projects/${PROJECT}/invitations/nope`, { token: ownerToken });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, ErrorCode.NOT_FOUND]);
  });

  it('lets the admin token create one', async () => {
    const admin = await startTestApp({ ADMIN_TOKEN: 'admin-token-admin-token-admin-token-0123' });
    try {
      const r = await fetch(`${admin.url}/api/projects/${PROJECT}/invitations`, {
        method: 'POST',
        headers: { authorization: 'Bearer admin-token-admin-token-admin-token-0123', 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'member', expiresInS: 600 }),
      });
      expect(r.status).toBe(201);
      expect(((await r.json()) as Created).invitation).toMatchObject({ createdBy: 'admin', role: 'member' });
    } finally {
      await admin.close();
    }
  });

  it('refuses everyone but the project’s owners', async () => {
    const { invitation } = await create({ role: 'guest', expiresInS: 600 });
    const paths: Array<[string, string, unknown?]> = [
      ['POST', `/api/projects/${PROJECT}/invitations`, { role: 'guest', expiresInS: 600 }],
      ['GET', `/api/projects/${PROJECT}/invitations`],
      ['DELETE', `/api/projects/${PROJECT}/invitations/${invitation.invitationId}`],
    ];
    const forbidden = [
      await t.token({ projectId: PROJECT, role: 'member' }),
      await t.token({ projectId: PROJECT, role: 'guest' }),
      await t.token({ projectId: PROJECT, role: 'moderator' }),
      await t.token({ projectId: 'autre-projet', role: 'owner' }),
    ];
    for (const [method, path, body] of paths) {
      for (const token of forbidden) {
        const r = await api(method, path, { token, ...(body ? { body } : {}) });
        expect([method, path, r.status, r.body.error?.code]).toEqual([method, path, 403, ErrorCode.FORBIDDEN]);
      }
      const anonymous = await api(method, path, body ? { body } : {});
      expect([method, path, anonymous.status, anonymous.body.error?.code]).toEqual([method, path, 401, ErrorCode.UNAUTHORIZED]);
    }
    // Still there: nobody revoked it.
    const look = (await api('GET', `/api/projects/${PROJECT}/invitations`, { token: ownerToken })).body.invitations as Array<{ invitationId: string; revokedAt?: number }>;
    expect(look.find((i) => i.invitationId === invitation.invitationId)?.revokedAt).toBeUndefined();
  });

  it('checks what an invitation may be', async () => {
    for (const body of [
      { role: 'owner', expiresInS: 600 },
      { role: 'moderator', expiresInS: 600 },
      { role: 'guest', expiresInS: 59 },
      { role: 'guest', expiresInS: 30 * 24 * 3600 + 1 },
      { role: 'guest', expiresInS: 600, maxUses: 0 },
      { role: 'guest', expiresInS: 600, maxUses: 1001 },
      { role: 'guest', expiresInS: 600, roomId: 'pas une salle' },
      { role: 'guest', expiresInS: 600, label: 'x'.repeat(81) },
      { role: 'guest', expiresInS: 600, label: 'a\u0007b' },
    ]) {
      const r = await api('POST', `/api/projects/${PROJECT}/invitations`, { token: ownerToken, body });
      expect([JSON.stringify(body), r.status, r.body.error?.code]).toEqual([JSON.stringify(body), 400, ErrorCode.BAD_REQUEST]);
    }
  });
});

describe('opening a link', () => {
  it('shows what it opens, then gives a guest a token limited to the meeting', async () => {
    const { code, invitation } = await create({ role: 'guest', expiresInS: 7200, roomId: 'reunion' });
    const look = await api('GET', `/api/invitations/${code}`);
    expect(look.status).toBe(200);
    expect(look.body).toEqual({ projectName: 'Chantier Nord', role: 'guest', roomId: 'reunion', expiresAt: invitation.expiresAt });

    const accepted = await api('POST', `/api/invitations/${code}/accept`, { body: { displayName: '  Amélie Roux ' } });
    expect(accepted.status).toBe(200);
    const { token, projectId, roomId, expiresAt } = accepted.body as { token: string; projectId: string; roomId: string; expiresAt: number };
    expect([projectId, roomId]).toEqual([PROJECT, 'reunion']);
    // The session lasts the link's lifetime at most (2 h here, below the 12 h default).
    expect(expiresAt).toBeGreaterThan(Date.now() + 7100_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 7200_000 + 1000);

    const c = await connect();
    const hello = await c.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId: 'reunion' });
    expect(hello.self.role).toBe('guest');
    expect(hello.self.displayName).toBe('Amélie Roux');
    expect(hello.self.userId).toMatch(/^inv-/);
    // The room claim: neither another meeting nor the project page.
    const other = await connect();
    expect((await other.expectError(other.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT, roomId: 'autre' }))).code).toBe(
      ErrorCode.FORBIDDEN,
    );
    const page = await connect();
    expect((await page.expectError(page.request('hello', { protocol: PROTOCOL_VERSION, token, projectId: PROJECT }))).code).toBe(ErrorCode.FORBIDDEN);

    // A guest is not made a member by the link.
    const members = (await api('GET', `/api/projects/${PROJECT}`, { token: ownerToken })).body.members as Array<{ userId: string; role: string }>;
    expect(members.find((m) => m.userId === hello.self.userId)?.role).not.toBe('member');
    // The use was counted.
    const listed = (await api('GET', `/api/projects/${PROJECT}/invitations`, { token: ownerToken })).body.invitations as Array<{ invitationId: string; uses: number }>;
    expect(listed.find((i) => i.invitationId === invitation.invitationId)?.uses).toBe(1);
  });

  it('makes a member of the project, each accept a new user, with a token for the whole project', async () => {
    const { code } = await create({ role: 'member', expiresInS: 30 * 24 * 3600 });
    const a = await api('POST', `/api/invitations/${code}/accept`, { body: { displayName: 'Marc' } });
    const b = await api('POST', `/api/invitations/${code}/accept`, { body: { displayName: 'Marc' } });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.roomId).toBeUndefined();
    // Capped by INVITATION_SESSION_TTL_S (12 h by default), not by the 30-day link.
    expect(a.body.expiresAt as number).toBeLessThanOrEqual(Date.now() + 12 * 3600_000 + 1000);
    expect(a.body.expiresAt as number).toBeGreaterThan(Date.now() + 11 * 3600_000);

    const ca = await connect();
    const helloA = await ca.request('hello', { protocol: PROTOCOL_VERSION, token: a.body.token as string, projectId: PROJECT });
    const cb = await connect();
    const helloB = await cb.request('hello', { protocol: PROTOCOL_VERSION, token: b.body.token as string, projectId: PROJECT, roomId: 'salle-2' });
    expect(helloA.self.role).toBe('member');
    expect(helloB.self.role).toBe('member');
    expect(helloA.self.userId).not.toBe(helloB.self.userId);
    const members = (await api('GET', `/api/projects/${PROJECT}`, { token: ownerToken })).body.members as Array<{ userId: string; role: string; displayName: string }>;
    expect(members.find((m) => m.userId === helloA.self.userId)).toMatchObject({ role: 'member', displayName: 'Marc' });
  });

  it('refuses bad names without using the link', async () => {
    const { code, invitation } = await create({ role: 'guest', expiresInS: 600, maxUses: 1 });
    for (const displayName of ['', '   ', 'x'.repeat(65), 'a\u0000b', 'line\nbreak', 'x'.repeat(129)]) {
      const r = await api('POST', `/api/invitations/${code}/accept`, { body: { displayName } });
      expect([JSON.stringify(displayName), r.status, r.body.error?.code]).toEqual([JSON.stringify(displayName), 400, ErrorCode.BAD_REQUEST]);
    }
    const listed = (await api('GET', `/api/projects/${PROJECT}/invitations`, { token: ownerToken })).body.invitations as Array<{ invitationId: string; uses: number }>;
    expect(listed.find((i) => i.invitationId === invitation.invitationId)?.uses).toBe(0);
    expect((await api('POST', `/api/invitations/${code}/accept`, { body: { displayName: 'Ok' } })).status).toBe(200);
  });

  it('answers unknown codes late, with the same code as a revoked one', async () => {
    const unknown = 'A'.repeat(24);
    const started = Date.now();
    const look = await api('GET', `/api/invitations/${unknown}`);
    const accept = await api('POST', `/api/invitations/${unknown}/accept`, { body: { displayName: 'X' } });
    // Two failures, each held back by the failed-lookup delay (250 ms): a lower bound, not a timing assertion on speed.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 240);
    expect([look.status, look.body.error?.code]).toEqual([404, ErrorCode.INVITATION_INVALID]);
    expect([accept.status, accept.body.error?.code]).toEqual([404, ErrorCode.INVITATION_INVALID]);
    // A truncated link is just as invalid; a malformed code never reaches the store.
    const truncated = await api('GET', `/api/invitations/${(await create({ role: 'guest', expiresInS: 600 })).code.slice(0, 20)}`);
    expect([truncated.status, truncated.body.error?.code]).toEqual([404, ErrorCode.INVITATION_INVALID]);
    const malformed = await api('GET', `/api/invitations/${'x'.repeat(65)}`);
    expect(malformed.body.error?.code).toBe(ErrorCode.BAD_REQUEST);
  });

  it('refuses an expired link (made in the past with the store’s clock)', async () => {
    const past = new InvitationStore(t.app.redis, makeKeys(t.config.redisKeyPrefix), () => Date.now() - 2 * 3600_000);
    const { code } = await past.create({ projectId: PROJECT, role: 'guest', createdBy: 'owner-1', expiresInS: 3600 });
    const look = await api('GET', `/api/invitations/${code}`);
    expect([look.status, look.body.error?.code]).toEqual([410, ErrorCode.INVITATION_EXPIRED]);
    const accept = await api('POST', `/api/invitations/${code}/accept`, { body: { displayName: 'Tard' } });
    expect([accept.status, accept.body.error?.code]).toEqual([410, ErrorCode.INVITATION_EXPIRED]);
    // Expired links stay listed for a while (so the owner sees them), not forever: the keys expire.
    const keys = makeKeys(t.config.redisKeyPrefix);
    const ttl = await t.app.redis.ttl(keys.invitationCode(hashCode(code)));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
    // The project's index outlives its every invitation, never the other way round.
    expect(await t.app.redis.ttl(keys.invitations(PROJECT))).toBeGreaterThanOrEqual(ttl);
  });

  it('holds maxUses under 20 concurrent accepts', async () => {
    const { code, invitation } = await create({ role: 'guest', expiresInS: 600, maxUses: 3 });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api('POST', `/api/invitations/${code}/accept`, { body: { displayName: `P${i}` } })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body.error?.code)).toEqual(Array(17).fill(ErrorCode.INVITATION_USED_UP));
    const look = await api('GET', `/api/invitations/${code}`);
    expect(look.body.error?.code).toBe(ErrorCode.INVITATION_USED_UP);
    const listed = (await api('GET', `/api/projects/${PROJECT}/invitations`, { token: ownerToken })).body.invitations as Array<{ invitationId: string; uses: number }>;
    expect(listed.find((i) => i.invitationId === invitation.invitationId)?.uses).toBe(3);
  });

  it('holds maxUses when 20 redeems reach Redis interleaved (the store itself, one pipeline)', async () => {
    // Through HTTP the requests may arrive one after the other; here every
    // lookup is sent before any use is counted, which a read-then-write
    // redeem would get wrong.
    const store = new InvitationStore(t.app.redis, makeKeys(t.config.redisKeyPrefix));
    const { code, invitation } = await store.create({ projectId: PROJECT, role: 'guest', createdBy: 'owner-1', expiresInS: 600, maxUses: 3 });
    const results = await Promise.all(Array.from({ length: 20 }, () => store.redeem(code)));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.problem))).toEqual(Array(17).fill('usedUp'));
    expect((await store.get(PROJECT, invitation.invitationId))?.uses).toBe(3);
  });

  it('keeps no code in Redis: only its hash', async () => {
    const codes = [(await create({ role: 'guest', expiresInS: 600 })).code, (await create({ role: 'member', expiresInS: 600, roomId: 'x' })).code];
    const redis = t.app.redis;
    let dump = '';
    for await (const keys of redis.scanIterator({ MATCH: `${t.config.redisKeyPrefix}*`, COUNT: 100 })) {
      for (const key of [keys].flat()) {
        dump += key + '\n';
        const type = await redis.type(key);
        if (type === 'string') dump += (await redis.get(key)) + '\n';
        else if (type === 'hash') dump += JSON.stringify(await redis.hGetAll(key)) + '\n';
        else if (type === 'zset') dump += JSON.stringify(await redis.zRange(key, 0, -1)) + '\n';
        else if (type === 'set') dump += JSON.stringify(await redis.sMembers(key)) + '\n';
      }
    }
    expect(dump).toContain(hashCode(codes[0]!));
    for (const code of codes) expect(dump).not.toContain(code);
  });
});

describe('a server that does not accept HS256 tokens', () => {
  it('answers INVITATIONS_DISABLED', async () => {
    const { startJwksServer } = await import('../../test/jwks.js');
    const jwks = await startJwksServer();
    const key = await jwks.addKey('RS256');
    const rs = await startTestApp({ JWT_JWKS_URL: jwks.url, JWT_ALGORITHMS: 'RS256' });
    try {
      const owner = await key.sign({ name: 'Chef', project: PROJECT, role: 'owner', sub: 'o' }, { expiresInS: 600 });
      const r = await fetch(`${rs.url}/api/projects/${PROJECT}/invitations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'guest', expiresInS: 600 }),
      });
      expect(r.status).toBe(409);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe(ErrorCode.INVITATIONS_DISABLED);
    } finally {
      await rs.close();
      await jwks.close();
    }
  });
});

describe('codes never logged', () => {
  it('redacts invitation paths', () => {
    expect(redactQuery('/i/abcdefghijklmnopqrstuvwx')).toBe('/i/[redacted]');
    expect(redactQuery('/api/invitations/abcdefghijklmnopqrstuvwx/accept')).toBe('/api/invitations/[redacted]/accept');
    expect(redactQuery('/api/projects/p/invitations/abc')).toBe('/api/projects/p/invitations/abc');
  });

  it('writes no code in any log line at trace level', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const config = testConfig({ LOG_LEVEL: 'trace' });
    const app: FastifyInstance = await buildApp(config, { logStream: stream });
    await app.listen({ host: config.host, port: 0 });
    const url = `http://${config.host}:${(app.server.address() as AddressInfo).port}`;
    const codes: string[] = [];
    try {
      const owner = await mintAccessToken({ userId: 'o', displayName: 'Chef', projectId: PROJECT, role: 'owner' }, config.jwtSecret);
      for (const role of ['guest', 'member']) {
        const r = await fetch(`${url}/api/projects/${PROJECT}/invitations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
          body: JSON.stringify({ role, expiresInS: 600, maxUses: 1 }),
        });
        const { code } = (await r.json()) as Created;
        codes.push(code);
        expect((await fetch(`${url}/i/${code}`)).status).toBe(200);
        expect((await fetch(`${url}/api/invitations/${code}`)).status).toBe(200);
        const accept = (code: string) =>
          fetch(`${url}/api/invitations/${code}/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"displayName":"Log"}' });
        expect((await accept(code)).status).toBe(200);
        expect((await accept(code)).status).toBe(410);
      }
    } finally {
      await app.close();
    }
    const log = lines.join('');
    expect(log).toContain('invitation accepted');
    expect(log).toContain('/api/invitations/[redacted]/accept');
    expect(log).toContain('/i/[redacted]');
    for (const code of codes) expect(log).not.toContain(code);
  });
});
