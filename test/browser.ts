/**
 * Debian's Chromium through puppeteer-core, with the flags that work on these
 * machines (see ../shared/TESTING.md): headless, no sandbox (root), fake
 * camera and microphone, loopback ICE candidates allowed, and nothing sent off
 * the machine (no DNS of Google hosts, no mDNS).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--mute-audio',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-domain-reliability',
  '--no-pings',
  '--dns-prefetch-disable',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  // Several meeting pages in one browser: none of them may be throttled.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /**
   * Keep `--use-fake-ui-for-media-stream` (default). Without it, permissions
   * are granted per context with `overridePermissions`; real tab capture
   * needs that (see test/screenShare.ts).
   */
  fakeUi?: boolean;
  /**
   * Run Chromium inside this network namespace (see test/netlab/): through a
   * wrapper that execs `ip netns exec <ns> chromium`, and over a pipe rather
   * than the DevTools WebSocket, which would listen on the namespace's own
   * loopback, out of this process's reach.
   */
  netns?: string;
  /**
   * Origins to treat as secure contexts although they are plain http on a
   * non-loopback address (getUserMedia needs a secure context), such as
   * http://198.18.x.1:port of a net lab. Their hosts are also let through
   * the host resolver rules that send every other name nowhere.
   */
  secureOrigins?: string[];
  /** Names resolved to addresses (the deployment test's site and TURN names to 127.0.0.1); every other name still goes nowhere. */
  hosts?: Record<string, string>;
  /**
   * Run Chromium without CAP_SYS_NICE, as a user's browser runs: run as
   * root, Chromium raises its display-critical threads to nice -8 (the GPU
   * process's compositor, the IO threads, WebRTC's network thread), which
   * then take the CPU from the page's own work at nice 0 on a loaded 2-core
   * host (scripts/bench/README.md, the weak link). Without the capability
   * (and RLIMIT_NICE 0) no thread goes below nice 0. Through a wrapper that
   * execs Chromium under `setpriv` with the capability dropped from the
   * inheritable, ambient and bounding sets. Only for root (a user lacks the
   * capability anyway). Default: CHROMIUM_NO_SYS_NICE=1 in the environment.
   */
  noSysNice?: boolean;
}

/** util-linux's setpriv (Debian: /usr/bin/setpriv, in the essential util-linux package). */
const SETPRIV = '/usr/bin/setpriv';

export async function launchBrowser(extraFlags: string[] = [], options: LaunchOptions = {}): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'chantier-chromium-'));
  let base = options.fakeUi === false ? CHROMIUM_FLAGS.filter((flag) => flag !== '--use-fake-ui-for-media-stream') : CHROMIUM_FLAGS;
  const secure: string[] = [];
  if (options.secureOrigins?.length) {
    secure.push(`--unsafely-treat-insecure-origin-as-secure=${options.secureOrigins.join(',')}`);
    const excluded = options.secureOrigins.map((origin) => ` , EXCLUDE ${new URL(origin).hostname}`).join('');
    base = base.map((flag) => (flag.startsWith('--host-resolver-rules=') ? flag + excluded : flag));
  }
  if (options.hosts) {
    const mapped = Object.entries(options.hosts).map(([name, address]) => `MAP ${name} ${address} , `).join('');
    base = base.map((flag) => (flag.startsWith('--host-resolver-rules=') ? flag.replace('=', `=${mapped}`) : flag));
  }
  let executablePath = CHROMIUM;
  let wrapperDir: string | null = null;
  const noSysNice = (options.noSysNice ?? process.env.CHROMIUM_NO_SYS_NICE === '1') && process.getuid?.() === 0;
  if (options.netns || noSysNice) {
    // Composed: the namespace entered first (`ip netns exec` needs CAP_SYS_ADMIN, kept), then the capability dropped.
    let command = CHROMIUM;
    if (noSysNice) command = `${SETPRIV} --inh-caps=-sys_nice --ambient-caps=-sys_nice --bounding-set=-sys_nice -- ${command}`;
    if (options.netns) {
      if (!/^[\w.-]+$/.test(options.netns)) throw new Error(`bad namespace name: ${options.netns}`);
      command = `ip netns exec ${options.netns} ${command}`;
    }
    wrapperDir = mkdtempSync(join(tmpdir(), 'chantier-wrapped-chromium-'));
    executablePath = join(wrapperDir, 'chromium');
    writeFileSync(executablePath, `#!/bin/sh\nexec ${command} "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  const cleanUp = (): void => {
    rmSync(userDataDir, { recursive: true, force: true });
    if (wrapperDir) rmSync(wrapperDir, { recursive: true, force: true });
  };
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      userDataDir,
      args: [...base, ...secure, ...extraFlags],
      protocolTimeout: 60_000,
      pipe: options.netns !== undefined,
    });
  } catch (error) {
    cleanUp();
    throw error;
  }
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      cleanUp();
    },
  };
}

/**
 * Content-Security-Policy violations reported by the pages given to
 * watchCsp() in this test file (vitest runs each file in its own module
 * graph). A browser test ends by expecting it empty: the client must work
 * entirely under the server's policy (signaling/src/plugins/edge.ts).
 */
export const cspViolations: string[] = [];

/**
 * Records the page's CSP violations (the DOM's securitypolicyviolation
 * events, and Chromium's console reports, which also cover workers started
 * by the page) and Chromium's complaints about the Permissions-Policy header
 * (an unrecognized feature). Call it before the page's first navigation.
 */
export async function watchCsp(page: Page, label: string): Promise<void> {
  await page.exposeFunction('__chantierCspViolation', (text: string) => {
    cspViolations.push(`${label}: ${text}`);
  });
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { __chantierCspViolation(text: string): Promise<void> }).__chantierCspViolation;
      void report(`${event.effectiveDirective} refused ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
  page.on('console', (message) => {
    // TEST_PAGE_CONSOLE=1: every page's console on the test's stderr, labelled (to read a failing browser test's story).
    if (process.env.TEST_PAGE_CONSOLE === '1') process.stderr.write(`[page ${label} ${new Date().toISOString().slice(11, 23)}] ${message.text()}\n`);
    // Chromium's own reports: CSP violations, and a Permissions-Policy header it cannot parse.
    if (/Content[ -]Security[ -]Policy|Permissions-Policy/i.test(message.text())) cspViolations.push(`${label}: console: ${message.text()}`);
  });
}
