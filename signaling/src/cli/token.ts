/**
 * npm run token -- --project P --name N [--user U] [--role owner|moderator|member|guest]
 *                  [--room R] [--ttl SECONDS]
 * Prints an access token signed with the server's secret, and a meeting link.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { mintAccessToken } from '../auth/tokens.js';
import { loadConfig } from '../config.js';
import { Role } from '../protocol/index.js';
import { Value } from '@sinclair/typebox/value';

function isRole(role: string | undefined): role is Role {
  return Value.Check(Role, role);
}

const usage =
  'usage: npm run token -- --project <id> --name <display name> [--user <id>] [--role owner|moderator|member|guest] [--room <id>] [--ttl <seconds>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      project: { type: 'string' },
      name: { type: 'string' },
      user: { type: 'string' },
      role: { type: 'string', default: 'member' },
      room: { type: 'string' },
      ttl: { type: 'string', default: String(12 * 3600) },
    },
  });
  const role = values.role;
  const ttl = Number(values.ttl);
  if (!values.project || !values.name || !isRole(role) || !Number.isFinite(ttl)) {
    process.stderr.write(usage + '\n');
    process.exit(2);
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(values.project)) {
    process.stderr.write('--project: letters, digits, - and _ only\n');
    process.exit(2);
  }
  const config = loadConfig();
  if (!config.jwt.algorithms.includes('HS256')) {
    process.stderr.write('warning: JWT_ALGORITHMS does not include HS256: this server will refuse the token below\n');
  }
  const token = await mintAccessToken(
    {
      userId: values.user ?? `u-${randomBytes(4).toString('hex')}`,
      displayName: values.name,
      projectId: values.project,
      role,
      ttlSeconds: ttl,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    },
    config.jwtSecret,
  );
  const room = values.room ?? config.demo?.roomId ?? 'reunion';
  process.stdout.write(`${token}\n${config.publicUrl}/p/${values.project}/r/${room}#token=${token}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
