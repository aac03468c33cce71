import { callBackTargets } from '../../call/callBack';
import type { ChatEntry } from '../../chat/chatList';
import { errorText, t } from '../../i18n';
import { act } from '../act';
import { useCalls } from '../call/context';
import { useChat } from '../context';
import { formatTime, systemText } from '../format';
import { RetryIcon } from '../icons';
import { Attachment } from './Attachment';

/**
 * One message. Text is rendered as a text node, never as HTML; line breaks
 * show through CSS (white-space: pre-wrap).
 */
export function ChatMessageView({ entry, own }: { entry: ChatEntry; own: boolean }) {
  const { actions } = useChat();
  const calls = useCalls();
  const { message, status } = entry;
  const attributes = {
    'data-testid': 'chat-message',
    'data-message-id': message.id,
    'data-client-id': message.clientMessageId,
    'data-status': status,
    'data-kind': message.kind,
  };
  const time = (
    <time class="msg__time" dateTime={new Date(message.time).toISOString()}>
      {formatTime(message.time)}
    </time>
  );

  if (message.kind !== 'text') {
    return (
      <li class="msg msg--system" {...attributes}>
        <p class="msg__system" data-testid="chat-text">
          {systemText(message)}
        </p>
        {time}
        {message.attachment && <Attachment document={message.attachment} />}
        {calls && <CallBack targets={callBackTargets(message, calls.selfUserId())} />}
      </li>
    );
  }

  return (
    <li class={`msg ${own ? 'msg--own' : ''} msg--${status}`} {...attributes}>
      <div class="msg__head">
        <span class="msg__author">{own ? t('chat.you') : message.author.displayName}</span>
        {time}
      </div>
      {message.text !== '' && (
        <p class="msg__text" data-testid="chat-text">
          {message.text}
        </p>
      )}
      {message.attachment && <Attachment document={message.attachment} />}
      {status === 'pending' && (
        <span class="msg__status" role="status">
          {t('chat.pending')}
        </span>
      )}
      {status === 'waiting' && (
        <span
          class="msg__status msg__status--waiting"
          role="status"
          data-testid="chat-waiting"
          title={errorText(entry.error ?? 'UNAVAILABLE')}
        >
          {t('chat.waiting')}
        </span>
      )}
      {status === 'failed' && (
        <div class="msg__failed" role="alert">
          <span>{t('chat.failed', { reason: errorText(entry.error ?? 'INTERNAL') })}</span>
          <button
            type="button"
            class="button msg__retry"
            data-testid="chat-retry"
            onClick={() => act(actions.retry(message.clientMessageId))}
          >
            <RetryIcon />
            <span>{t('chat.retry')}</span>
          </button>
        </div>
      )}
    </li>
  );
}

/** "Rappeler" under a missed call, for the caller and for those who missed it. */
function CallBack({ targets }: { targets: string[] }) {
  const calls = useCalls();
  if (!calls || targets.length === 0) return null;
  return (
    <button
      type="button"
      class="button msg__call-back"
      data-testid="chat-call-back"
      disabled={!calls.state.connected.value || calls.state.placing.value}
      onClick={() => act(calls.actions.call(targets))}
    >
      {t('chat.callBack')}
    </button>
  );
}
