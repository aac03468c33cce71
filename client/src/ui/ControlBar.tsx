/**
 * The meeting's controls, at the bottom, in thumb reach.
 *
 * HOW TO ADD A CONTROL: write a component that takes `ControlProps` and
 * renders `<ControlButton>` (controls/ControlButton.tsx), then add ONE entry to `useControlEntries()`
 * below: its place in the list is its place in the bar, its `priority`
 * (0 = most used) decides when it moves into the "more" sheet on a narrow
 * screen (controls/controlLayout.ts decides, from the bar's measured width),
 * `available` hides it where it cannot work. Mic and leave are pinned: they
 * never leave the bar. The same component renders in the bar (icon over a
 * short label, at least 56 × 56 px) and in the sheet (a full-width row).
 */
import type { ComponentType } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { canModerate } from '@chantier/signaling/protocol';
import { unreadLabel } from '../chat/unread';
import { t } from '../i18n';
import { act } from './act';
import { AudioOutputPicker, useAudioOutput } from './AudioOutputPicker';
import { useChat, useRoom } from './context';
import { ControlButton, type ControlProps } from './controls/ControlButton';
import { fitControls, slotSizeFor, type ControlSpec } from './controls/controlLayout';
import {
  CameraIcon,
  CameraOffIcon,
  ChatIcon,
  HeadphonesIcon,
  CloseIcon,
  FileIcon,
  HandIcon,
  LeaveIcon,
  MicIcon,
  MicOffIcon,
  MoreIcon,
  ScreenShareIcon,
  ScreenStopIcon,
} from './icons';
import { usePresentation } from './presentation/context';
import { EndMeetingConfirm } from './moderation/EndMeetingConfirm';
import { EndForAllControl, GuestLobbyControl, LockControl, SelfUnmuteControl } from './moderation/ModerationControls';
import { DocumentPicker } from './presentation/DocumentPicker';
import { useElementSize } from './stage/useElementSize';
import { MinutesControl } from './minutes/MinutesControl';
import { RecordingControl } from './recording/Recording';

function MicControl({ inSheet }: ControlProps) {
  const { state, actions } = useRoom();
  const mic = state.micEnabled.value;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={mic ? undefined : 'off'}
      data-testid="mic-toggle"
      aria-pressed={mic}
      title={state.micLocked.value ? t('error.UNMUTE_NOT_ALLOWED') : mic ? t('controls.micMute') : t('controls.micUnmute')}
      // Muted by a moderator who does not let them unmute: the server would refuse it.
      disabled={state.busy.value.has('mic') || (state.micLocked.value && !mic)}
      onClick={() => act(actions.setMicEnabled(!mic))}
      icon={mic ? <MicIcon /> : <MicOffIcon />}
      label={t('controls.mic')}
    />
  );
}

function CameraControl({ inSheet }: ControlProps) {
  const { state, actions } = useRoom();
  const camera = state.cameraEnabled.value;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={camera ? undefined : 'off'}
      data-testid="camera-toggle"
      aria-pressed={camera}
      title={camera ? t('controls.cameraStop') : t('controls.cameraStart')}
      disabled={state.busy.value.has('camera') || state.audioOnly.value}
      onClick={() => act(actions.setCameraEnabled(!camera))}
      icon={camera ? <CameraIcon /> : <CameraOffIcon />}
      label={t('controls.camera')}
    />
  );
}

/** Audio-only during the meeting: no video received or sent; pressed again, video comes back. */
function AudioOnlyControl({ inSheet }: ControlProps) {
  const { state, actions } = useRoom();
  const on = state.audioOnly.value;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={on ? 'active' : undefined}
      data-testid="audio-only-toggle"
      aria-pressed={on}
      title={on ? t('controls.audioOnlyOff') : t('controls.audioOnlyOn')}
      disabled={state.busy.value.has('camera')}
      onClick={() => act(actions.setAudioOnly(!on))}
      icon={<HeadphonesIcon />}
      label={t('controls.audioOnly')}
    />
  );
}

/** Shares a screen, window or tab; unavailable where the browser cannot (phones). */
function ScreenControl({ inSheet }: ControlProps) {
  const { state, actions } = useRoom();
  const share = state.screenShare.value;
  const on = share === 'on';
  return (
    <ControlButton
      inSheet={inSheet}
      tone={on ? 'active' : undefined}
      data-testid="screen-toggle"
      data-state={share}
      aria-pressed={on}
      title={on ? t('controls.screenStopTitle') : t('controls.screenStartTitle')}
      disabled={share === 'starting' || state.busy.value.has('screen')}
      onClick={() => act(actions.setScreenSharing(!on))}
      icon={on ? <ScreenStopIcon /> : <ScreenShareIcon />}
      label={on ? t('controls.screenStop') : t('controls.screen')}
    />
  );
}

/** Presents a project document (plans, photos); opens the picker (rendered by the bar, not here). */
function PresentControl({ inSheet }: ControlProps) {
  const { state, actions } = usePresentation();
  const presenting = state.isPresenter.value;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={presenting ? 'active' : undefined}
      data-testid="present-button"
      aria-pressed={presenting}
      onClick={() => act(presenting ? actions.stop() : actions.openPicker())}
      icon={<FileIcon />}
      label={presenting ? t('present.stop') : t('present.button')}
    />
  );
}

/** Opens and closes the chat panel; the badge counts what arrived while it was closed. */
function ChatControl({ inSheet }: ControlProps) {
  const { state, actions } = useChat();
  const open = state.open.value;
  const unread = state.unread.value;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={open ? 'active' : undefined}
      data-testid="chat-toggle"
      aria-pressed={open}
      aria-label={unread > 0 ? `${t('controls.chat')} · ${t('chat.unreadLabel', { n: unread })}` : t('controls.chat')}
      onClick={() => actions.setOpen(!open)}
      icon={<ChatIcon />}
      label={inSheet ? t('controls.chat') : t('controls.chatShort')}
    >
      <span class="control__badge" data-testid="chat-unread" data-count={unread} hidden={unread === 0} aria-hidden="true">
        {unreadLabel(unread)}
      </span>
    </ControlButton>
  );
}

/** Raise or lower one's hand; everyone sees it on the tile. */
function HandControl({ inSheet }: ControlProps) {
  const { state, actions } = useRoom();
  const raised = state.handRaised.value;
  return (
    <ControlButton
      inSheet={inSheet}
      tone={raised ? 'active' : undefined}
      data-testid="hand-toggle"
      aria-pressed={raised}
      onClick={() => act(actions.setHandRaised(!raised))}
      icon={<HandIcon />}
      label={raised ? t('controls.lowerHand') : t('controls.raiseHand')}
    />
  );
}

function LeaveControl({ inSheet }: ControlProps) {
  const { actions } = useRoom();
  return (
    <ControlButton
      inSheet={inSheet}
      tone="danger"
      data-testid="leave-button"
      onClick={() => act(actions.leave())}
      icon={<LeaveIcon />}
      label={t('controls.leave')}
    />
  );
}

interface ControlEntry extends ControlSpec {
  available: boolean;
  Component: ComponentType<ControlProps>;
}

/** The bar's controls, in bar order. Adding a control = adding one entry here. */
function useControlEntries(): ControlEntry[] {
  const { state } = useRoom();
  const self = state.self.value;
  const moderator = self !== null && canModerate(self);
  return [
    { id: 'mic', priority: 0, pinned: true, available: true, Component: MicControl },
    { id: 'camera', priority: 1, available: true, Component: CameraControl },
    { id: 'audio-only', priority: 3, available: true, Component: AudioOnlyControl },
    { id: 'screen', priority: 4, available: state.canShareScreen.value, Component: ScreenControl },
    { id: 'present', priority: 4, available: true, Component: PresentControl },
    { id: 'chat', priority: 2, available: true, Component: ChatControl },
    { id: 'minutes', priority: 3, available: true, Component: MinutesControl },
    { id: 'hand', priority: 3, available: true, Component: HandControl },
    { id: 'lock', priority: 5, available: moderator, Component: LockControl },
    { id: 'guest-lobby', priority: 6, available: moderator, Component: GuestLobbyControl },
    { id: 'self-unmute', priority: 6, available: moderator, Component: SelfUnmuteControl },
    { id: 'recording', priority: 5, available: moderator, Component: RecordingControl },
    { id: 'end-for-all', priority: 5, available: moderator, Component: EndForAllControl },
    { id: 'leave', priority: 0, pinned: true, available: true, Component: LeaveControl },
  ];
}

/** Total of the unread chat messages, shown on "more" while the chat control is in the sheet. */
function MoreBadge() {
  const unread = useChat().state.unread.value;
  if (unread === 0) return null;
  return (
    <span class="control__badge" aria-hidden="true">
      {unreadLabel(unread)}
    </span>
  );
}

function MoreSheet({ entries, onClose }: { entries: readonly ControlEntry[]; onClose: () => void }) {
  const sheet = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    sheet.current?.querySelector<HTMLElement>('button, select')?.focus({ preventScroll: true });
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div
      ref={sheet}
      class="sheet"
      role="dialog"
      aria-modal="true"
      aria-label={t('controls.moreLabel')}
      data-testid="more-sheet"
      // A tapped control did its job: the sheet closes (the select stays open for its choice).
      onClick={(event) => {
        if ((event.target as Element).closest('button')) onClose();
      }}
    >
      {entries.map(({ id, Component }) => (
        <Component key={id} inSheet />
      ))}
      <AudioOutputPicker id="audio-output-meeting" />
      <button type="button" class="button sheet__item sheet__close" data-testid="more-close">
        <CloseIcon />
        <span>{t('controls.moreClose')}</span>
      </button>
    </div>
  );
}

export function ControlBar() {
  const nav = useRef<HTMLElement>(null);
  const { width } = useElementSize(nav);
  const [sheetOpen, setSheetOpen] = useState(false);
  const entries = useControlEntries().filter((entry) => entry.available);
  const output = useAudioOutput();
  const outputInSheet = output !== null && output.mode.value !== 'hidden';
  // Before the first measure, the window's width (less the bar's padding) is close enough.
  const measured = width > 0 ? width : window.innerWidth - 16;
  const layout = fitControls(entries, measured, slotSizeFor(window.innerWidth), outputInSheet);
  const inBar = new Set(layout.bar);
  const inSheet = entries.filter((entry) => !inBar.has(entry.id));
  const close = useCallback(() => setSheetOpen(false), []);
  // The "more" button sits just before the last control (leave), so leave keeps its corner.
  const bar = entries.filter((entry) => inBar.has(entry.id));
  const last = bar.length > 0 && bar[bar.length - 1]?.pinned ? bar.pop() : undefined;

  return (
    <>
      {sheetOpen && <div class="sheet-backdrop" data-testid="more-backdrop" onClick={close} />}
      <nav
        ref={nav}
        class={`controls ${sheetOpen ? 'controls--sheet-open' : ''}`}
        aria-label={t('controls.label')}
        data-testid="controls"
        data-in-bar={layout.bar.join(' ')}
        data-in-sheet={layout.more.join(' ')}
      >
        {bar.map(({ id, Component }) => (
          <Component key={id} inSheet={false} />
        ))}
        {layout.showMore && (
          <ControlButton
            inSheet={false}
            tone={sheetOpen ? 'active' : undefined}
            data-testid="more-toggle"
            aria-haspopup="dialog"
            aria-expanded={sheetOpen}
            onClick={() => setSheetOpen(!sheetOpen)}
            icon={<MoreIcon />}
            label={t('controls.more')}
          >
            {inSheet.some((entry) => entry.id === 'chat') && <MoreBadge />}
          </ControlButton>
        )}
        {last && <last.Component key={last.id} inSheet={false} />}
        {sheetOpen && <MoreSheet entries={inSheet} onClose={close} />}
        {/* Outside the sheet: the picker stays open after the sheet closes. */}
        <DocumentPicker />
        <EndMeetingConfirm />
      </nav>
    </>
  );
}
