/**
 * What `npm run token` does, as functions the CLI calls and tests call too:
 * read its arguments, mint an access token signed with the server's secret,
 * and build the link it opens.
 *
 * With --room the token carries the `room` claim (it opens that meeting only,
 * README "Access tokens") and the link is the meeting's; without it the
 * token opens the whole project (its page and every meeting), and the link is
 * the project page's.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { mintAccessToken } from '../auth/tokens.js';
import type { Config } from '../config.js';
import { Role } from '../protocol/index.js';

export const TOKEN_USAGE =
  'usage: npm run token -- --project <id> --name <display name> [--user <id>] [--role owner|moderator|member|guest] [--room <id>] [--ttl <seconds>]';

/** Bad arguments: the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface TokenLinkArgs {
  projectId: string;
  displayName: string;
  userId: string;
  role: Role;
  /** Limits the token to this meeting (the `room` claim). */
  roomId?: string;
  ttlSeconds: number;
}

export interface TokenLink {
  token: string;
  /** The meeting's link with --room, else the project page's; the token in the fragment. */
  url: string;
}

/** The claims' own bounds (auth/tokens.ts), so that the server accepts what is minted. */
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Args = {
  project: Id,
  room: Id,
  name: Type.String({ minLength: 1, maxLength: 64 }),
  user: Type.String({ minLength: 1, maxLength: 128 }),
  role: Role,
  ttl: Type.Integer({ minimum: 1, maximum: 365 * 24 * 3600 }),
};

function check<K extends keyof typeof Args>(name: K, value: unknown): void {
  if (!Value.Check(Args[name], value)) {
    const error = Value.Errors(Args[name], value).First();
    throw new UsageError(`--${name}: ${error?.message ?? 'invalid'}`);
  }
}

/** Reads the CLI's arguments (process.argv.slice(2)); throws UsageError. */
export function parseTokenArgs(argv: readonly string[]): TokenLinkArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        project: { type: 'string' },
        name: { type: 'string' },
        user: { type: 'string' },
        role: { type: 'string', default: 'member' },
        room: { type: 'string' },
        ttl: { type: 'string', default: String(12 * 3600) },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.project === undefined) throw new UsageError('--project is required');
  if (values.name === undefined) throw new UsageError('--name is required');
  const ttl = /^[0-9]{1,9}$/.test(values.ttl) ? Number(values.ttl) : Number.NaN;
  check('project', values.project);
  check('name', values.name);
  check('role', values.role);
  check('ttl', ttl);
  if (values.user !== undefined) check('user', values.user);
  if (values.room !== undefined) check('room', values.room);
  return {
    projectId: values.project,
    displayName: values.name,
    userId: values.user ?? `u-${randomBytes(4).toString('hex')}`,
    role: values.role as Role,
    ...(values.room !== undefined ? { roomId: values.room } : {}),
    ttlSeconds: ttl,
  };
}

/** Mints the token (HS256, the server's secret, its issuer and audience) and builds its link. */
export async function mintTokenLink(
  args: TokenLinkArgs,
  config: Pick<Config, 'jwtSecret' | 'jwt' | 'publicUrl'>,
): Promise<TokenLink> {
  const token = await mintAccessToken(
    {
      userId: args.userId,
      displayName: args.displayName,
      projectId: args.projectId,
      role: args.role,
      ttlSeconds: args.ttlSeconds,
      ...(args.roomId !== undefined ? { roomId: args.roomId } : {}),
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
    },
    config.jwtSecret,
  );
  const page = `${config.publicUrl}/p/${args.projectId}${args.roomId !== undefined ? `/r/${args.roomId}` : ''}`;
  return { token, url: `${page}#token=${token}` };
}
