/**
 * Start-up: language, route, state, controllers, render. Side effects that
 * the components must not do (reading and cleaning the address bar, opening
 * sockets, listening for pagehide, visibility and screen width) happen
 * here, once.
 */
import { render } from 'preact';
import { bindDocumentLanguage, initLang } from './i18n';
import { registerServiceWorker } from './phone/serviceWorker';
import { readLink } from './route';
import { startInvitation } from './start/invitation';
import { startMeeting } from './start/meeting';
import { startProject } from './start/project';
import { sessionStore } from './start/shared';
import { App, type AppModel } from './ui/App';
import { watchPageVisibility } from './util/watch';
import './ui/styles.css';

initLang(window.location.search);
bindDocumentLanguage(document);

const { route, tokenStored } = readLink(window.location, window.history, sessionStore());
const pageVisible = watchPageVisibility(document);
/** When the service worker may register: at load, but on a meeting link once its join screen is up (serviceWorker.ts). */
let workerAfter: Promise<void> = Promise.resolve();
let model: AppModel;
if (route.kind === 'meeting') {
  ({ model, workerAfter } = startMeeting(route, tokenStored, pageVisible));
} else if (route.kind === 'project') {
  model = startProject(route, tokenStored, pageVisible);
} else if (route.kind === 'invitation') {
  model = startInvitation(route);
} else {
  model = { kind: 'home' };
}

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app');
render(<App model={model} />, root);
// The app shell works offline and installs as an app; in development Vite serves modules, no worker.
if (import.meta.env.PROD) registerServiceWorker(window, workerAfter);
