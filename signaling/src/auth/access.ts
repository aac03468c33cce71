/**
 * Who may do what: the declared answer of every WebSocket request type and
 * every HTTP route to every kind of caller. This is the documentation that
 * the authorisation matrix test (signaling/src/access.int.test.ts) checks
 * against the running server, and docs/SECURITY.md's access table is
 * rendered from it (renderAccessTable; a unit test keeps them identical).
 *
 * The registries decide what must have a rule: `Requests` in
 * protocol/messages.ts (TypeScript refuses a request type without one in
 * requestAccess.ts) and the routes the app really registers (app.routeTable, HEAD twins and
 * the client's files included; a route without a rule fails the test).
 *
 * The server does not read this module: each handler and route enforces its
 * own rule (canModerate, requireProject, the dispatcher's session states).
 * The test is what proves the two agree.
 */
import { identityKinds, identityTitles, type Expected, type Rule } from './accessRules.js';
import { markupTableLines } from './markupAccess.js';
import { foreignTargetAccess, requestAccess } from './requestAccess.js';
import { routeAccess, routeKey, ruleOf, type RegisteredRoute } from './routeAccess.js';

// The matrix in three modules, re-exported here so that its users keep one
// entry: the vocabulary (accessRules.ts), the WebSocket requests
// (requestAccess.ts) and the HTTP routes (routeAccess.ts).
export * from './accessRules.js';
export * from './requestAccess.js';
export * from './routeAccess.js';

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
