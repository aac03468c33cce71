/**
 * The app's two links:
 *   `/p/<projectId>#token=<access token>`            the project page
 *   `/p/<projectId>/r/<roomId>#token=<access token>` a meeting of the project
 *   `/p/<projectId>/r/<roomId>?audio=1&join=1#...`   the same, audio-only
 *                                                    (no camera, no video received)
 *                                                    and joined without the lobby:
 *                                                    where a call leads
 *   `/i/<code>`                                      an invitation link: pick a name,
 *                                                    get a token, go to the project
 *                                                    or its meeting
 * The token rides in the fragment so that it never reaches a server log or a
 * Referer header; the app removes it from the address bar as soon as it has
 * read it.
 */

export type Route =
  | { kind: 'home' }
  /** `token` null: a project path without a token (an INVALID_LINK). */
  | { kind: 'project'; projectId: string; token: string | null }
  /**
   * `token` null: a meeting path without a token (an INVALID_LINK).
   * `audioOnly` (`?audio=1`): join without camera and receive no video.
   * `autoJoin` (`?join=1`): skip the lobby (the user already said yes to a call).
   */
  | { kind: 'meeting'; projectId: string; roomId: string; token: string | null; audioOnly?: true; autoJoin?: true }
  /** An invitation link: `code` is its secret, checked by the server. */
  | { kind: 'invitation'; code: string };

/** The project's default meeting room, the one the project page's big button joins. */
export const DEFAULT_ROOM_ID = 'reunion';

/** Same rule as the protocol's ids. */
const ID = '[A-Za-z0-9_-]{1,64}';
const MEETING_PATH = new RegExp(`^/p/(${ID})/r/(${ID})/?$`);
const PROJECT_PATH = new RegExp(`^/p/(${ID})/?$`);
const INVITATION_PATH = new RegExp(`^/i/(${ID})/?$`);

/** The `token` parameter of a URL fragment, if any. */
export function tokenOf(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && token.trim() !== '' ? token : null;
}

/** A yes/no query flag: `1`, `true` or empty (`?audio`) mean yes. */
function flag(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  return value !== null && ['', '1', 'true', 'oui', 'yes'].includes(value.toLowerCase());
}

export function parseRoute(pathname: string, hash: string, search = ''): Route {
  const meeting = MEETING_PATH.exec(pathname);
  if (meeting) {
    const [, projectId = '', roomId = ''] = meeting;
    const params = new URLSearchParams(search);
    return {
      kind: 'meeting',
      projectId,
      roomId,
      token: tokenOf(hash),
      ...(flag(params, 'audio') ? { audioOnly: true as const } : {}),
      ...(flag(params, 'join') ? { autoJoin: true as const } : {}),
    };
  }
  const project = PROJECT_PATH.exec(pathname);
  if (project) {
    const [, projectId = ''] = project;
    return { kind: 'project', projectId, token: tokenOf(hash) };
  }
  const invitation = INVITATION_PATH.exec(pathname);
  if (invitation) return { kind: 'invitation', code: invitation[1] ?? '' };
  return { kind: 'home' };
}

/** The fragment without its `token` parameter ('' when nothing else remains). */
export function hashWithoutToken(hash: string): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.delete('token');
  const rest = params.toString();
  return rest === '' ? '' : `#${rest}`;
}

/**
 * One token per project, not per room: a token grants the whole project, so
 * the project page and every meeting of it opened in this tab share it.
 */
export function tokenKey(projectId: string): string {
  return `chantier.token:${projectId}`;
}

export function projectPath(projectId: string): string {
  return `/p/${encodeURIComponent(projectId)}`;
}

export function meetingPath(projectId: string, roomId: string): string {
  return `${projectPath(projectId)}/r/${encodeURIComponent(roomId)}`;
}

/** Where a call leads: its room, audio-only, joined without the lobby. */
export function callPath(projectId: string, roomId: string): string {
  return `${meetingPath(projectId, roomId)}?audio=1&join=1`;
}

/**
 * A link from one page of the project to another in the same tab. The token
 * is normally found in sessionStorage on arrival; only when it could not be
 * stored there does it ride along in the fragment again.
 */
export function linkWithToken(path: string, token: string, tokenStored: boolean): string {
  return tokenStored ? path : `${path}#token=${encodeURIComponent(token)}`;
}

export type TokenStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * Where an accepted invitation leads: the token goes to sessionStorage as a
 * `#token=` link's would (so a reload keeps it), or rides in the fragment when
 * it cannot be stored.
 */
export function invitationTarget(
  answer: { token: string; projectId: string; roomId?: string },
  session: TokenStorage | null,
): string {
  let stored = false;
  try {
    session?.setItem(tokenKey(answer.projectId), answer.token);
    stored = session !== null;
  } catch {
    // Storage full or blocked: the token rides in the link.
  }
  const path = answer.roomId !== undefined ? meetingPath(answer.projectId, answer.roomId) : projectPath(answer.projectId);
  return linkWithToken(path, answer.token, stored);
}

/** Whether the token of this route is (now) in sessionStorage. */
export interface ReadLink {
  route: Route;
  tokenStored: boolean;
}

/**
 * Reads the route from the address bar and removes the token from it. The
 * token is kept in sessionStorage (this tab only, gone when it closes) so that
 * a reload, or going from the project page to its meeting, does not turn into
 * an invalid link.
 */
export function readLink(
  location: Pick<Location, 'pathname' | 'search' | 'hash'>,
  history: Pick<History, 'replaceState' | 'state'>,
  session: TokenStorage | null,
): ReadLink {
  const route = parseRoute(location.pathname, location.hash, location.search);
  if (route.kind === 'home' || route.kind === 'invitation') return { route, tokenStored: false };
  const key = tokenKey(route.projectId);
  if (route.token) {
    history.replaceState(history.state, '', `${location.pathname}${location.search}${hashWithoutToken(location.hash)}`);
    let tokenStored = false;
    try {
      session?.setItem(key, route.token);
      tokenStored = session !== null;
    } catch {
      // Storage full or blocked: a reload will need the link again, nothing worse.
    }
    return { route, tokenStored };
  }
  let stored: string | null = null;
  try {
    stored = session?.getItem(key) ?? null;
  } catch {
    stored = null;
  }
  return { route: { ...route, token: stored }, tokenStored: stored !== null };
}

