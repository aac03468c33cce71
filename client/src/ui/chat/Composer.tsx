import { MAX_CHAT_TEXT } from '@chantier/signaling/protocol';
import { t } from '../../i18n';
import { act } from '../act';
import { useChat } from '../context';
import { SendIcon } from '../icons';

/**
 * Where a message is written. Enter sends on a computer (Shift+Enter for a
 * new line); on a touch screen Enter is a new line and the button sends,
 * as phone keyboards have no Shift+Enter.
 */
export function Composer() {
  const { state, actions } = useChat();
  const draft = state.draft.value;
  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        act(actions.send());
      }}
    >
      <label class="visually-hidden" for="chat-input">
        {t('chat.inputLabel')}
      </label>
      <textarea
        id="chat-input"
        class="input composer__input"
        data-testid="chat-input"
        rows={1}
        maxLength={MAX_CHAT_TEXT}
        placeholder={t('chat.placeholder')}
        value={draft}
        onInput={(event) => actions.setDraft(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
          if (window.matchMedia('(pointer: coarse)').matches) return;
          event.preventDefault();
          act(actions.send());
        }}
      />
      <button
        type="submit"
        class="button button--primary composer__send"
        data-testid="chat-send"
        aria-label={t('chat.send')}
        title={t('chat.send')}
        disabled={draft.trim() === ''}
      >
        <SendIcon />
      </button>
    </form>
  );
}
