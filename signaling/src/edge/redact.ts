/**
 * What of a request's URL may reach a log line: invitation codes (in the
 * path of the link and of its API), calendar feed secrets and token-like query values replaced by
 * `[redacted]`, and so is anything shaped like a JWT, wherever a client put it.
 *
 * The router serves percent-encoded paths (`/api/%69nvitations/<code>` is
 * the invitation route), so the path is judged decoded, segment by segment,
 * and logged decoded; a segment that does not decode is logged as
 * `[undecodable]` (the router refuses such a path anyway). Duplicate slashes
 * and letter case, which the router does not ignore, are ignored here: a
 * path near enough to an invitation link is redacted too.
 */

/** Query parameters whose values never reach a log line (compared decoded, case-insensitively). */
const SECRET_QUERY_NAMES = new Set(['token', 'access_token', 'jwt', 'secret', 'resume', 'code', 'invitation']);

/**
 * Path segments after which the next segment is a secret: an invitation code
 * (/i/<code>, /api/invitations/<code>) or a calendar feed's secret
 * (/api/calendar/<secret>.ics).
 */
const CODE_BEFORE = /^(?:i|invitations|calendar)$/i;

/** Three base64url parts, the first a JOSE header (`{"` is `eyJ`): a JWT, or the start of one. */
const JWT = /eyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){1,2}/g;

export const REDACTED = '[redacted]';

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The path, decoded, with invitation codes replaced. */
function redactPath(path: string): string {
  const segments = path.split('/').map((segment) => decode(segment) ?? '[undecodable]');
  // The invitation code follows `/i` at the root, or `invitations` right after `api` (empty segments skipped).
  const named = segments.map((segment, index) => ({ segment, index })).filter(({ segment }) => segment !== '');
  for (let k = 0; k + 1 < named.length; k++) {
    const { segment } = named[k]!;
    const atRoot = k === 0;
    const afterApi = k === 1 && named[0]!.segment.toLowerCase() === 'api';
    if (CODE_BEFORE.test(segment) && (atRoot || afterApi)) segments[named[k + 1]!.index] = REDACTED;
  }
  return segments.join('/');
}

function redactQueryString(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const name = (decode(pair.slice(0, eq)) ?? pair.slice(0, eq)).toLowerCase();
      return SECRET_QUERY_NAMES.has(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
}

/** `text` with every one of `known` (the server's own secrets) replaced, as is and percent-encoded. */
export function scrubSecrets(text: string, known: readonly string[]): string {
  let out = text;
  for (const secret of known) {
    if (secret === '') continue;
    out = out.split(secret).join(REDACTED).split(encodeURIComponent(secret)).join(REDACTED);
  }
  return out;
}

/**
 * `url` (a request target: path, query, maybe a fragment) as it may be
 * logged. `known`: secrets of the server's own (the admin and metrics
 * tokens), replaced wherever they appear, decoded or not.
 */
export function redactUrl(url: string, known: readonly string[] = []): string {
  const hash = url.indexOf('#');
  const target = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? '' : `#${REDACTED}`;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : `?${redactQueryString(target.slice(q + 1))}`;
  return scrubSecrets(`${redactPath(path)}${query}${fragment}`.replace(JWT, REDACTED), known);
}
