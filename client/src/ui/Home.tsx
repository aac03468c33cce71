import { t } from '../i18n';
import { LangSwitch } from './LangSwitch';

/** Any address other than a meeting link. */
export function Home() {
  return (
    <main class="screen" data-testid="home">
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <LangSwitch />
      </header>
      <div class="screen__body">
        <h1 class="screen__title">{t('home.title')}</h1>
        <p class="screen__text">{t('home.body')}</p>
      </div>
    </main>
  );
}
