/**
 * `npm run token -- --room R` (issue 16, item 4): the printed link's token
 * carries the `room` claim, so it opens that meeting and nothing else of the
 * project over the socket, and over HTTP only what README's "Access tokens"
 * gives a meeting-limited token (the documents, the chat, its own meeting's
 * `current`). Minted through the CLI's own functions, and once through the
 * CLI itself (a child process) to check the printed link.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { helloSession, httpJson } from '../../test/session.js';
import { RequestFailed } from '../../test/TestClient.js';
import { mintTokenLink, parseTokenArgs } from './cli/tokenLink.js';
import { ErrorCode } from './protocol/index.js';
import { testTempDir } from '../../test/tempDir.js';
import { useTestApp } from '../../test/useTestApp.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = 'lien-chantier';
const ROOM = 'reunion';

const { app: t } = useTestApp();

/** A hello with this token for `room` (unset: the project page): accepted, or the refusal's code. */
async function helloWith(token: string, room?: string): Promise<{ ok: true } | { ok: false; code: string }> {
  try {
    const s = await helloSession(t, { projectId: PROJECT, token, ...(room !== undefined ? { room } : {}) });
    s.c.close();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof RequestFailed)) throw error;
    return { ok: false, code: error.code };
  }
}

/** What the token reaches over HTTP: status per route. */
async function httpReach(token: string): Promise<Record<string, number>> {
  const paths = [
    `/api/projects/${PROJECT}`,
    `/api/projects/${PROJECT}/presence`,
    `/api/projects/${PROJECT}/meetings`,
    `/api/projects/${PROJECT}/invitations`,
    `/api/projects/${PROJECT}/meetings/${ROOM}/current`,
    `/api/projects/${PROJECT}/meetings/autre-reunion/current`,
    `/api/projects/${PROJECT}/chat`,
    `/api/projects/${PROJECT}/documents`,
  ];
  const reach: Record<string, number> = {};
  for (const path of paths) reach[path.slice(`/api/projects/${PROJECT}`.length) || '/'] = (await httpJson(t.url, path, token)).status;
  return reach;
}

/** README: a token limited to one meeting reaches the documents, the chat and its meeting's `current` only. */
const MEETING_ONLY = {
  '/': 403,
  '/presence': 403,
  '/meetings': 403,
  '/invitations': 403,
  [`/meetings/${ROOM}/current`]: 200,
  '/meetings/autre-reunion/current': 403,
  '/chat': 200,
  '/documents': 200,
};

describe('npm run token -- --room', () => {
  it('mints a token for that meeting only: another meeting or the project page is FORBIDDEN', async () => {
    const args = parseTokenArgs(['--project', PROJECT, '--name', 'Chef de chantier', '--room', ROOM, '--role', 'owner']);
    const { token, url } = await mintTokenLink(args, t.config);
    expect(url).toBe(`${t.config.publicUrl}/p/${PROJECT}/r/${ROOM}#token=${token}`);
    expect((await t.app.tokens.verify(token)).roomId).toBe(ROOM);

    expect(await helloWith(token, ROOM)).toEqual({ ok: true });
    expect(await helloWith(token, 'autre-reunion')).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN });
    expect(await helloWith(token)).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN });
    // Even an owner's meeting link manages nothing of the project.
    expect(await httpReach(token)).toEqual(MEETING_ONLY);
  });

  it('without --room, links the project page, and the token opens the whole project', async () => {
    const { token, url } = await mintTokenLink(parseTokenArgs(['--project', PROJECT, '--name', 'Léa Martin']), t.config);
    expect(url).toBe(`${t.config.publicUrl}/p/${PROJECT}#token=${token}`);
    expect((await t.app.tokens.verify(token)).roomId).toBeUndefined();
    expect(await helloWith(token)).toEqual({ ok: true });
    expect(await helloWith(token, 'autre-reunion')).toEqual({ ok: true });
    const reach = await httpReach(token);
    // A member: everything but the owners' invitations list.
    expect(reach).toEqual({ ...Object.fromEntries(Object.keys(MEETING_ONLY).map((k) => [k, 200])), '/invitations': 403 });
  });

  it('the CLI itself prints a link whose token cannot open another meeting', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'signaling/src/cli/token.ts', '--project', PROJECT, '--name', 'Chef de chantier', '--room', ROOM],
      {
        cwd: REPO,
        timeout: 20_000,
        env: {
          PATH: process.env.PATH ?? '',
          JWT_SECRET: t.config.jwtSecret,
          PUBLIC_URL: t.url,
          DATA_DIR: testTempDir('chantier-token-cli'),
        },
      },
    );
    const [token, link] = stdout.trim().split('\n');
    expect(link).toBe(`${t.url}/p/${PROJECT}/r/${ROOM}#token=${token}`);
    expect(stderr).toContain(`meeting "${ROOM}"`);
    const fromLink = new URL(link!).hash.slice('#token='.length);
    expect(await helloWith(fromLink, ROOM)).toEqual({ ok: true });
    expect(await helloWith(fromLink, 'autre-reunion')).toMatchObject({ ok: false, code: ErrorCode.FORBIDDEN });
    expect(await httpReach(fromLink)).toEqual(MEETING_ONLY);
  });

  it('refuses a room the token could not carry, before minting anything', async () => {
    const run = promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'signaling/src/cli/token.ts', '--project', PROJECT, '--name', 'X', '--room', '../autre'],
      { cwd: REPO, timeout: 20_000, env: { PATH: process.env.PATH ?? '', JWT_SECRET: t.config.jwtSecret } },
    );
    await expect(run).rejects.toMatchObject({ code: 2, stdout: '' });
  });
});
