/**
 * What this browser cannot do, said where it matters instead of failing
 * later: a browser without WebRTC (Debian's WebKitGTK, some in-app
 * browsers) learns on the join screen and beside the project's join button
 * that it cannot enter the meeting, and which browsers can; a browser that
 * holds the others' voices until a touch (WebKit) gets a button to play them.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { blockedPlayback } from '../env/autoplay';
import { browserCapabilities, type Capabilities } from '../env/capabilities';
import { t } from '../i18n';

/** This page's capabilities; tests and previews may provide others. Unset: read from the window. */
export const CapabilitiesContext = createContext<Capabilities | null>(null);

export function useCapabilities(): Capabilities {
  return useContext(CapabilitiesContext) ?? browserCapabilities();
}

/** On the join screen: why the meeting cannot start here, and what to use instead. */
export function NoWebrtcNotice() {
  if (useCapabilities().webrtc) return null;
  return (
    <div class="notice browser-notice" role="alert" data-testid="no-webrtc">
      <strong>{t('browser.noWebrtc.title')}</strong>
      <p>{t('browser.noWebrtc.body')}</p>
      <p>{t('browser.noWebrtc.instead')}</p>
    </div>
  );
}

/** Beside the project page's join button: one line. */
export function NoWebrtcLine() {
  if (useCapabilities().webrtc) return null;
  return (
    <p class="notice browser-notice" role="note" data-testid="no-webrtc">
      {t('browser.noWebrtc.short')}
    </p>
  );
}

/** In the room: the browser waits for a touch before playing the others' voices (WebKit). */
export function AudioBlockedNotice() {
  if (!blockedPlayback.blocked.value) return null;
  return (
    <div class="notice browser-notice audio-blocked" role="alert">
      <span>{t('browser.audioBlocked')}</span>
      <button type="button" class="button button--primary" data-testid="audio-blocked" onClick={() => void blockedPlayback.resumeAll()}>
        {t('browser.audioBlocked.button')}
      </button>
    </div>
  );
}
