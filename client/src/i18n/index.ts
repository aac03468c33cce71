/**
 * Translations: French by default, English on request. `t()` reads the `lang`
 * signal, so a component that renders text re-renders when the language
 * changes. The language is app-wide, not room state, hence a module signal
 * rather than one passed by context.
 */
import { effect, signal } from '@preact/signals';
import type { AppErrorCode } from '../errors';
import { createLogger } from '../log';
import { en } from './en';
import { fr, type Catalogue, type MessageKey } from './fr';

export type { MessageKey } from './fr';
export type Lang = 'fr' | 'en';

const log = createLogger('i18n');

export const catalogues: Readonly<Record<Lang, Catalogue>> = { fr, en };
export const STORAGE_KEY = 'chantier.lang';

export const lang = signal<Lang>('fr');

function isLang(value: string | null | undefined): value is Lang {
  return value === 'fr' || value === 'en';
}

/** `?lang=` wins over the stored choice, which wins over French. */
export function resolveLang(search: string, stored: string | null): Lang {
  const fromUrl = new URLSearchParams(search).get('lang');
  if (isLang(fromUrl)) return fromUrl;
  if (isLang(stored)) return stored;
  return 'fr';
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage blocked by the browser's privacy settings
  }
}

/** Picks the language at start-up. */
export function initLang(search: string): void {
  lang.value = resolveLang(search, storage()?.getItem(STORAGE_KEY) ?? null);
}

/** Switches and remembers the choice for the next visits. */
export function setLang(next: Lang): void {
  lang.value = next;
  try {
    storage()?.setItem(STORAGE_KEY, next);
  } catch (error) {
    log.warn('cannot persist the language', error);
  }
}

export function toggleLang(): void {
  setLang(lang.value === 'fr' ? 'en' : 'fr');
}

/** The text for `key` in the current language, with `{name}` placeholders filled. */
export function t(key: MessageKey, params?: Readonly<Record<string, string | number>>): string {
  const template = catalogues[lang.value][key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(fr, key);
}

export function errorText(code: AppErrorCode): string {
  return t(`error.${code}`);
}

export function endedText(reason: string | null): string {
  const key = `ended.reason.${reason ?? 'unknown'}`;
  return t(isMessageKey(key) ? key : 'ended.reason.unknown');
}

/** Keeps <html lang> and the title in step with the language. Returns the disposer. */
export function bindDocumentLanguage(doc: Document): () => void {
  return effect(() => {
    doc.documentElement.lang = lang.value;
    doc.title = t('app.title');
  });
}
