import { endedText, errorText, t } from '../i18n';
import { isRetryable } from '../errors';
import { act } from './act';
import { useRoom } from './context';
import { LangSwitch } from './LangSwitch';

function Screen({ testId, title, body, action, code, projectHref }: {
  testId: string;
  title: string;
  body?: string;
  action?: { label: string; run: () => void } | null;
  code?: string;
  /** After a meeting: the way back to the project page. */
  projectHref?: string;
}) {
  return (
    <main class="screen" data-testid={testId} data-code={code}>
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <LangSwitch />
      </header>
      <div class="screen__body">
        <h1 class="screen__title">{title}</h1>
        {body && <p class="screen__text">{body}</p>}
        {action && (
          <button type="button" class="button button--primary" data-testid="rejoin-button" onClick={action.run}>
            {action.label}
          </button>
        )}
        {projectHref && (
          <a class="button" data-testid="back-to-project" href={projectHref}>
            {t('screen.backToProject')}
          </a>
        )}
      </div>
    </main>
  );
}

/** Connecting, left, ended, disconnected and error: one message, at most one way forward. */
export function StatusScreen({ projectHref }: { projectHref: string }) {
  const { state, actions } = useRoom();
  const rejoin = (label: string) => ({ label, run: () => act(actions.rejoin()) });
  switch (state.phase.value) {
    case 'connecting':
      return (
        <main class="screen" data-testid="connecting" aria-busy="true">
          <div class="screen__body">
            <div class="spinner" aria-hidden="true" />
            <p class="screen__text">{t('status.connecting')}</p>
          </div>
        </main>
      );
    case 'left':
      return (
        <Screen testId="left" title={t('screen.left.title')} action={rejoin(t('screen.rejoin'))} projectHref={projectHref} />
      );
    case 'ended':
      // Removed by a moderator: why and by whom, and no way back in from here.
      if (state.endedReason.value === 'removed') {
        const by = state.removedBy.value;
        return (
          <Screen
            testId="removed"
            code="REMOVED"
            title={t('screen.removed.title')}
            body={by ? t('screen.removed.by', { name: by }) : t('ended.reason.removed')}
            projectHref={projectHref}
          />
        );
      }
      return (
        <Screen
          testId="ended"
          title={t('screen.ended.title')}
          body={endedText(state.endedReason.value)}
          action={rejoin(t('screen.rejoin'))}
          projectHref={projectHref}
        />
      );
    case 'disconnected':
      return (
        <Screen
          testId="disconnected"
          title={t('screen.disconnected.title')}
          body={t('screen.disconnected.body')}
          action={rejoin(t('screen.reconnect'))}
        />
      );
    case 'error': {
      const code = state.error.value ?? 'INTERNAL';
      return (
        <Screen
          testId="error"
          code={code}
          title={t('screen.error.title')}
          body={errorText(code)}
          action={isRetryable(code) ? rejoin(t('screen.rejoin')) : null}
        />
      );
    }
    default:
      return null;
  }
}
