/**
 * Start-up: language, route, state, controller, render. Side effects that the
 * components must not do (reading and cleaning the address bar, opening the
 * socket, listening for pagehide) happen here, once.
 */
import { render } from 'preact';
import { bindDocumentLanguage, initLang } from './i18n';
import { createLogger } from './log';
import { RoomController } from './room/RoomController';
import { readMeetingLink } from './route';
import { signalingUrl } from './signaling/socketUrl';
import { createRoomState } from './state/roomState';
import { App } from './ui/App';
import './ui/styles.css';

const log = createLogger('main');

function sessionStore(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // blocked storage: the token then lives only in memory
  }
}

initLang(window.location.search);
bindDocumentLanguage(document);

const route = readMeetingLink(window.location, window.history, sessionStore());
const state = createRoomState();
const controller = new RoomController({
  state,
  url: signalingUrl(window.location),
  // Absent on insecure origins: the lobby then reports NO_DEVICE and joining still works.
  mediaDevices: navigator.mediaDevices ?? null,
  isPhone: () => window.matchMedia('(pointer: coarse)').matches,
});
window.__chantier = controller;

if (route.kind === 'meeting') {
  if (route.token) {
    controller
      .connect(route.projectId, route.roomId, route.token)
      .catch((error: unknown) => log.error('connect failed', error));
  } else {
    controller.fail('INVALID_LINK');
  }
  window.addEventListener('pagehide', () => controller.leaveOnPageHide());
}

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app');
render(<App route={route} state={state} actions={controller} />, root);
