/**
 * Numbers, sizes, durations, times and system messages in the current
 * language. Pure functions of their arguments and the `lang` signal.
 */
import type { ChatMessage } from '@chantier/signaling/protocol';
import { lang, t } from '../i18n';
import { planChatText } from '../planning/format';

function number(value: number, maximumFractionDigits: number): string {
  return new Intl.NumberFormat(lang.value, { maximumFractionDigits }).format(value);
}

/** 980 o, 12 Ko, 2,4 Mo (French) — 980 B, 12 KB, 2.4 MB (English). Decimal units, as file managers show. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return t('size.B', { n: number(bytes, 0) });
  if (bytes < 1000 ** 2) return t('size.kB', { n: number(bytes / 1000, 0) });
  if (bytes < 1000 ** 3) return t('size.MB', { n: number(bytes / 1000 ** 2, 1) });
  return t('size.GB', { n: number(bytes / 1000 ** 3, 1) });
}

/** "moins d’une minute", "42 min", "1 h 05 min". */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return t('duration.short');
  if (minutes < 60) return t('duration.minutes', { m: minutes });
  return t('duration.hours', { h: Math.floor(minutes / 60), m: String(minutes % 60).padStart(2, '0') });
}

/** "14:05" today, "12 mars 14:05" another day. */
export function formatTime(time: number, now: number = Date.now()): string {
  const date = new Date(time);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(lang.value, {
    hour: '2-digit',
    minute: '2-digit',
    ...(sameDay ? {} : { day: 'numeric', month: 'short' }),
  }).format(date);
}

export function formatDate(time: number): string {
  return new Intl.DateTimeFormat(lang.value, { day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(time));
}

const RECORDING_ENDS = ['stopped', 'meeting-ended', 'max-duration', 'disk-full', 'worker-died', 'server-stopped'] as const;

/** How a recording ended, in words (the chat line's text is its code). */
export function recordingEndText(end: string): string {
  const known = RECORDING_ENDS.find((e) => e === end);
  return known ? t(`recording.end.${known}`) : end;
}

/** The text of a system message ("Réunion démarrée par X", "Réunion terminée · 42 min · participants : A, B", "Appel manqué de X"). */
export function systemText(message: Pick<ChatMessage, 'kind' | 'author' | 'meeting' | 'text' | 'call' | 'plan'>): string {
  if (message.kind === 'missed-call') {
    const name = message.call?.caller.displayName ?? message.author.displayName;
    const missed = message.call?.missed ?? [];
    return missed.length > 1
      ? t('chat.missedCallBy', { name, names: missed.map((p) => p.displayName).join(', ') })
      : t('chat.missedCall', { name });
  }
  if (message.kind === 'meeting-planned') return planChatText(message);
  if (message.kind === 'meeting-started') return t('chat.meetingStarted', { name: message.author.displayName });
  if (message.kind === 'document-presented') return t('chat.documentPresented', { name: message.author.displayName });
  if (message.kind === 'markup-saved') return t('chat.markupSaved', { name: message.author.displayName });
  // The attachment below it is the PDF; the server's text names the CR ("Compte rendu n° 3 — …").
  if (message.kind === 'minutes-published') return `${t('chat.minutesPublished', { name: message.author.displayName })} · ${message.text}`;
  if (message.kind === 'recording-started') return t('recording.chat.started', { name: message.author.displayName });
  if (message.kind === 'recording-stopped') return t('recording.chat.stopped', { end: recordingEndText(message.text) });
  if (message.kind === 'recording-stored') return t(message.text === 'interrupted' ? 'recording.chat.storedInterrupted' : 'recording.chat.stored');
  if (message.kind === 'meeting-ended') {
    const names = (message.meeting?.attendees ?? []).map((a) => a.displayName).join(', ');
    const durationMs = message.meeting?.durationMs;
    return durationMs === undefined
      ? t('chat.meetingEndedNoDuration', { names })
      : t('chat.meetingEnded', { duration: formatDuration(durationMs), names });
  }
  return message.text;
}
