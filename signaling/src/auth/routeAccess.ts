/**
 * The access matrix's HTTP half: every route's rule, by "METHOD url" as
 * Fastify registers it, and how a registered route finds its rule. See access.ts.
 */
import { except, route, rule, type RouteRule } from './accessRules.js';

const NO_TOKEN = { anonymous: 'UNAUTHORIZED', expired: 'TOKEN_EXPIRED' } as const;

const http = {
  /** No token needed: health, the client's pages and files, the embed settings. */
  public: rule('public', {
    owner: 'ok', moderator: 'ok', member: 'ok', guest: 'ok', removed: 'ok',
    otherProject: 'ok', otherMeeting: 'ok', anonymous: 'ok', expired: 'ok',
  }),
  /**
   * A token of the project without a `room` claim. Removal is from one
   * meeting, not from the project. A token limited to a meeting is refused
   * (plugins/auth.ts MeetingReach 'project'), as is another project's.
   */
  projectMember: rule('projectMember', {
    owner: 'ok', moderator: 'ok', member: 'ok', guest: 'ok', removed: 'ok',
    otherProject: 'FORBIDDEN', otherMeeting: 'FORBIDDEN', ...NO_TOKEN,
  }),
  /** What a meeting's page needs (documents, the chat): a meeting-limited token too. */
  meetingPage: rule('meetingPage', {
    owner: 'ok', moderator: 'ok', member: 'ok', guest: 'ok', removed: 'ok',
    otherProject: 'FORBIDDEN', otherMeeting: 'ok', ...NO_TOKEN,
  }),
  /** Owners and moderators of the project (canModerate), with a token for the whole project: they plan meetings. */
  projectModerator: rule('projectModerator', {
    owner: 'ok', moderator: 'ok', member: 'FORBIDDEN', guest: 'FORBIDDEN', removed: 'FORBIDDEN',
    otherProject: 'FORBIDDEN', otherMeeting: 'FORBIDDEN', ...NO_TOKEN,
  }),
  /** The project's owners (and the admin token, not part of the matrix). */
  projectOwner: rule('projectOwner', {
    owner: 'ok', moderator: 'FORBIDDEN', member: 'FORBIDDEN', guest: 'FORBIDDEN', removed: 'FORBIDDEN',
    otherProject: 'FORBIDDEN', otherMeeting: 'FORBIDDEN', ...NO_TOKEN,
  }),
} as const;

/** What a token that may reach the meeting gets for a share that is not there. */
const stillOfNoShare = except(http.meetingPage, 'stillOfNoShare', {
  owner: 'NOT_FOUND', moderator: 'NOT_FOUND', member: 'NOT_FOUND', guest: 'NOT_FOUND', removed: 'NOT_FOUND', otherMeeting: 'FORBIDDEN',
});

/** A GET route and its HEAD twin (Fastify's exposeHeadRoutes): same rule. */
function getAndHead(url: string, rule: RouteRule): Record<string, RouteRule> {
  return { [`GET ${url}`]: rule, [`HEAD ${url}`]: rule };
}

/** Every file of the built client (@fastify/static; hashed names, so one rule for all). */
export const staticFileAccess: RouteRule = route(http.public);

/** Every other route, by "METHOD url" as Fastify registers it. */
export const routeAccess: Readonly<Record<string, RouteRule>> = {
  ...getAndHead('/healthz', route(http.public)),
  ...getAndHead('/readyz', route(http.public)),
  ...getAndHead('/api/embed', route(http.public)),
  /**
   * Prometheus metrics: the bearer of METRICS_TOKEN only (routes/metrics.ts),
   * which is no person's token: every identity of the matrix, owners
   * included, is refused. Tested with METRICS_TOKEN set (unset: NOT_FOUND).
   */
  ...getAndHead('/metrics', route(except(http.public, 'metricsToken', {
    owner: 'UNAUTHORIZED', moderator: 'UNAUTHORIZED', member: 'UNAUTHORIZED', guest: 'UNAUTHORIZED', removed: 'UNAUTHORIZED',
    otherProject: 'UNAUTHORIZED', otherMeeting: 'UNAUTHORIZED', anonymous: 'UNAUTHORIZED', expired: 'UNAUTHORIZED',
  }))),
  /**
   * The signaling socket: hello authenticates (requestAccess). A plain GET or
   * HEAD (no upgrade) is answered 404 NOT_FOUND (plugins/ws.ts).
   */
  ...getAndHead('/ws', route(except(http.public, 'websocket', {
    owner: 'NOT_FOUND', moderator: 'NOT_FOUND', member: 'NOT_FOUND', guest: 'NOT_FOUND', removed: 'NOT_FOUND',
    otherProject: 'NOT_FOUND', otherMeeting: 'NOT_FOUND', anonymous: 'NOT_FOUND', expired: 'NOT_FOUND',
  }))),
  /** Client-side routes: the page is public, the token stays in the fragment. */
  ...getAndHead('/p/:projectId', route(http.public)),
  ...getAndHead('/p/:projectId/r/:roomId', route(http.public)),
  /** Creating the project of one's own owner token (tested on a project that does not exist yet). */
  'POST /api/projects': route(http.projectOwner, 201, 'its own project id, not created yet'),
  ...getAndHead('/api/projects/:projectId', route(http.projectMember)),
  'PUT /api/projects/:projectId/members/:userId': route(http.projectOwner, 204),
  ...getAndHead('/api/projects/:projectId/chat', route(http.meetingPage)),
  ...getAndHead('/api/projects/:projectId/presence', route(http.projectMember)),
  ...getAndHead('/api/projects/:projectId/meetings', route(http.projectMember)),
  /** Tested on the matrix's meeting: a token limited to another meeting is refused. */
  ...getAndHead('/api/projects/:projectId/meetings/:roomId/current', route(http.projectMember, 200, 'a meeting of the project')),
  /** Invitation links: owners make, list and revoke them (a moderator runs meetings, not the guest list). */
  'POST /api/projects/:projectId/invitations': route(http.projectOwner, 201),
  ...getAndHead('/api/projects/:projectId/invitations', route(http.projectOwner)),
  /** Tested on a fresh invitation of the project each time. */
  'DELETE /api/projects/:projectId/invitations/:invitationId': route(http.projectOwner, 204, 'a live invitation of the project'),
  /** Opening a link: the code is the credential, no token is read (tested with a live code). */
  ...getAndHead('/api/invitations/:code', route(http.public, 200, 'a live code')),
  'POST /api/invitations/:code/accept': route(http.public, 200, 'a live code'),
  ...getAndHead('/i/:code', route(http.public)),
  'POST /api/projects/:projectId/documents': route(http.meetingPage, 201),
  ...getAndHead('/api/projects/:projectId/documents', route(http.meetingPage)),
  ...getAndHead('/api/projects/:projectId/documents/:documentId', route(http.meetingPage)),
  ...getAndHead('/api/projects/:projectId/documents/:documentId/download', route(http.meetingPage)),
  ...getAndHead('/api/projects/:projectId/documents/:documentId/thumbnail', route(http.meetingPage)),
  /** Tested on a document another member uploaded: its uploader or an owner only. */
  'DELETE /api/projects/:projectId/documents/:documentId': route(
    except(http.projectOwner, 'uploaderOrOwner', {}),
    204,
    'a document another member uploaded',
  ),
  /**
   * Planned meetings (routes/planning.ts): every person of the project reads
   * them, gets their .ics and their own calendar feed URL; owners and
   * moderators plan, edit, move and cancel; owners set the project's zone.
   * Edits are tested on a live plan of the project (a fresh one to cancel).
   */
  ...getAndHead('/api/projects/:projectId/meetings/plans', route(http.projectMember)),
  'POST /api/projects/:projectId/meetings/plans': route(http.projectModerator, 201),
  'PATCH /api/projects/:projectId/meetings/plans/:planId': route(http.projectModerator, 200, 'a live plan of the project'),
  'DELETE /api/projects/:projectId/meetings/plans/:planId': route(http.projectModerator, 204, 'a live plan of the project'),
  'PUT /api/projects/:projectId/meetings/plans/:planId/occurrences/:occurrenceId': route(http.projectModerator, 200, 'a future occurrence of a live series'),
  ...getAndHead('/api/projects/:projectId/meetings/plans/:planId/calendar.ics', route(http.projectMember, 200, 'a plan of the project')),
  'PUT /api/projects/:projectId/meetings/settings': route(http.projectOwner, 204),
  'POST /api/projects/:projectId/meetings/feed': route(http.projectMember, 201),
  'DELETE /api/projects/:projectId/meetings/feed': route(http.projectMember, 204),
  /**
   * Still pictures of a shared screen (routes/screenStills.ts): a user joined
   * in the meeting (the sharer's own to upload). The matrix's identities
   * are not in a share of it: each is answered NOT_FOUND once its token may
   * reach the meeting (screenStills.int.test.ts tests the live share).
   */
  ...getAndHead('/api/projects/:projectId/meetings/:roomId/screens/:producerId/still', route(stillOfNoShare, 200, 'a share that does not exist')),
  'PUT /api/projects/:projectId/meetings/:roomId/screens/:producerId/still': route(stillOfNoShare, 200, 'a share that does not exist'),
  /** A calendar app polling a feed: no token is read, the secret in the URL is the credential (tested with a live one). */
  ...getAndHead('/api/calendar/:secret', route(http.public, 200, 'a live feed secret')),
};

/** A registered route, as the matrix sees it (plugins/edge.ts RouteEntry). */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly staticFile: boolean;
}

export function routeKey(route: { method: string; url: string }): string {
  return `${route.method} ${route.url}`;
}

/** The rule of a registered route, or undefined when it has none. */
export function ruleOf(route: RegisteredRoute): RouteRule | undefined {
  if (route.staticFile) return staticFileAccess;
  return Object.hasOwn(routeAccess, routeKey(route)) ? routeAccess[routeKey(route)] : undefined;
}
