import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, requestTypes } from '../protocol/index.js';
import {
  identityKinds,
  policyGaps,
  renderAccessTable,
  requestAccess,
  routeAccess,
  ruleOf,
  staticFileAccess,
  TABLE_BEGIN,
  TABLE_END,
  withAccessTable,
  type RegisteredRoute,
} from './access.js';

/** The routes the policy names, as the app would register them. */
const declared: RegisteredRoute[] = Object.keys(routeAccess).map((key) => {
  const [method, url] = key.split(' ') as [string, string];
  return { method, url, staticFile: false };
});

describe('the access policy', () => {
  it('has no gap against its own routes and the protocol\'s request types', () => {
    expect(policyGaps(declared, requestTypes)).toEqual([]);
  });

  it('fails the check, naming it, for a route the app registers without a rule', () => {
    const extra = { method: 'GET', url: '/api/projects/:projectId/secrets', staticFile: false };
    expect(ruleOf(extra)).toBeUndefined();
    expect(policyGaps([...declared, extra], requestTypes)).toEqual([
      'route GET /api/projects/:projectId/secrets has no rule in auth/access.ts routeAccess',
    ]);
    // Its HEAD twin is a route of its own.
    expect(policyGaps([...declared, { ...extra, method: 'HEAD' }], requestTypes)).toEqual([
      'route HEAD /api/projects/:projectId/secrets has no rule in auth/access.ts routeAccess',
    ]);
  });

  it('fails the check for a request type without a rule, and for a rule of a route or request that is gone', () => {
    expect(policyGaps(declared, [...requestTypes, 'shareScreenWithEveryone'])).toEqual([
      'request shareScreenWithEveryone has no rule in auth/access.ts requestAccess',
    ]);
    const withoutChat = declared.filter((r) => r.url !== '/api/projects/:projectId/chat');
    expect(policyGaps(withoutChat, requestTypes)).toEqual([
      'routeAccess has a rule for GET /api/projects/:projectId/chat, which the app does not register',
      'routeAccess has a rule for HEAD /api/projects/:projectId/chat, which the app does not register',
    ]);
    expect(policyGaps(declared, requestTypes.filter((t) => t !== 'ping'))).toEqual([
      'requestAccess has a rule for ping, which is not a request type',
    ]);
  });

  it('gives every file of the built client the public rule, whatever its hashed name', () => {
    expect(ruleOf({ method: 'GET', url: '/assets/index-Zx81kq.js', staticFile: true })).toBe(staticFileAccess);
    expect(identityKinds.every((k) => staticFileAccess.expect[k] === 'ok')).toBe(true);
  });

  it('says, for every identity, ok or a real error code', () => {
    const codes = new Set<string>([...Object.values(ErrorCode), 'ok']);
    for (const [name, rule] of [...Object.entries(requestAccess), ...Object.entries(routeAccess)]) {
      expect(Object.keys(rule.expect).sort(), name).toEqual([...identityKinds].sort());
      for (const expected of Object.values(rule.expect)) expect(codes.has(expected), `${name}: ${expected}`).toBe(true);
    }
    for (const [key, rule] of Object.entries(routeAccess)) {
      expect(rule.okStatus, key).toBeGreaterThanOrEqual(200);
      expect(rule.okStatus, key).toBeLessThan(300);
      // A HEAD twin answers as its GET.
      if (key.startsWith('HEAD ')) expect(rule, key).toEqual(routeAccess[key.replace('HEAD ', 'GET ')]);
    }
    // The identities whose hello is refused get nothing else.
    for (const [type, rule] of Object.entries(requestAccess)) {
      if (type === 'hello') continue;
      for (const k of ['otherProject', 'otherMeeting', 'anonymous', 'expired'] as const) expect(rule.expect[k], type).toBe('HELLO_REQUIRED');
    }
  });

  it('is what docs/SECURITY.md shows (npm run access-table writes it)', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/SECURITY.md', import.meta.url)), 'utf8');
    expect(doc).toContain(TABLE_BEGIN);
    expect(withAccessTable(doc), 'docs/SECURITY.md is stale: run npm run access-table').toBe(doc);
    const table = renderAccessTable();
    for (const type of requestTypes) expect(table).toContain(`| \`${type}\` |`);
    expect(table.endsWith(TABLE_END)).toBe(true);
  });

  it('notices a table that differs from the policy', () => {
    const doc = `# x\n${renderAccessTable().replace('| `moderate` | ok | ok | FORBIDDEN', '| `moderate` | ok | ok | ok')}\nrest\n`;
    expect(withAccessTable(doc)).not.toBe(doc);
    expect(() => withAccessTable('no markers')).toThrow(/markers/);
  });

  it('names exactly the request types of the registry', () => {
    expect(Object.keys(requestAccess).sort()).toEqual([...requestTypes].sort());
  });
});
