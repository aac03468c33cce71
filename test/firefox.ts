/**
 * Debian's Firefox ESR through puppeteer-core over WebDriver BiDi, with fake
 * camera and microphone, a fresh profile (puppeteer makes one per launch) and
 * nothing sent off the machine (no updates, telemetry, captive-portal,
 * connectivity, safe-browsing, push or DNS-over-HTTPS fetches).
 *
 * Firefox gathers no loopback ICE candidate (see ../shared/TESTING.md), so a
 * meeting with Firefox runs in the net lab: the server on the lab's veth
 * address, Firefox inside the lab's namespace. There its BiDi WebSocket listens
 * on the namespace's own loopback, out of this process's reach; so this module
 * listens on a port of the root namespace's loopback, gives Firefox the same
 * port number, and carries each connection through a small relay process
 * started inside the namespace (`ip netns exec`), over its stdin and stdout.
 *
 * Screen sharing: headless Firefox has no screen, and its fake devices cover
 * cameras and microphones only (getDisplayMedia answers NotFoundError). With
 * `display: true` Firefox runs with a window on a private Xvfb server instead,
 * and getDisplayMedia captures that virtual screen ("Primary Monitor", no
 * picker while media.navigator.permission.disabled is set): Firefox's real
 * capture path, nothing emulated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import type { TestBrowser } from './browser.js';

export const FIREFOX = process.env.CHANTIER_FIREFOX ?? '/usr/bin/firefox-esr';

/** Prefs of every test Firefox, beyond puppeteer's own (which already stop updates, safe browsing, telemetry uploads...). */
export const FIREFOX_PREFS: Readonly<Record<string, string | number | boolean>> = {
  // Fake camera (640x480) and microphone (a tone), no permission prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // getUserMedia on a plain-http origin (a lab address); see also dom.securecontext.allowlist below.
  'media.devices.insecure.enabled': true,
  'media.getusermedia.insecure.enabled': true,
  // Autoplay of remote audio and video without a gesture, as Chromium's --autoplay-policy flag.
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // Host candidates as addresses, not mDNS names (as Chromium's WebRtcHideLocalIpsWithMdns off).
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Nothing off the machine.
  'app.update.enabled': false,
  'app.update.auto': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'network.http.speculative-parallel-limit': 0,
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.archive.enabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'dom.push.connection.enabled': false,
  'dom.push.serverURL': '',
  'extensions.systemAddon.update.enabled': false,
  'extensions.blocklist.enabled': false,
  'media.gmp-manager.url': '',
  'media.gmp-gmpopenh264.autoupdate': false,
  'browser.ping-centre.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'messaging-system.rsexperimentloader.enabled': false,
  'app.shield.optoutstudies.enabled': false,
  'network.proxy.type': 0,
};

export interface FirefoxOptions {
  /** Run Firefox inside this network namespace (see test/netlab/). */
  netns?: string;
  /** Plain-http origins to treat as secure contexts (dom.securecontext.allowlist takes their hosts). */
  secureOrigins?: string[];
  /** A window on a private Xvfb display rather than headless: getDisplayMedia then captures that screen. */
  display?: { width: number; height: number };
}

/** A free TCP port of this namespace's loopback, held by `server` until it is closed. */
function listenLoopback(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address && typeof address === 'object') resolve({ server, port: address.port });
      else reject(new Error('no port'));
    });
  });
}

/** Inside the namespace: one connection to 127.0.0.1:<port>, carried over stdin and stdout. */
const RELAY = `const s = require('node:net').connect(Number(process.argv[1]), '127.0.0.1');
process.stdin.pipe(s); s.pipe(process.stdout);
s.on('error', () => process.exit(1)); s.on('close', () => process.exit(0)); process.stdin.on('end', () => s.end());`;

/** Starts Xvfb on a display number it picks itself; resolves with the display and the process. */
function startXvfb(width: number, height: number): Promise<{ display: string; process: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let err = '';
    xvfb.stderr!.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-2000);
    });
    const timer = setTimeout(() => {
      xvfb.kill('SIGKILL');
      reject(new Error(`Xvfb gave no display in 10 s: ${err}`));
    }, 10_000);
    xvfb.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited (${code}): ${err}`));
    });
    let out = '';
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve({ display: `:${out.trim()}`, process: xvfb });
    });
  });
}

export async function launchFirefox(options: FirefoxOptions = {}): Promise<TestBrowser> {
  const owned: Array<() => void> = [];
  const cleanUp = (): void => {
    for (const undo of owned.splice(0).reverse()) undo();
  };
  try {
    const args: string[] = [];
    let executablePath = FIREFOX;
    if (options.netns) {
      const ns = options.netns;
      if (!/^[\w.-]+$/.test(ns)) throw new Error(`bad namespace name: ${ns}`);
      const relays = new Set<ChildProcess>();
      const { server, port } = await listenLoopback((socket) => {
        const relay = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', RELAY, String(port)], {
          stdio: ['pipe', 'pipe', 'ignore'],
        });
        relays.add(relay);
        socket.pipe(relay.stdin!);
        relay.stdout!.pipe(socket);
        relay.once('exit', () => {
          relays.delete(relay);
          socket.destroy();
        });
        socket.once('close', () => relay.kill());
        socket.on('error', () => relay.kill());
        relay.stdin!.on('error', () => socket.destroy());
      });
      owned.push(() => {
        server.close();
        for (const relay of relays) relay.kill('SIGKILL');
      });
      // The namespace is fresh: the same port is free on its loopback, and puppeteer,
      // reading "ws://127.0.0.1:<port>" from Firefox, connects to this side's listener.
      args.push(`--remote-debugging-port=${port}`);
      const wrapperDir = mkdtempSync(join(tmpdir(), 'chantier-netns-firefox-'));
      owned.push(() => rmSync(wrapperDir, { recursive: true, force: true }));
      executablePath = join(wrapperDir, 'firefox');
      writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${ns} ${FIREFOX} "$@"\n`);
      chmodSync(executablePath, 0o755);
    }
    const env: Record<string, string> = { ...(process.env as Record<string, string>), MOZ_CRASHREPORTER_DISABLE: '1' };
    if (options.display) {
      const xvfb = await startXvfb(options.display.width, options.display.height);
      owned.push(() => xvfb.process.kill('SIGKILL'));
      env.DISPLAY = xvfb.display;
      args.push(`--width=${options.display.width}`, `--height=${options.display.height}`);
    }
    const hosts = (options.secureOrigins ?? []).map((origin) => new URL(origin).hostname);
    const browser: Browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath,
      headless: !options.display,
      args,
      env,
      protocolTimeout: 60_000,
      extraPrefsFirefox: {
        ...FIREFOX_PREFS,
        // Firefox's equivalent of Chromium's --unsafely-treat-insecure-origin-as-secure: without it,
        // a plain-http lab page has getUserMedia (the insecure prefs above) but no getDisplayMedia,
        // setSinkId, selectAudioOutput nor wake lock, which are [SecureContext] in Firefox.
        ...(hosts.length ? { 'dom.securecontext.allowlist': hosts.join(',') } : {}),
      },
    });
    return {
      browser,
      async close() {
        await browser.close().catch(() => {});
        cleanUp();
      },
    };
  } catch (error) {
    cleanUp();
    throw error;
  }
}
