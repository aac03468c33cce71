import { t, type MessageKey } from '../i18n';
import { useEffect } from 'preact/hooks';
import { DISPLAY_NAME_MAX } from '../room/displayName';
import { markJoin } from '../room/joinTimeline';
import { act } from './act';
import { AudioOutputPicker } from './AudioOutputPicker';
import { NoWebrtcNotice, useCapabilities } from './BrowserNotice';
import { useRoom } from './context';
import { DeviceSelect } from './DeviceSelect';
import { CameraIcon, CameraOffIcon, HeadphonesIcon, MicIcon, MicOffIcon } from './icons';
import { LangSwitch } from './LangSwitch';
import { RecordingNotice } from './recording/RecordingNotice';
import { VideoView } from './MediaElements';

/** The lobby: check camera and microphone, set one's name, join. */
export function JoinScreen() {
  const { state, actions } = useRoom();
  const joining = state.phase.value === 'joining';
  const mic = state.micEnabled.value;
  const camera = state.cameraEnabled.value;
  const audioOnly = state.audioOnly.value;
  const preview = camera ? state.localVideoTrack.value : null;
  const busy = state.busy.value;
  const audioIssue = state.audioIssue.value;
  const videoIssue = state.videoIssue.value;
  // Without WebRTC the join could only fail: the notice says why, the button stays off.
  const canJoin = useCapabilities().webrtc;
  useEffect(() => markJoin('page-shown'), []);

  return (
    <main class="join" data-testid="join">
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <LangSwitch />
      </header>
      <div class="join__body">
        <div class="join__preview">
          {preview ? (
            <VideoView track={preview} mirrored />
          ) : (
            <div class="join__preview-off">
              <CameraOffIcon />
              <span>{t('join.previewOff')}</span>
            </div>
          )}
        </div>

        <form
          class="join__form"
          onSubmit={(event) => {
            event.preventDefault();
            act(actions.join());
          }}
        >
          <h1 class="join__title">{t('join.title')}</h1>
          <RecordingNotice />
          <NoWebrtcNotice />
          <div class="field">
            <label for="display-name">{t('join.displayName')}</label>
            <input
              id="display-name"
              class="input"
              data-testid="display-name"
              type="text"
              autoComplete="name"
              maxLength={DISPLAY_NAME_MAX}
              value={state.displayName.value}
              disabled={joining}
              onInput={(event) => actions.setDisplayName(event.currentTarget.value)}
            />
          </div>

          <div class="join__toggles">
            <button
              type="button"
              class={`button toggle ${mic ? '' : 'toggle--off'}`}
              data-testid="mic-toggle-lobby"
              aria-pressed={mic}
              disabled={joining || busy.has('mic')}
              onClick={() => act(actions.setMicEnabled(!mic))}
            >
              {mic ? <MicIcon /> : <MicOffIcon />}
              <span>{mic ? t('join.micOn') : t('join.micOff')}</span>
            </button>
            <button
              type="button"
              class={`button toggle ${camera ? '' : 'toggle--off'}`}
              data-testid="camera-toggle-lobby"
              aria-pressed={camera}
              disabled={joining || busy.has('camera') || state.audioOnly.value}
              onClick={() => act(actions.setCameraEnabled(!camera))}
            >
              {camera ? <CameraIcon /> : <CameraOffIcon />}
              <span>{camera ? t('join.cameraOn') : t('join.cameraOff')}</span>
            </button>
            {/* A toggle like its neighbours, not a checkbox: a gloved thumb must hit it. */}
            <button
              type="button"
              class={`button toggle ${audioOnly ? 'toggle--active' : ''}`}
              data-testid="audio-only-lobby"
              aria-pressed={audioOnly}
              title={t('join.audioOnlyHint')}
              disabled={joining || busy.has('camera')}
              onClick={() => act(actions.setAudioOnly(!audioOnly))}
            >
              <HeadphonesIcon />
              <span>{t('join.audioOnly')}</span>
            </button>
          </div>

          {/* Above what the devices' opening adds (lists, notices), so that it never moves under a press. */}
          <button type="submit" class="button button--primary join__submit" data-testid="join-button" disabled={joining || !canJoin}>
            {joining ? t('join.joining') : t('join.button')}
          </button>

          <DeviceSelect
            id="audio-input"
            label={t('join.audioInput')}
            devices={state.audioInputs.value}
            selected={state.selectedAudioInputId.value}
            disabled={joining || busy.has('mic')}
            onSelect={(id) => act(actions.selectAudioInput(id))}
          />
          <DeviceSelect
            id="video-input"
            label={t('join.videoInput')}
            devices={state.videoInputs.value}
            selected={state.selectedVideoInputId.value}
            disabled={joining || busy.has('camera')}
            onSelect={(id) => act(actions.selectVideoInput(id))}
          />

          <AudioOutputPicker id="audio-output" />

          {(audioIssue || videoIssue) && (
            <ul class="notice" role="status" data-testid="device-issues">
              {audioIssue && <li>{t(`device.audio.${audioIssue}` satisfies MessageKey)}</li>}
              {videoIssue && <li>{t(`device.video.${videoIssue}` satisfies MessageKey)}</li>}
            </ul>
          )}

        </form>
      </div>
    </main>
  );
}
