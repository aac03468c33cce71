/**
 * Who may do what: the declared answer of every WebSocket request type and
 * every HTTP route to every kind of caller. This is the documentation that
 * the authorisation matrix test (signaling/src/access.int.test.ts) checks
 * against the running server, and docs/SECURITY.md's access table is
 * rendered from it (renderAccessTable; a unit test keeps them identical).
 *
 * The registries decide what must have a rule: `Requests` in
 * protocol/messages.ts (TypeScript refuses a request type without one here)
 * and the routes the app really registers (app.routeTable, HEAD twins and
 * the client's files included; a route without a rule fails the test).
 *
 * The server does not read this module: each handler and route enforces its
 * own rule (canModerate, requireProject, the dispatcher's session states).
 * The test is what proves the two agree.
 */
import type { ErrorCode, RequestType } from '../protocol/index.js';
import { markupTableLines } from './markupAccess.js';

/** The callers of the matrix, each a token (or none) the test makes. */
export const identityKinds = [
  /** Role owner in the project. */
  'owner',
  /** Role moderator in the project. */
  'moderator',
  /** Role member in the project. */
  'member',
  /** Role guest in the project (a platform or invitation guest token; admitted from the lobby to join). */
  'guest',
  /** A member a moderator removed from the meeting, back with a new socket and a valid token. */
  'removed',
  /** An owner of another project: owner rights must not leak across projects. */
  'otherProject',
  /** A member token of this project limited (`room` claim) to another meeting. */
  'otherMeeting',
  /** No token at all, or a garbage one: both must get the same answer. */
  'anonymous',
  /** A well-signed token of a member whose `exp` has passed. */
  'expired',
] as const;
export type IdentityKind = (typeof identityKinds)[number];

/** Columns of the rendered table. */
export const identityTitles: Record<IdentityKind, string> = {
  owner: 'owner',
  moderator: 'moderator',
  member: 'member',
  guest: 'guest',
  removed: 'removed',
  otherProject: 'other project',
  otherMeeting: 'other meeting',
  anonymous: 'anonymous',
  expired: 'expired',
};

/** The expected answer: success, or this error code. */
export type Expected = 'ok' | ErrorCode;

export interface Rule {
  /** A preset's name (or an exception's), shown in the table. */
  readonly name: string;
  readonly expect: Readonly<Record<IdentityKind, Expected>>;
  /** What the test acts on, when the answer depends on it (shown in the table). */
  readonly on?: string;
}

export interface RouteRule extends Rule {
  /** HTTP status of the success answer (error statuses follow from the code: plugins/auth.ts statusOf). */
  readonly okStatus: number;
}

function rule(name: string, expect: Record<IdentityKind, Expected>): Rule {
  return { name, expect };
}

/** The same rule with some identities' answers changed (a named exception). */
function except(base: Rule, name: string, changes: Partial<Record<IdentityKind, Expected>>): Rule {
  return { name, expect: { ...base.expect, ...changes } };
}

// ------------------------------------------------------------- WebSocket
/*
 * The matrix's sockets are a meeting's (hello with the meeting's roomId).
 * Identities whose hello is refused (other project, other meeting,
 * anonymous, expired) never get past it: every other request is answered
 * by the pre-hello rule, HELLO_REQUIRED, before any handler runs.
 * `removed` completes hello (it is still a project member: the chat, calls
 * and presence of the project stay open to it) but its join is refused, so
 * that what needs a joined peer answers NOT_JOINED.
 */
const PRE_HELLO = { otherProject: 'HELLO_REQUIRED', otherMeeting: 'HELLO_REQUIRED', anonymous: 'HELLO_REQUIRED', expired: 'HELLO_REQUIRED' } as const;

const ws = {
  /** The first message: the token decides. */
  hello: rule('hello', {
    owner: 'ok', moderator: 'ok', member: 'ok', guest: 'ok', removed: 'ok',
    otherProject: 'FORBIDDEN', otherMeeting: 'FORBIDDEN', anonymous: 'UNAUTHORIZED', expired: 'TOKEN_EXPIRED',
  }),
  /** Any authenticated session of the project, joined or not. */
  authenticated: rule('authenticated', {
    owner: 'ok', moderator: 'ok', member: 'ok', guest: 'ok', removed: 'ok', ...PRE_HELLO,
  }),
  /** A participant who joined the meeting (the actor's own transports, producers, consumers, presentation). */
  joinedParticipant: rule('joinedParticipant', {
    owner: 'ok', moderator: 'ok', member: 'ok', guest: 'ok', removed: 'NOT_JOINED', ...PRE_HELLO,
  }),
  /** Joined, and canModerate (protocol/moderation.ts): owners and moderators. */
  moderator: rule('moderator', {
    owner: 'ok', moderator: 'ok', member: 'FORBIDDEN', guest: 'FORBIDDEN', removed: 'NOT_JOINED', ...PRE_HELLO,
  }),
  /**
   * The minutes' chair: who started the meeting (the matrix's host, an
   * owner), owners and moderators; others only once the chair allows them
   * (minutesAllow) to edit. Publishing and allowing stay the chair's.
   */
  minutesChair: rule('minutesChair', {
    owner: 'ok', moderator: 'ok', member: 'FORBIDDEN', guest: 'FORBIDDEN', removed: 'NOT_JOINED', ...PRE_HELLO,
  }),
} as const;

/**
 * Every request type's rule, as answered on the meeting's socket by an actor
 * in the state the request needs (helloed for join, joined for the rest) and
 * with real targets (a peer of the meeting, the actor's own producer, a
 * project document...), so that authorisation is what decides.
 */
export const requestAccess: Readonly<Record<RequestType, Rule>> = {
  hello: ws.hello,
  /** A fresh token of the same user and project. */
  refreshToken: on(ws.authenticated, 'a fresh token of the same user'),
  ping: ws.authenticated,
  presence: ws.authenticated,
  /**
   * Asking to enter (helloed, not joined): answered `admitted` at once, or
   * `waiting` for a guest when the meeting has its lobby (GUEST_LOBBY on by
   * default). A removed user stays out until the meeting ends.
   */
  knock: except(ws.authenticated, 'knock', { removed: 'REMOVED' }),
  /** Letting a waiting guest in (or not): moderators. Tested on a guest waiting in the meeting. */
  admit: on(ws.moderator, 'a guest waiting in the lobby'),
  /**
   * Entering the meeting (helloed, not admitted by anyone). A removed user
   * stays out until the meeting ends; a guest must be admitted first (knock).
   */
  join: except(ws.joinedParticipant, 'join', { removed: 'REMOVED', guest: 'ADMISSION_REQUIRED' }),
  /** Leaving works from a helloed socket too (it is detached from the meeting). */
  leave: ws.authenticated,
  /** Also before join, in the lobby (the client makes its transports there): refused as join refuses. */
  createTransport: except(ws.joinedParticipant, 'createTransport', { removed: 'REMOVED' }),
  connectTransport: ws.joinedParticipant,
  restartIce: ws.joinedParticipant,
  produce: ws.joinedParticipant,
  pauseProducer: ws.joinedParticipant,
  resumeProducer: ws.joinedParticipant,
  closeProducer: ws.joinedParticipant,
  /** A producer of another participant of the same meeting. */
  consume: on(ws.joinedParticipant, 'another participant\'s producer'),
  resumeConsumer: ws.joinedParticipant,
  pauseConsumer: ws.joinedParticipant,
  /** The project's chat: any authenticated session of the project. */
  chatSend: ws.authenticated,
  chatHistory: ws.authenticated,
  chatMarkRead: ws.authenticated,
  /** A document of the project; update and stop: the presenter's own presentation. */
  presentStart: ws.joinedParticipant,
  presentUpdate: on(ws.joinedParticipant, 'their own presentation'),
  presentStop: on(ws.joinedParticipant, 'their own presentation'),
  setAudioOnly: ws.joinedParticipant,
  setViewport: ws.joinedParticipant,
  /** Calls ring project members; answer: an invitee; cancel: the caller. */
  callStart: ws.authenticated,
  callAnswer: on(ws.authenticated, 'a call ringing them'),
  callCancel: on(ws.authenticated, 'a call they placed'),
  /** Tested with the strongest action, remove, on a member of the meeting. */
  moderate: on(ws.moderator, 'remove a member'),
  setRoomPolicy: ws.moderator,
  endMeeting: ws.moderator,
  raiseHand: ws.joinedParticipant,
  /*
   * Markup (protocol/markup.ts), tested on a presentation another participant
   * started, under the default policy (the presenter draws). The presenter's
   * own rights and the other policies: markupAccess below.
   */
  markupList: on(ws.joinedParticipant, 'another participant\'s presentation'),
  markupStroke: on(ws.moderator, 'another participant\'s presentation'),
  markupAdd: on(ws.moderator, 'another participant\'s presentation'),
  /** One's own marks (unknown ids are ignored); moderators anyone's. */
  markupErase: on(ws.joinedParticipant, 'their own mark'),
  markupClear: on(ws.moderator, 'a page with someone else\'s marks'),
  markupPolicy: on(ws.moderator, 'another participant\'s presentation'),
  markupSave: on(ws.moderator, 'another participant\'s presentation'),
  /** Everyone in the meeting reads the minutes live. */
  minutesOpen: ws.joinedParticipant,
  /** Editing: the chair, owners, moderators and those the chair allowed (tested without any allowed). */
  minutesItemSave: on(ws.minutesChair, 'the meeting\'s minutes (the host chairs)'),
  minutesItemDelete: on(ws.minutesChair, 'an item the host wrote'),
  minutesSectionSave: ws.minutesChair,
  minutesAttendance: on(ws.minutesChair, 'a participant\'s line'),
  minutesAllow: on(ws.minutesChair, 'a member of the meeting'),
  minutesPublish: ws.minutesChair,
  /** Recording (protocol/recording.ts): owners and moderators start and stop; everyone attached sees the state. */
  recordingStart: ws.moderator,
  recordingStop: on(ws.moderator, 'a recording the host started'),
  recordingStatus: ws.authenticated,
};

/**
 * The same requests aimed at what is not the caller's: each is sent by a
 * joined participant (`as`) of the matrix's meeting with a real target that
 * belongs to someone else, and refused with `expect`. Ids never cross peers,
 * meetings or projects.
 */
export interface ForeignTarget {
  readonly on: string;
  readonly as: IdentityKind;
  readonly expect: Expected;
}

export const foreignTargetAccess: Readonly<Partial<Record<RequestType, ForeignTarget>>> = {
  connectTransport: { on: 'another participant\'s transport', as: 'member', expect: 'NOT_FOUND' },
  restartIce: { on: 'another participant\'s transport', as: 'member', expect: 'NOT_FOUND' },
  produce: { on: 'another participant\'s send transport', as: 'member', expect: 'NOT_FOUND' },
  pauseProducer: { on: 'another participant\'s producer', as: 'member', expect: 'NOT_FOUND' },
  resumeProducer: { on: 'another participant\'s producer', as: 'member', expect: 'NOT_FOUND' },
  closeProducer: { on: 'another participant\'s producer', as: 'member', expect: 'NOT_FOUND' },
  consume: { on: 'a producer of another meeting', as: 'member', expect: 'NOT_FOUND' },
  resumeConsumer: { on: 'another participant\'s consumer', as: 'member', expect: 'NOT_FOUND' },
  pauseConsumer: { on: 'another participant\'s consumer', as: 'member', expect: 'NOT_FOUND' },
  chatSend: { on: 'a document of another project, attached', as: 'member', expect: 'NOT_FOUND' },
  presentStart: { on: 'a document of another project', as: 'member', expect: 'NOT_FOUND' },
  presentUpdate: { on: 'another participant\'s presentation', as: 'member', expect: 'FORBIDDEN' },
  presentStop: { on: 'another participant\'s presentation', as: 'member', expect: 'FORBIDDEN' },
  callStart: { on: 'a user of another project', as: 'member', expect: 'NOT_FOUND' },
  callAnswer: { on: 'a call ringing someone else', as: 'member', expect: 'NOT_FOUND' },
  callCancel: { on: 'a call someone else placed (ringing the caller)', as: 'member', expect: 'FORBIDDEN' },
  moderate: { on: 'a participant of another meeting', as: 'owner', expect: 'NOT_FOUND' },
  markupList: { on: 'a presentation of another meeting', as: 'owner', expect: 'NOT_FOUND' },
  markupErase: { on: 'the presenter\'s mark', as: 'member', expect: 'FORBIDDEN' },
  minutesItemDelete: { on: 'an item of another meeting\'s minutes', as: 'owner', expect: 'NOT_FOUND' },
  minutesAllow: { on: 'a user of another project', as: 'owner', expect: 'UNKNOWN_MEMBER' },
};

// ------------------------------------------------------------------ HTTP
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

function route(base: Rule, okStatus = 200, on?: string): RouteRule {
  return { ...base, okStatus, ...(on ? { on } : {}) };
}

/** A rule whose answer depends on its target: the table says which one the test uses. */
function on(base: Rule, target: string): Rule {
  return { ...base, on: target };
}

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

/**
 * What the declared policy and the registries disagree on: routes and
 * request types without a rule, rules for routes that do not exist. Empty
 * when every registered thing has exactly one rule.
 */
export function policyGaps(routes: readonly RegisteredRoute[], requestTypes: readonly string[]): string[] {
  const gaps: string[] = [];
  for (const r of routes) if (!ruleOf(r)) gaps.push(`route ${routeKey(r)} has no rule in auth/access.ts routeAccess`);
  const registered = new Set(routes.filter((r) => !r.staticFile).map(routeKey));
  for (const key of Object.keys(routeAccess)) {
    if (!registered.has(key)) gaps.push(`routeAccess has a rule for ${key}, which the app does not register`);
  }
  for (const type of requestTypes) {
    if (!Object.hasOwn(requestAccess, type)) gaps.push(`request ${type} has no rule in auth/access.ts requestAccess`);
  }
  for (const type of Object.keys(requestAccess)) {
    if (!requestTypes.includes(type)) gaps.push(`requestAccess has a rule for ${type}, which is not a request type`);
  }
  return gaps;
}

// ------------------------------------------------------------ the table
export const TABLE_BEGIN = '<!-- access table: generated from signaling/src/auth/access.ts (npm run access-table) -->';
export const TABLE_END = '<!-- end of access table -->';

function cell(expected: Expected, okStatus?: number): string {
  if (expected === 'ok') return okStatus === undefined ? 'ok' : `ok ${okStatus}`;
  return expected;
}

function ruleName(r: Rule): string {
  return r.on ? `${r.name}: ${r.on}` : r.name;
}

/** The policy as Markdown tables (WebSocket requests, then HTTP routes), between the markers. */
export function renderAccessTable(): string {
  const header = (first: string): string[] => [
    `| ${first} | ${identityKinds.map((k) => identityTitles[k]).join(' | ')} | rule |`,
    `|${' --- |'.repeat(identityKinds.length + 2)}`,
  ];
  const lines = [TABLE_BEGIN, '', '**WebSocket requests** (on a meeting\'s socket)', '', ...header('request')];
  for (const [type, r] of Object.entries(requestAccess)) {
    lines.push(`| \`${type}\` | ${identityKinds.map((k) => cell(r.expect[k])).join(' | ')} | ${ruleName(r)} |`);
  }
  lines.push('', '**Aimed at what is not theirs** (a joined participant, with a real target of someone else)', '');
  lines.push('| request | target | as | answer |', '| --- | --- | --- | --- |');
  for (const [type, f] of Object.entries(foreignTargetAccess)) {
    lines.push(`| \`${type}\` | ${f.on} | ${identityTitles[f.as]} | ${cell(f.expect)} |`);
  }
  lines.push('', ...markupTableLines());
  lines.push('', '**HTTP routes** (HEAD answers as GET; every file of the built client: public)', '', ...header('route'));
  for (const [key, r] of Object.entries(routeAccess)) {
    if (key.startsWith('HEAD ')) continue;
    lines.push(`| \`${key}\` | ${identityKinds.map((k) => cell(r.expect[k], r.okStatus)).join(' | ')} | ${ruleName(r)} |`);
  }
  lines.push('', TABLE_END);
  return lines.join('\n');
}

/** `markdown` with the access table between its markers replaced by the current one. */
export function withAccessTable(markdown: string): string {
  const begin = markdown.indexOf(TABLE_BEGIN);
  const end = markdown.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error('the document has no access table markers');
  return markdown.slice(0, begin) + renderAccessTable() + markdown.slice(end + TABLE_END.length);
}
