/**
 * Registers the app-shell service worker (built by client/swPlugin.ts into
 * dist/sw.js). Production builds only (main.tsx): in development Vite serves
 * source modules that must never be cached.
 */
import { effect, type ReadonlySignal } from '@preact/signals';
import { createLogger } from '../log';

const log = createLogger('service-worker');

export const SERVICE_WORKER_URL = '/sw.js';

/**
 * Registers once the page has loaded and `after` has settled. On a meeting
 * link `after` is the join screen coming up (afterConnecting): the worker's
 * precache (~450 KiB) then never competes with what the join screen needs on
 * a weak link (issue 21: <= 150 KiB before the join button is usable; at
 * 'load' a run counted 245 KiB).
 */
export function registerServiceWorker(win: Window, after: Promise<unknown> = Promise.resolve()): void {
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
  const loaded = new Promise<void>((resolve) => {
    if (win.document.readyState === 'complete') resolve();
    else win.addEventListener('load', () => resolve(), { once: true });
  });
  void Promise.all([loaded, after.catch(() => undefined)]).then(register);
}

/** Resolves once `phase` has left 'connecting': the meeting's join screen (or its error) is up. */
export function afterConnecting(phase: ReadonlySignal<string>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = effect(() => {
      if (phase.value === 'connecting') return;
      resolve();
      queueMicrotask(() => stop());
    });
  });
}
