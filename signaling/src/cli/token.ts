/**
 * npm run token -- --project P --name N [--user U] [--role owner|moderator|member|guest]
 *                  [--room R] [--ttl SECONDS]
 * Prints an access token signed with the server's secret, then its link: with
 * --room, the meeting's, and the token opens that meeting only; without, the
 * project page's, and the token opens the whole project (cli/tokenLink.ts).
 */
import { loadConfig } from '../config.js';
import { mintTokenLink, parseTokenArgs, TOKEN_USAGE, UsageError } from './tokenLink.js';

async function main(): Promise<void> {
  let args;
  try {
    args = parseTokenArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${TOKEN_USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  if (!config.jwt.algorithms.includes('HS256')) {
    process.stderr.write('warning: JWT_ALGORITHMS does not include HS256: this server will refuse the token below\n');
  }
  const link = await mintTokenLink(args, config);
  process.stdout.write(`${link.token}\n${link.url}\n`);
  process.stderr.write(
    args.roomId !== undefined
      ? `this link opens the meeting "${args.roomId}" of project "${args.projectId}" only\n`
      : `this link opens project "${args.projectId}": its page and every meeting (--room <id> limits it to one meeting)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
