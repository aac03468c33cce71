/**
 * Debian's WebKitGTK (MiniBrowser, the engine of Epiphany; the closest to
 * Safari this machine runs) through its WebDriver, for browser tests: an Xvfb
 * display of its own (MiniBrowser needs one), `WebKitWebDriver` on a free
 * loopback port, one session with mock camera and microphone.
 *
 * Plain WebDriver (the W3C "classic" protocol: JSON over HTTP) through
 * `fetch`, not a client library: the few commands used here are one request
 * each, and the clients that fit do not install here (WebdriverIO's
 * `webdriver` 9 pulls in geckodriver, edgedriver and @puppeteer/browsers,
 * downloaders that would reach for the network; `selenium-webdriver` 4.54
 * declares Node 22).
 *
 * What this WebKit can do is in ../shared/TESTING.md and the README's
 * compatibility table: no RTCPeerConnection at all (Debian builds it without
 * WebRTC), so it tests the pages around a meeting, not a call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** The W3C element reference key. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

interface WebDriverAnswer {
  value: unknown;
}

export interface WebKitSession {
  /** Opens `url` and waits for its load event. */
  goto(url: string): Promise<void>;
  /** Runs `body` (a function body: `return ...`) in the page with `args`; its value. */
  run<T>(body: string, ...args: unknown[]): Promise<T>;
  /** Polls `body` (a function body returning a truthy value when done) in the page until it holds; that value. */
  waitFor<T>(body: string, what: string, timeoutMs?: number, ...args: unknown[]): Promise<T>;
  click(selector: string): Promise<void>;
  /** Types `text` into the element, key by key (real key events, as a person would; '\uE007' is Enter). */
  type(selector: string, text: string): Promise<void>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Xvfb on the first free display; resolves with its number once it accepts clients. */
function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  // -displayfd: Xvfb picks a free display itself and writes its number on fd 3 when ready.
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let text = '';
    let stderr = '';
    xvfb.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve({ display: `:${text.trim()}`, process: xvfb });
    });
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${stderr.trim()}`)));
  });
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as WebDriverAnswer;
  if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${response.status} ${JSON.stringify(answer.value)}`);
  return answer.value;
}

/** Waits until the driver answers /status as ready. */
async function driverReady(base: string, driver: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}`);
    try {
      const status = (await call(base, 'GET', '/status')) as { ready?: boolean };
      if (status.ready) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('WebKitWebDriver did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Xvfb, WebKitWebDriver and one MiniBrowser session; `close()` ends all three. */
export async function launchWebKit(): Promise<WebKitSession> {
  const xvfb = await startXvfb();
  let driver: ChildProcess | undefined;
  try {
    const port = await freePort();
    driver = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], {
      env: { ...process.env, DISPLAY: xvfb.display },
      stdio: 'ignore',
    });
    const base = `http://127.0.0.1:${port}`;
    await driverReady(base, driver);
    const session = (await call(base, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'MiniBrowser',
          // Room for waitFor's in-page polls (a loaded machine is slow); each ends on its own timeout first.
          timeouts: { script: 60_000 },
          'webkitgtk:browserOptions': {
            binary: MINIBROWSER,
            // Mock devices: "Mock video device 1" (640x480, 30 fps) and a microphone, no prompt.
            args: ['--automation', '--enable-media-stream=true', '--enable-mock-capture-devices=true'],
          },
        },
      },
    })) as { sessionId: string };
    return sessionApi(`${base}/session/${session.sessionId}`, base, async () => {
      await stop(driver);
      await stop(xvfb.process);
    });
  } catch (error) {
    await stop(driver);
    await stop(xvfb.process);
    throw error;
  }
}

function sessionApi(session: string, base: string, stopAll: () => Promise<void>): WebKitSession {
  const path = session.slice(base.length);
  const element = async (selector: string): Promise<string> => {
    const found = (await call(base, 'POST', `${path}/element`, { using: 'css selector', value: selector })) as Record<string, string>;
    const id = found[ELEMENT];
    if (!id) throw new Error(`no element ${selector}`);
    return id;
  };
  const run = async <T>(body: string, ...args: unknown[]): Promise<T> => (await call(base, 'POST', `${path}/execute/sync`, { script: body, args })) as T;
  return {
    async goto(url) {
      await call(base, 'POST', `${path}/url`, { url });
    },
    run,
    async waitFor<T>(body: string, what: string, timeoutMs = 20_000, ...args: unknown[]): Promise<T> {
      // One round trip: the page polls itself (a WebDriver command costs up to a second on a loaded machine).
      const script = `const done = arguments[arguments.length - 1];
        const args = Array.prototype.slice.call(arguments, 0, -1);
        const check = function () { ${body} };
        const deadline = Date.now() + ${timeoutMs};
        (function poll() {
          let value;
          try { value = check.apply(null, args); } catch (error) { value = undefined; }
          if (value) return done({ value: value });
          if (Date.now() > deadline) return done({ timedOut: true });
          setTimeout(poll, 50);
        })();`;
      const answer = (await call(base, 'POST', `${path}/execute/async`, { script, args })) as { value?: T; timedOut?: boolean };
      if (answer.timedOut || answer.value === undefined) throw new Error(`WebKit: timed out waiting for ${what}`);
      return answer.value;
    },
    async click(selector) {
      await call(base, 'POST', `${path}/element/${await element(selector)}/click`, {});
    },
    async type(selector, text) {
      await call(base, 'POST', `${path}/element/${await element(selector)}/value`, { text });
    },
    async close() {
      await call(base, 'DELETE', path).catch(() => undefined);
      await stopAll();
    },
  };
}
