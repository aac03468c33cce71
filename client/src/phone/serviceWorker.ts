/**
 * Registers the app-shell service worker (built by client/swPlugin.ts into
 * dist/sw.js). Production builds only (main.tsx): in development Vite serves
 * source modules that must never be cached.
 */
import { createLogger } from '../log';

const log = createLogger('service-worker');

export const SERVICE_WORKER_URL = '/sw.js';

export function registerServiceWorker(win: Window): void {
  const container = win.navigator.serviceWorker as ServiceWorkerContainer | undefined;
  // Absent on insecure origins (plain http other than localhost) and in some private modes.
  if (!container) return;
  const register = (): void => {
    container
      .register(SERVICE_WORKER_URL, { scope: '/' })
      .then((registration) => log.debug(`registered for ${registration.scope}`))
      .catch((error: unknown) => log.warn('service worker not registered', error));
  };
  // After the page has loaded: the worker's precache must not compete with the meeting's start.
  if (win.document.readyState === 'complete') register();
  else win.addEventListener('load', register, { once: true });
}
