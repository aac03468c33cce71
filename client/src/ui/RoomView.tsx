import { t } from '../i18n';
import { useAudioOutput } from './AudioOutputPicker';
import { AudioBlockedNotice } from './BrowserNotice';
import { ChatPanel } from './ChatPanel';
import { useChat, useRoom } from './context';
import { ControlBar } from './ControlBar';
import { LangSwitch } from './LangSwitch';
import { ReconnectingBanner } from './ReconnectingBanner';
import { AudioSink } from './MediaElements';
import { LobbyRequests } from './moderation/LobbyRequests';
import { ModerationNotice } from './moderation/ModerationNotice';
import { useMinutes } from './minutes/context';
import { MinutesPanel } from './minutes/MinutesPanel';
import { RecordingBadge } from './recording/Recording';
import { ScreenShareNotice } from './ScreenShareNotice';
import { Stage } from './stage/Stage';

function ConnectionBadge() {
  const { state } = useRoom();
  const connection = state.mediaConnection.value;
  return (
    <span class={`badge badge--${connection}`} role="status" data-testid="connection-state" data-state={connection}>
      <span class="badge__dot" aria-hidden="true" />
      {t(`connection.${connection}`)}
    </span>
  );
}

/** Plays every remote participant's sound, independently of the tiles' layout. */
function RemoteAudio() {
  const { state } = useRoom();
  const sinkId = useAudioOutput()?.sinkId.value ?? '';
  return (
    <div class="audio-sinks" aria-hidden="true">
      {state.participants.value.flatMap((p) => [
        p.audioTrack && <AudioSink key={`${p.peerId}:mic`} track={p.audioTrack} sinkId={sinkId} />,
        p.screenAudioTrack && <AudioSink key={`${p.peerId}:screen-audio`} track={p.screenAudioTrack} sinkId={sinkId} />,
      ])}
    </div>
  );
}

export function RoomView() {
  const { state } = useRoom();
  const chat = useChat();
  const tiles = state.tiles.value;
  const chatOpen = chat.state.open.value;
  const minutesOpen = useMinutes().state.open.value;
  return (
    <main class={`room ${chatOpen ? 'room--chat' : ''}`} data-testid="room">
      <header class="room__header">
        <h1 class="room__title">{t('room.label')}</h1>
        <span class="room__count">{t('room.participants', { n: tiles.length })}</span>
        <RecordingBadge />
        <ConnectionBadge />
        <LangSwitch class="room__lang" />
      </header>
      <ReconnectingBanner />
      <AudioBlockedNotice />
      <ScreenShareNotice />
      <ModerationNotice />
      <LobbyRequests />
      <div class="room__body">
        <Stage />
        {minutesOpen && <MinutesPanel />}
        {chatOpen && <ChatPanel />}
      </div>
      <RemoteAudio />
      <ControlBar />
    </main>
  );
}
