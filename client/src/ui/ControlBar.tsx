import { unreadLabel } from '../chat/unread';
import { t } from '../i18n';
import { act } from './act';
import { useChat, useRoom } from './context';
import { CameraIcon, CameraOffIcon, ChatIcon, FileIcon, LeaveIcon, MicIcon, MicOffIcon, ScreenShareIcon, ScreenStopIcon } from './icons';
import { AudioOnlyToggle } from './AudioOnlyToggle';
import { usePresentation } from './presentation/context';
import { DocumentPicker } from './presentation/DocumentPicker';

/** Opens and closes the chat panel; the badge counts what arrived while it was closed. */
function ChatToggle() {
  const { state, actions } = useChat();
  const open = state.open.value;
  const unread = state.unread.value;
  return (
    <button
      type="button"
      class={`button control control--chat ${open ? 'control--active' : ''}`}
      data-testid="chat-toggle"
      aria-pressed={open}
      aria-label={unread > 0 ? `${t('controls.chat')} · ${t('chat.unreadLabel', { n: unread })}` : t('controls.chat')}
      onClick={() => actions.setOpen(!open)}
    >
      <ChatIcon />
      <span>{t('controls.chat')}</span>
      <span class="control__badge" data-testid="chat-unread" data-count={unread} hidden={unread === 0} aria-hidden="true">
        {unreadLabel(unread)}
      </span>
    </button>
  );
}

/** Shares a screen, window or tab; absent where the browser cannot (phones). */
function ScreenToggle() {
  const { state, actions } = useRoom();
  if (!state.canShareScreen.value) return null;
  const share = state.screenShare.value;
  const on = share === 'on';
  return (
    <button
      type="button"
      class={`button control ${on ? 'control--active' : ''}`}
      data-testid="screen-toggle"
      data-state={share}
      aria-pressed={on}
      title={on ? t('controls.screenStopTitle') : t('controls.screenStartTitle')}
      disabled={share === 'starting' || state.busy.value.has('screen')}
      onClick={() => act(actions.setScreenSharing(!on))}
    >
      {on ? <ScreenStopIcon /> : <ScreenShareIcon />}
      <span>{on ? t('controls.screenStop') : t('controls.screen')}</span>
    </button>
  );
}

/** Presents a project document (plans, photos); opens the picker. */
function PresentToggle() {
  const { state, actions } = usePresentation();
  const presenting = state.isPresenter.value;
  return (
    <>
      <button
        type="button"
        class={`button control ${presenting ? 'control--active' : ''}`}
        data-testid="present-button"
        aria-pressed={presenting}
        onClick={() => act(presenting ? actions.stop() : actions.openPicker())}
      >
        <FileIcon />
        <span>{presenting ? t('present.stop') : t('present.button')}</span>
      </button>
      <DocumentPicker />
    </>
  );
}

export function ControlBar() {
  const { state, actions } = useRoom();
  const mic = state.micEnabled.value;
  const camera = state.cameraEnabled.value;
  const busy = state.busy.value;
  return (
    <nav class="controls" aria-label={t('controls.label')}>
      <button
        type="button"
        class={`button control ${mic ? '' : 'control--off'}`}
        data-testid="mic-toggle"
        aria-pressed={mic}
        title={mic ? t('controls.micMute') : t('controls.micUnmute')}
        disabled={busy.has('mic')}
        onClick={() => act(actions.setMicEnabled(!mic))}
      >
        {mic ? <MicIcon /> : <MicOffIcon />}
        <span>{t('controls.mic')}</span>
      </button>
      <button
        type="button"
        class={`button control ${camera ? '' : 'control--off'}`}
        data-testid="camera-toggle"
        aria-pressed={camera}
        title={camera ? t('controls.cameraStop') : t('controls.cameraStart')}
        disabled={busy.has('camera') || state.audioOnly.value}
        onClick={() => act(actions.setCameraEnabled(!camera))}
      >
        {camera ? <CameraIcon /> : <CameraOffIcon />}
        <span>{t('controls.camera')}</span>
      </button>
      <AudioOnlyToggle />
      <ScreenToggle />
      <PresentToggle />
      <ChatToggle />
      <button
        type="button"
        class="button control control--leave"
        data-testid="leave-button"
        onClick={() => act(actions.leave())}
      >
        <LeaveIcon />
        <span>{t('controls.leave')}</span>
      </button>
    </nav>
  );
}
