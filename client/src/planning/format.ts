/**
 * Planned meetings' dates as people read them: "mardi 8 décembre 2026,
 * 9 h 00" (French, 24 h), "Tuesday, 8 December 2026, 09:00" (English), in
 * the viewer's own zone, and in the project's too when the two differ
 * (a member in Guadeloupe, a project in Paris). Intl only: the browser
 * carries the zone rules.
 */
import type { ChatMessage, PlanRef } from '@chantier/signaling/protocol';
import { lang, t, type Lang } from '../i18n';

/** The zone this browser is set to. */
export function viewerZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** One instant on a zone's wall clock, in the language's words. */
export function formatWhen(ms: number, zone: string, language: Lang = lang.value): string {
  const date = new Intl.DateTimeFormat(language === 'fr' ? 'fr-FR' : 'en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: zone,
  }).format(ms);
  const parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).formatToParts(ms);
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '00';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
  return language === 'fr' ? `${date}, ${Number(hour)} h ${minute}` : `${date}, ${hour}:${minute}`;
}

/** The viewer's reading, and the project's when it reads differently (else null). */
export function formatBoth(ms: number, projectZone: string, ownZone: string = viewerZone()): { own: string; project: string | null } {
  const own = formatWhen(ms, ownZone);
  const project = formatWhen(ms, projectZone);
  return { own, project: project === own ? null : project };
}

/** "9 h 00 – 10 h 30" style: the end on the same wall clock (French "10 h 30", English "10:30"). */
export function formatHour(ms: number, zone: string, language: Lang = lang.value): string {
  const whole = formatWhen(ms, zone, language);
  return whole.slice(whole.lastIndexOf(', ') + 2);
}

/** An instant on a zone's wall clock as the date and time inputs take it ("2026-12-08", "09:00"). */
export function wallClockOf(ms: number, zone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: zone,
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}` };
}

/** The chat line of a meeting-planned message. */
export function planChatText(message: Pick<ChatMessage, 'author' | 'plan'>): string {
  const plan: PlanRef | undefined = message.plan;
  if (!plan) return '';
  const name = message.author.displayName;
  const when = plan.next !== undefined ? formatWhen(plan.next, plan.timeZone) : '';
  switch (plan.change) {
    case 'planned':
      return t('planning.chat.planned', { name, title: plan.title, when });
    case 'cancelled':
      return t('planning.chat.cancelled', { name, title: plan.title });
    default:
      return when === '' ? t('planning.chat.updatedNoNext', { name, title: plan.title }) : t('planning.chat.updated', { name, title: plan.title, when });
  }
}
