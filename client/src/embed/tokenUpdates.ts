/**
 * Fresh access tokens for a page that is already open (long meetings): the
 * embedding platform hands one over either
 *   - by postMessage from the parent window, {type: 'chantier:token', token},
 *     accepted only from an origin of EMBED_ORIGINS (GET /api/embed) and only
 *     from the parent itself; or
 *   - in the URL fragment, `#token=…`, as the first token came (a hashchange),
 *     removed from the address bar at once.
 * The page then uses it for its socket (refreshToken), its later resumes and
 * reconnects, and its HTTP calls.
 */
import { createLogger } from '../log';
import { hashWithoutToken, tokenOf } from '../route';

const log = createLogger('embed');

export const TOKEN_MESSAGE = 'chantier:token';
/** Sent to the parent once the page listens, so that it can send a token at once. */
export const READY_MESSAGE = 'chantier:ready';
/** As the protocol's limit on a token. */
const MAX_TOKEN_LENGTH = 4096;

export interface MessageLike {
  readonly origin: string;
  readonly source: unknown;
  readonly data: unknown;
}

/** The token a message carries, if it comes from the parent on an allowed origin and is well formed. */
export function tokenFromMessage(event: MessageLike, parent: unknown, origins: readonly string[]): string | null {
  if (event.source !== parent || !origins.includes(event.origin)) return null;
  const data = event.data;
  if (typeof data !== 'object' || data === null) return null;
  const { type, token } = data as { type?: unknown; token?: unknown };
  if (type !== TOKEN_MESSAGE || typeof token !== 'string') return null;
  const trimmed = token.trim();
  return trimmed !== '' && trimmed.length <= MAX_TOKEN_LENGTH ? trimmed : null;
}

/** The allowed embedding origins, from the server. */
export async function fetchEmbedOrigins(fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)): Promise<string[]> {
  const response = await fetchImpl('/api/embed', { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /api/embed: ${response.status}`);
  const body = (await response.json()) as { origins?: unknown };
  return Array.isArray(body.origins) ? body.origins.filter((o): o is string => typeof o === 'string') : [];
}

export interface TokenUpdateWindow {
  readonly location: Pick<Location, 'pathname' | 'search' | 'hash'>;
  readonly history: Pick<History, 'replaceState' | 'state'>;
  readonly parent: unknown;
  addEventListener(type: 'message' | 'hashchange', listener: (event: Event) => void): void;
  removeEventListener(type: 'message' | 'hashchange', listener: (event: Event) => void): void;
}

/**
 * Calls `onToken` with each fresh token the page is given. Returns a stop
 * function. `origins` is only asked for when the page is embedded.
 */
export function watchTokenUpdates(
  win: TokenUpdateWindow & { postMessage?: unknown },
  onToken: (token: string) => void,
  origins: () => Promise<readonly string[]> = fetchEmbedOrigins,
): () => void {
  const onHash = (): void => {
    const token = tokenOf(win.location.hash);
    if (!token) return;
    const { pathname, search, hash } = win.location;
    win.history.replaceState(win.history.state, '', `${pathname}${search}${hashWithoutToken(hash)}`);
    log.info('fresh token from the address');
    onToken(token);
  };
  win.addEventListener('hashchange', onHash);

  const embedded = win.parent !== null && win.parent !== undefined && win.parent !== win;
  let onMessage: ((event: Event) => void) | null = null;
  if (embedded) {
    const allowed = origins().catch((error: unknown) => {
      log.warn('embedding origins unknown: tokens from the parent page are ignored', error);
      return [] as readonly string[];
    });
    onMessage = (event: Event): void => {
      const message = event as unknown as MessageLike;
      void allowed.then((list) => {
        const token = tokenFromMessage(message, win.parent, list);
        if (token === null) return;
        log.info('fresh token from the embedding page');
        onToken(token);
      });
    };
    win.addEventListener('message', onMessage);
    // Tell the parent we listen; only the allowed origins can receive it.
    void allowed.then((list) => {
      const parent = win.parent as { postMessage?: (message: unknown, targetOrigin: string) => void };
      for (const origin of list) {
        try {
          parent.postMessage?.({ type: READY_MESSAGE }, origin);
        } catch (error) {
          log.debug('ready message not sent', error);
        }
      }
    });
  }
  return () => {
    win.removeEventListener('hashchange', onHash);
    if (onMessage) win.removeEventListener('message', onMessage);
  };
}
