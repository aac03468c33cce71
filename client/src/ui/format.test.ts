import { afterEach, describe, expect, it } from 'vitest';
import { lang } from '../i18n';
import { formatDuration, formatSize, systemText } from './format';

const author = { userId: 'u1', displayName: 'Léa' };

describe('formats', () => {
  afterEach(() => {
    lang.value = 'fr';
  });

  it('writes sizes in decimal units, with the language’s separator', () => {
    expect(formatSize(980)).toBe('980 o');
    expect(formatSize(12_345)).toBe('12 Ko');
    expect(formatSize(2_400_000)).toBe('2,4 Mo');
    lang.value = 'en';
    expect(formatSize(2_400_000)).toBe('2.4 MB');
  });

  it('writes durations', () => {
    expect(formatDuration(20_000)).toBe('moins d’une minute');
    expect(formatDuration(42 * 60_000 + 10_000)).toBe('42 min');
    expect(formatDuration(65 * 60_000)).toBe('1 h 05 min');
  });

  it('writes the meeting system messages', () => {
    expect(systemText({ kind: 'meeting-started', author, text: '' })).toBe('Réunion démarrée par Léa');
    const ended = {
      kind: 'meeting-ended' as const,
      author,
      text: '',
      meeting: {
        roomId: 'reunion',
        attendees: [author, { userId: 'u2', displayName: 'Bruno' }],
        durationMs: 42 * 60_000,
      },
    };
    expect(systemText(ended)).toBe('Réunion terminée · 42 min · participants : Léa, Bruno');
    lang.value = 'en';
    expect(systemText(ended)).toBe('Meeting ended · 42 min · participants: Léa, Bruno');
    expect(systemText({ kind: 'text', author, text: 'ok' })).toBe('ok');
  });
});
