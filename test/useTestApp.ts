/**
 * An integration file's app, registered with vitest: started in a beforeAll,
 * closed in an afterAll; and the protocol clients its tests open, checked
 * against the protocol and closed after each test (closeCheckedClients).
 *
 *   const { app: t, clients } = useTestApp({ GUEST_LOBBY: 'off' });
 *
 * `app` can be used as the TestApp itself from hooks and tests on (it reads
 * the app started for the file); a test pushes each TestClient it opens to
 * `clients`. Hooks run in the order they are registered (vitest's 'stack'
 * order: afterAll in reverse): a beforeAll registered before the call runs
 * before the app starts (`env` may be a function, read then), one after it
 * once the app is up; the app closes before what was set up before it.
 * A second call (a second app with another config) checks its own clients.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { BuildOptions } from '../signaling/src/app.js';
import { startTestApp, type TestApp } from './app.js';
import { closeCheckedClients } from './session.js';
import type { TestClient } from './TestClient.js';

export interface UsedTestApp {
  /** The file's app, once its beforeAll has run. */
  app: TestApp;
  /** The clients a test opened: checked and closed after each test. */
  clients: TestClient[];
}

export function useTestApp(env: Record<string, string> | (() => Record<string, string>) = {}, build: BuildOptions = {}): UsedTestApp {
  let started: TestApp | undefined;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    started = await startTestApp(typeof env === 'function' ? env() : env, undefined, build);
  });
  afterAll(async () => {
    await started?.close();
  });
  afterEach(() => closeCheckedClients(clients));
  return { app: lateApp(() => started), clients };
}

/** A TestApp that reads the app started later, at each use. */
function lateApp(get: () => TestApp | undefined): TestApp {
  const app = (): TestApp => {
    const t = get();
    if (!t) throw new Error('the test app is not started: use it from a hook or a test');
    return t;
  };
  return {
    get app() {
      return app().app;
    },
    get config() {
      return app().config;
    },
    get url() {
      return app().url;
    },
    token: (options, secret) => app().token(options, secret),
    close: () => app().close(),
  };
}
