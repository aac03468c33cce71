import { t } from '../i18n';
import { Chat } from './chat/Chat';
import { useChat } from './context';
import { BackIcon, CloseIcon } from './icons';

/**
 * The meeting's chat: a column beside the grid on a wide screen, a
 * full-screen sheet over it on a phone (the meeting goes on underneath, its
 * sound too), with a way back.
 */
export function ChatPanel() {
  const { actions } = useChat();
  return (
    <aside class="chat-panel" data-testid="chat-panel" aria-labelledby="chat-panel-title">
      <header class="chat-panel__header">
        <button
          type="button"
          class="button button--ghost chat-panel__back"
          data-testid="chat-close"
          aria-label={t('chat.close')}
          title={t('chat.close')}
          onClick={() => actions.setOpen(false)}
        >
          <BackIcon />
        </button>
        <h2 id="chat-panel-title" class="chat-panel__title">
          {t('chat.title')}
        </h2>
        <button
          type="button"
          class="button button--ghost chat-panel__close"
          aria-label={t('chat.close')}
          title={t('chat.close')}
          onClick={() => actions.setOpen(false)}
        >
          <CloseIcon />
        </button>
      </header>
      <Chat />
    </aside>
  );
}
