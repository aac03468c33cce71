/**
 * Debian's Chromium through puppeteer-core, with the flags that work on these
 * machines (see ../shared/TESTING.md): headless, no sandbox (root), fake
 * camera and microphone, loopback ICE candidates allowed, and nothing sent off
 * the machine (no DNS of Google hosts, no mDNS).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

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
}

export async function launchBrowser(extraFlags: string[] = [], options: LaunchOptions = {}): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'chantier-chromium-'));
  const base = options.fakeUi === false ? CHROMIUM_FLAGS.filter((flag) => flag !== '--use-fake-ui-for-media-stream') : CHROMIUM_FLAGS;
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    args: [...base, ...extraFlags],
    protocolTimeout: 60_000,
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
