import { useLayoutEffect, useRef } from 'preact/hooks';
import { entryKey, type ChatEntries } from '../../chat/chatList';
import { errorText, t } from '../../i18n';
import { act } from '../act';
import { useChat } from '../context';
import { ChatMessageView } from './ChatMessageView';
import { Composer } from './Composer';

/** Within this many pixels of the bottom, the list follows new messages. */
const STICK_PX = 80;

/**
 * Keeps the list where the reader expects it: at the bottom while they are
 * there (and after they send), still when older messages are put above.
 */
function useScrollKeeping(entries: ChatEntries) {
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const fromBottom = useRef(0);
  const firstKey = useRef<string | null>(null);
  const lastKey = useRef<string | null>(null);

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    fromBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight;
    atBottom.current = fromBottom.current < STICK_PX;
  };

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const first = entries[0];
    const last = entries.at(-1);
    const prepended = first !== undefined && firstKey.current !== null && entryKey(first) !== firstKey.current;
    const mineAppended = last !== undefined && last.status === 'pending' && entryKey(last) !== lastKey.current;
    if (atBottom.current || mineAppended) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
    } else if (prepended) {
      el.scrollTop = el.scrollHeight - el.clientHeight - fromBottom.current;
    }
    firstKey.current = first ? entryKey(first) : null;
    lastKey.current = last ? entryKey(last) : null;
  }, [entries]);

  return { ref, onScroll };
}

/** The project's chat: used by the project page and by the meeting's side panel. */
export function Chat() {
  const { state, actions, files } = useChat();
  const entries = state.entries.value;
  const self = state.selfUserId.value;
  const loaded = state.historyLoaded.value;
  const loading = state.loadingOlder.value;
  const historyError = state.historyError.value;
  const fileError = files.error.value;
  const scroll = useScrollKeeping(entries);

  return (
    <section class="chat" data-testid="chat" aria-label={t('chat.title')}>
      <div class="chat__scroll" ref={scroll.ref} onScroll={scroll.onScroll}>
        {(state.hasMore.value || historyError) && (
          <button
            type="button"
            class="button chat__older"
            data-testid="chat-older"
            disabled={loading}
            onClick={() => act(actions.loadOlder())}
          >
            {loading ? t('chat.olderLoading') : t('chat.older')}
          </button>
        )}
        {historyError && (
          <p class="chat__notice" role="alert">
            {t('chat.historyError', { reason: errorText(historyError) })}
          </p>
        )}
        {!loaded && !historyError && (
          <p class="chat__notice" role="status">
            {t('chat.loading')}
          </p>
        )}
        {loaded && entries.length === 0 && <p class="chat__notice">{t('chat.empty')}</p>}
        <ol class="chat__list" aria-live="polite" aria-relevant="additions">
          {entries.map((entry) => (
            <ChatMessageView key={entryKey(entry)} entry={entry} own={entry.message.author.userId === self} />
          ))}
        </ol>
      </div>
      {fileError && (
        <p class="chat__notice chat__notice--error" role="alert">
          {errorText(fileError)}
          <button type="button" class="button button--ghost" onClick={() => files.actions.dismissError()}>
            {t('documents.dismiss')}
          </button>
        </p>
      )}
      {!state.connected.value && loaded && (
        <p class="chat__notice chat__notice--offline" role="status">
          {t('chat.offline')}
        </p>
      )}
      <Composer />
    </section>
  );
}
