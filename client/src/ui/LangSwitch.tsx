import { t, toggleLang } from '../i18n';
import { GlobeIcon } from './icons';

/** Shows the other language's code; one tap switches. */
export function LangSwitch({ class: className = '' }: { class?: string }) {
  return (
    <button
      type="button"
      class={`button button--ghost ${className}`}
      data-testid="lang-switch"
      aria-label={t('lang.switchLabel')}
      title={t('lang.switchLabel')}
      onClick={toggleLang}
    >
      <GlobeIcon />
      <span>{t('lang.switch')}</span>
    </button>
  );
}
