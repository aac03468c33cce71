/**
 * The meeting link: `/p/<projectId>/r/<roomId>#token=<access token>`. The token
 * rides in the fragment so that it never reaches a server log or a Referer
 * header; the app removes it from the address bar as soon as it has read it.
 */

export type Route =
  | { kind: 'home' }
  /** `token` null: a meeting path without a token (an INVALID_LINK). */
  | { kind: 'meeting'; projectId: string; roomId: string; token: string | null };

/** Same rule as the protocol's ids. */
const ID = '[A-Za-z0-9_-]{1,64}';
const MEETING_PATH = new RegExp(`^/p/(${ID})/r/(${ID})/?$`);

export function parseRoute(pathname: string, hash: string): Route {
  const match = MEETING_PATH.exec(pathname);
  if (!match) return { kind: 'home' };
  const [, projectId = '', roomId = ''] = match;
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return { kind: 'meeting', projectId, roomId, token: token && token.trim() !== '' ? token : null };
}

/** The fragment without its `token` parameter ('' when nothing else remains). */
export function hashWithoutToken(hash: string): string {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  params.delete('token');
  const rest = params.toString();
  return rest === '' ? '' : `#${rest}`;
}

function tokenKey(projectId: string, roomId: string): string {
  return `chantier.token:${projectId}/${roomId}`;
}

/**
 * Reads the route from the address bar and removes the token from it. The
 * token is kept in sessionStorage (this tab only, gone when it closes) so that
 * a reload of the page does not turn into an invalid link.
 */
export function readMeetingLink(
  location: Pick<Location, 'pathname' | 'search' | 'hash'>,
  history: Pick<History, 'replaceState' | 'state'>,
  session: Pick<Storage, 'getItem' | 'setItem'> | null,
): Route {
  const route = parseRoute(location.pathname, location.hash);
  if (route.kind !== 'meeting') return route;
  const key = tokenKey(route.projectId, route.roomId);
  if (route.token) {
    history.replaceState(history.state, '', `${location.pathname}${location.search}${hashWithoutToken(location.hash)}`);
    try {
      session?.setItem(key, route.token);
    } catch {
      // Storage full or blocked: a reload will need the link again, nothing worse.
    }
    return route;
  }
  let stored: string | null = null;
  try {
    stored = session?.getItem(key) ?? null;
  } catch {
    stored = null;
  }
  return { ...route, token: stored };
}
