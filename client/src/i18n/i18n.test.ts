import { errorCodes } from '@chantier/signaling/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { appErrorCodes, clientErrorCodes } from '../errors';
import { catalogues, endedText, errorText, lang, resolveLang, t } from './index';

describe('i18n catalogues', () => {
  it('French and English have exactly the same keys', () => {
    const frKeys = Object.keys(catalogues.fr).sort();
    const enKeys = Object.keys(catalogues.en).sort();
    expect(enKeys).toEqual(frKeys);
  });

  it('every text is non-empty in both languages', () => {
    for (const catalogue of Object.values(catalogues)) {
      for (const [key, text] of Object.entries(catalogue)) {
        expect(text.trim(), key).not.toBe('');
      }
    }
  });

  it('covers every protocol ErrorCode and every client-only code', () => {
    const expected = [...errorCodes, 'TIMEOUT', 'CONNECTION_LOST', 'NO_DEVICE', 'PERMISSION_DENIED', 'INVALID_LINK'];
    for (const code of expected) {
      expect(appErrorCodes).toContain(code);
    }
    for (const code of [...errorCodes, ...clientErrorCodes]) {
      for (const [name, catalogue] of Object.entries(catalogues)) {
        expect(Object.keys(catalogue), `${name} lacks error.${code}`).toContain(`error.${code}`);
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
    for (const [key, text] of Object.entries(catalogues.fr)) {
      const english = (catalogues.en as Record<string, string>)[key] ?? '';
      expect(placeholders(english), key).toEqual(placeholders(text));
    }
  });
});

describe('language choice', () => {
  afterEach(() => {
    lang.value = 'fr';
  });

  it('defaults to French, honours the stored choice, and ?lang= above all', () => {
    expect(resolveLang('', null)).toBe('fr');
    expect(resolveLang('', 'en')).toBe('en');
    expect(resolveLang('?lang=en', 'fr')).toBe('en');
    expect(resolveLang('?lang=fr', 'en')).toBe('fr');
    expect(resolveLang('?lang=de', 'xx')).toBe('fr');
  });

  it('translates with the current language and fills placeholders', () => {
    expect(t('join.button')).toBe('Rejoindre la réunion');
    lang.value = 'en';
    expect(t('join.button')).toBe('Join the meeting');
    expect(t('tile.you', { name: 'Alice' })).toBe('Alice (you)');
    expect(errorText('ROOM_FULL')).toBe('The meeting is full.');
    expect(endedText('not-a-reason')).toBe(catalogues.en['ended.reason.unknown']);
  });
});
