/**
 * A page started from the service worker's cached shell just after a
 * deployment runs the previous build (sw.ts serves the cached shell first, so
 * that a repeat visit on a weak link does not wait a round trip for it). If
 * the server's protocol changed meanwhile, its hello is refused with
 * UNSUPPORTED_PROTOCOL. By then the new build's worker is installed or
 * installing (the browser checks sw.js at every navigation, and the worker
 * takes over at once: skipWaiting, clients.claim), so the page waits for it to
 * control the page (bounded) and reloads once, into the new build.
 *
 * Once: no second reload within RELOAD_GUARD_MS, so a server and a build that
 * disagree for another reason show the error screen ("Rechargez la page")
 * instead of a reload loop.
 */
import { effect, type ReadonlySignal } from '@preact/signals';
import { createLogger } from '../log';

const log = createLogger('outdated-shell');

export const OUTDATED_CODE = 'UNSUPPORTED_PROTOCOL';
export const RELOAD_KEY = 'chantier.outdatedReloadAt';
export const RELOAD_GUARD_MS = 60_000;
/** How long to wait for the new worker before reloading anyway (the network then serves the page). */
export const WORKER_WAIT_MS = 10_000;

/** Whether a refusal with `code` calls for the one reload, given when the last one was (storage). */
export function shouldReload(code: string | null | undefined, storage: Pick<Storage, 'getItem'> | null, now: number): boolean {
  if (code !== OUTDATED_CODE) return false;
  const last = Number(storage?.getItem(RELOAD_KEY) ?? NaN);
  return !(Number.isFinite(last) && now - last >= 0 && now - last < RELOAD_GUARD_MS);
}

export interface ReloadEnvironment {
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  now(): number;
  /** Asks the browser for the latest worker and resolves once it controls the page (or on failure). */
  newestWorker(timeoutMs: number): Promise<void>;
  reload(): void;
}

/** Reloads once into the deployed build if `code` says this page's build is outdated; true if it does. */
export async function reloadIfOutdated(code: string | null | undefined, env: ReloadEnvironment): Promise<boolean> {
  const now = env.now();
  if (!shouldReload(code, env.storage, now)) return false;
  try {
    env.storage?.setItem(RELOAD_KEY, String(now));
  } catch {
    // full or blocked storage: reload anyway; the next refusal may then reload again, a minute later at best
  }
  await env.newestWorker(WORKER_WAIT_MS).catch((error: unknown) => log.warn('no newer worker', error));
  log.info('reloading into the deployed build');
  env.reload();
  return true;
}

/** The browser's side of ReloadEnvironment. */
export function browserReloadEnvironment(win: Window): ReloadEnvironment {
  let storage: Storage | null = null;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = null;
  }
  return {
    storage,
    now: () => Date.now(),
    reload: () => win.location.reload(),
    newestWorker: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const container = win.navigator.serviceWorker as ServiceWorkerContainer | undefined;
        if (!container) return resolve();
        const timer = win.setTimeout(resolve, timeoutMs);
        const done = (): void => {
          win.clearTimeout(timer);
          resolve();
        };
        container.addEventListener('controllerchange', done, { once: true });
        void container
          .getRegistration()
          .then(async (registration) => {
            if (!registration) return done();
            await registration.update();
            // Nothing newer on the server: the page's worker is already the newest.
            if (!registration.installing && !registration.waiting) done();
          })
          .catch(done);
      }),
  };
}

/** Watches a page's refusal code (the meeting's or the project's) for the outdated build's. */
export function reloadWhenOutdated(error: ReadonlySignal<string | null>, win: Window = window): void {
  effect(() => {
    const code = error.value;
    if (code === OUTDATED_CODE) void reloadIfOutdated(code, browserReloadEnvironment(win));
  });
}
