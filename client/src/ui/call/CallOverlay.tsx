import type { CallInfo } from '@chantier/signaling/protocol';
import type { OutgoingCall } from '../../call/callState';
import { errorText, t } from '../../i18n';
import { act } from '../act';
import { CloseIcon } from '../icons';
import { initials } from '../initials';
import { useCalls, type CallContextValue } from './context';
import './call.css';

function HandsetIcon({ down = false }: { down?: boolean }) {
  return (
    <svg class={`icon call__handset ${down ? 'call__handset--down' : ''}`} viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1C10.6 21 3 13.4 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1z"
      />
    </svg>
  );
}

function Incoming({ calls, call }: { calls: CallContextValue; call: CallInfo }) {
  const { state, actions } = calls;
  const others = call.invitees.filter((p) => p.userId !== calls.selfUserId());
  const busy = state.answering.value;
  const ringtone = state.ringtone.value;
  // A planned meeting's start rings like a call: its title, and "Rejoindre".
  const acceptLabel = call.plan ? t('call.joinMeeting') : t('call.accept');
  return (
    <div
      class="call"
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="call-title"
      aria-describedby="call-who"
      data-testid="incoming-call"
      data-call-id={call.callId}
      data-ringing="true"
      data-ringtone={ringtone}
    >
      <div class="call__top">
        <p id="call-title" class="call__kind">
          {call.plan ? t('call.meetingTitle') : `${t('call.incomingTitle')} · ${t('call.audio')}`}
        </p>
        <span class="call__avatar call__avatar--pulse" aria-hidden="true">
          {initials(call.caller.displayName)}
        </span>
        <h2 id="call-who" class="call__name" data-testid="call-caller">
          {call.plan ? t('call.meetingStarts', { title: call.plan.title }) : t('call.incomingFrom', { name: call.caller.displayName })}
        </h2>
        {others.length > 0 && <p class="call__detail">{t('call.incomingGroup', { names: others.map((p) => p.displayName).join(', ') })}</p>}
        {ringtone === 'blocked' && <p class="call__detail call__detail--muted">{t('call.soundBlocked')}</p>}
      </div>
      <div class="call__actions">
        <div class="call__action">
          <button
            type="button"
            class="call__button call__button--decline"
            data-testid="call-decline"
            aria-label={t('call.decline')}
            disabled={busy}
            onClick={() => act(actions.decline())}
          >
            <HandsetIcon down />
          </button>
          <span class="call__label" aria-hidden="true">
            {t('call.decline')}
          </span>
        </div>
        <div class="call__action">
          <button
            type="button"
            class="call__button call__button--accept"
            data-testid="call-accept"
            aria-label={acceptLabel}
            disabled={busy}
            onClick={() => act(actions.accept())}
          >
            <HandsetIcon />
          </button>
          <span class="call__label" aria-hidden="true">
            {acceptLabel}
          </span>
        </div>
      </div>
    </div>
  );
}

function Outgoing({ calls, outgoing }: { calls: CallContextValue; outgoing: OutgoingCall }) {
  const { actions } = calls;
  const { call, answers, ended } = outgoing;
  const title = ended ? t(`call.ended.${ended}`) : t('call.outgoingTitle');
  const first = call.invitees[0];
  return (
    <div
      class="call"
      role="dialog"
      aria-modal="true"
      aria-labelledby="call-title"
      data-testid="outgoing-call"
      data-call-id={call.callId}
      data-outcome={ended ?? 'ringing'}
    >
      <div class="call__top">
        <p id="call-title" class="call__kind" data-testid="call-status">
          {title}
        </p>
        <span class={`call__avatar ${ended ? '' : 'call__avatar--pulse'}`} aria-hidden="true">
          {first ? initials(first.displayName) : ''}
        </span>
        <ul class="call__invitees" aria-live="polite">
          {call.invitees.map((p) => {
            const answer = answers[p.userId] ?? (ended === 'missed' ? 'missed' : null);
            return (
              <li key={p.userId} class="call__invitee" data-testid="call-invitee" data-user-id={p.userId} data-answer={answer ?? 'ringing'}>
                <span class="call__name">{p.displayName}</span>
                <span class={`call__answer call__answer--${answer ?? 'ringing'}`}>{t(`call.answer.${answer ?? 'ringing'}`)}</span>
              </li>
            );
          })}
        </ul>
      </div>
      <div class="call__actions call__actions--one">
        {ended ? (
          <div class="call__action">
            <button type="button" class="call__button call__button--neutral" data-testid="call-close" aria-label={t('call.close')} onClick={() => actions.dismiss()}>
              <CloseIcon />
            </button>
            <span class="call__label" aria-hidden="true">
              {t('call.close')}
            </span>
          </div>
        ) : (
          <div class="call__action">
            <button
              type="button"
              class="call__button call__button--decline"
              data-testid="call-cancel"
              aria-label={t('call.cancel')}
              onClick={() => act(actions.cancel())}
            >
              <HandsetIcon down />
            </button>
            <span class="call__label" aria-hidden="true">
              {t('call.cancel')}
            </span>
          </div>
        )}
      </div>
    </div>
  );
}

/**
 * The call screens, over whatever page is open (project page or meeting):
 * the incoming call (who calls, answer / decline) and the outgoing one
 * (calling…, who answered, hang up). Phone-first: full screen, the big
 * buttons at the bottom within a thumb's reach.
 */
export function CallOverlay() {
  const calls = useCalls();
  if (!calls) return null;
  const { state, actions } = calls;
  const incoming = state.incoming.value;
  const outgoing = state.outgoing.value;
  const error = state.error.value;
  if (incoming) return <Incoming calls={calls} call={incoming} />;
  if (outgoing && !state.outgoingAnswered.value) return <Outgoing calls={calls} outgoing={outgoing} />;
  if (error) {
    return (
      <div class="call-toast" role="alert" data-testid="call-error" data-code={error}>
        <span>{t('call.failed', { reason: errorText(error) })}</span>
        <button type="button" class="button button--ghost" aria-label={t('call.close')} onClick={() => actions.dismiss()}>
          <CloseIcon />
        </button>
      </div>
    );
  }
  return null;
}
