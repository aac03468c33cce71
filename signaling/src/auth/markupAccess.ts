/**
 * Markup's rights (protocol/markup.ts) as the access matrix declares them.
 * They depend on who presents and on the presentation's policy, which the
 * identities of access.ts cannot say: this table gives every markup
 * operation's answer to the presenter (a member presenting), a moderator, a
 * member and a guest (admitted), under each policy. Tested in a meeting
 * where the project's owner (the host) set the policy and drew marks on
 * pages 1 and 2 (access.int.test.ts); rendered into docs/SECURITY.md with
 * the rest of the matrix.
 */
import type { MarkupPolicy } from '../protocol/index.js';
import type { Expected } from './accessRules.js';

export const markupActors = ['presenter', 'moderator', 'member', 'guest'] as const;
export type MarkupActor = (typeof markupActors)[number];

export const markupPolicies = {
  presenterOnly: { drawers: 'presenter', guests: false },
  all: { drawers: 'all', guests: false },
  allAndGuests: { drawers: 'all', guests: true },
} as const satisfies Record<string, MarkupPolicy>;
export type MarkupPolicyName = keyof typeof markupPolicies;

export interface MarkupRule {
  /** The request sent, on what. */
  readonly on: string;
  readonly expect: Readonly<Record<MarkupPolicyName, Readonly<Record<MarkupActor, Expected>>>>;
}

/** The same answers under every policy. */
function anyPolicy(expect: Record<MarkupActor, Expected>): MarkupRule['expect'] {
  return { presenterOnly: expect, all: expect, allAndGuests: expect };
}

const drawing: MarkupRule['expect'] = {
  presenterOnly: { presenter: 'ok', moderator: 'ok', member: 'FORBIDDEN', guest: 'FORBIDDEN' },
  all: { presenter: 'ok', moderator: 'ok', member: 'ok', guest: 'FORBIDDEN' },
  allAndGuests: { presenter: 'ok', moderator: 'ok', member: 'ok', guest: 'ok' },
};
const moderatorsOnly = anyPolicy({ presenter: 'FORBIDDEN', moderator: 'ok', member: 'FORBIDDEN', guest: 'FORBIDDEN' });
const presenterOrModerator = anyPolicy({ presenter: 'ok', moderator: 'ok', member: 'FORBIDDEN', guest: 'FORBIDDEN' });

/** Keyed by request type, with markupPolicy split by the field it changes. */
export const markupAccess = {
  markupList: { on: 'the presentation', expect: anyPolicy({ presenter: 'ok', moderator: 'ok', member: 'ok', guest: 'ok' }) },
  markupStroke: { on: 'a pen stroke on page 1', expect: drawing },
  markupAdd: { on: 'a pen mark on page 1', expect: drawing },
  /** One's own marks are anyone's to erase (markup.int.test.ts); another's, a moderator's only. */
  markupErase: { on: 'the host\'s mark', expect: moderatorsOnly },
  markupClear: { on: 'page 2, with the host\'s mark', expect: moderatorsOnly },
  'markupPolicy drawers': { on: 'drawers: all', expect: presenterOrModerator },
  'markupPolicy guests': { on: 'guests: true', expect: moderatorsOnly },
  markupSave: { on: 'the presented PDF', expect: presenterOrModerator },
} as const satisfies Record<string, MarkupRule>;

/** The table's Markdown lines (access.ts renderAccessTable). */
export function markupTableLines(): string[] {
  const lines = ['**Markup** (a joined participant; the presenter is a member presenting; the host, an owner, set the policy)', ''];
  lines.push(`| request | on | policy | ${markupActors.join(' | ')} |`, `|${' --- |'.repeat(markupActors.length + 3)}`);
  for (const [type, r] of Object.entries(markupAccess) as Array<[string, MarkupRule]>) {
    for (const name of Object.keys(markupPolicies) as MarkupPolicyName[]) {
      const p = markupPolicies[name];
      const cells = markupActors.map((a) => r.expect[name][a]);
      lines.push(`| \`${type}\` | ${r.on} | drawers ${p.drawers}${p.guests ? ', guests' : ''} | ${cells.join(' | ')} |`);
    }
  }
  return lines;
}
