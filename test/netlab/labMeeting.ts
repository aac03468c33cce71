/**
 * A meeting with some participants behind a net lab's emulated link: the
 * real server listens on the lab's root-side address (HTTP, WebSocket and
 * mediasoup's ICE candidates), one Chromium runs in the root namespace and
 * one browser (Chromium, or Firefox: `labEngine`) inside the lab's namespace;
 * both open the same http://<hostIp>:<port> (a local address in the root
 * namespace too), so only the namespaced participant's packets cross the
 * emulated link.
 */
import { Writable } from 'node:stream';
import { Coturn } from '@chantier/turn';
import type { Page } from 'puppeteer-core';
import { startTestApp, type TestApp } from '../app.js';
import { launchBrowser, type TestBrowser } from '../browser.js';
import { launchFirefox } from '../firefox.js';
import { joinMeeting, type MeetingPage, type MeetingPlace } from '../screenShare.js';
import { createNetLab, type NetLab } from './netlab.js';
import { KEEP_PEER_CONNECTIONS } from './pageMedia.js';

export interface LabMeeting {
  lab: NetLab;
  app: TestApp;
  place: MeetingPlace;
  /** Root namespace: loopback-like path to the server. */
  rootBrowser: TestBrowser;
  /** Inside the lab's namespace: every packet crosses the emulated link. */
  labBrowser: TestBrowser;
  /** With `turnSecret`: coturn on the lab's root-side address, announced to every page (TURN over UDP). */
  coturn: Coturn | null;
  /** The app's log lines (pino JSON) whose message `keepLog` matched, in order; empty without it. */
  keptLog(): string[];
  /** Joins the meeting's room, or `roomId` (a fresh room per benchmark run). */
  join(browser: TestBrowser, name: string, roomId?: string): Promise<MeetingPage>;
  /** Closes browsers, app and lab, whatever was made. Idempotent. */
  close(): Promise<void>;
}

export interface LabMeetingOptions {
  projectId: string;
  roomId: string;
  /** Outside vitest (benchmarks): the Redis to use. */
  redisUrl?: string;
  env?: Record<string, string>;
  /** Extra Chromium flags (fake capture files). */
  flags?: string[];
  /** The lab's browser: Chromium (default) or Firefox, which gathers no loopback candidate and so meets only here. */
  labEngine?: 'chromium' | 'firefox';
  /** Firefox only: a window on a virtual screen of this size instead of headless, for getDisplayMedia. */
  labDisplay?: { width: number; height: number };
  /** Start coturn on the lab's root-side address with this secret, and give the app its URL. */
  turnSecret?: string;
  /**
   * Keep the app's log lines (at LOG_LEVEL info unless `env` says otherwise)
   * that this matches, for the test to print: the server's side of what a
   * browser test saw (e.g. the SFU's decisions on a weak downlink).
   */
  keepLog?: RegExp;
}

export async function startLabMeeting(options: LabMeetingOptions): Promise<LabMeeting> {
  let lab: NetLab | null = null;
  let app: TestApp | null = null;
  let coturn: Coturn | null = null;
  const browsers: TestBrowser[] = [];
  const kept: string[] = [];
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await Promise.all(browsers.map((b) => b.close()));
    await app?.close().catch(() => {});
    await coturn?.stop().catch(() => {});
    await lab?.close();
  };
  try {
    lab = await createNetLab();
    if (options.turnSecret) {
      // The SFU's address is in 198.18.0.0/15, which coturn's template denies as a peer.
      coturn = await Coturn.start({ secret: options.turnSecret, listeningIp: lab.hostIp, allowedPeerIps: [lab.hostIp] });
    }
    const turnEnv: Record<string, string> = coturn ? { TURN_URLS: coturn.url('udp'), TURN_SECRET: options.turnSecret! } : {};
    const keepLog = options.keepLog;
    app = await startTestApp(
      { MEDIASOUP_WORKERS: '1', HOST: lab.hostIp, RTC_LISTEN_IP: lab.hostIp, ...turnEnv, ...(keepLog ? { LOG_LEVEL: 'info' } : {}), ...options.env },
      options.redisUrl,
      keepLog ? { logStream: keptLines(kept, keepLog) } : {},
    );
    const secureOrigins = [app.url];
    const launched = await Promise.allSettled([
      launchBrowser(options.flags ?? [], { secureOrigins }),
      options.labEngine === 'firefox'
        ? launchFirefox({ secureOrigins, netns: lab.nsName, ...(options.labDisplay ? { display: options.labDisplay } : {}) })
        : launchBrowser(options.flags ?? [], { secureOrigins, netns: lab.nsName }),
    ]);
    for (const result of launched) if (result.status === 'fulfilled') browsers.push(result.value);
    const [rootBrowser, labBrowser] = launched.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    }) as [TestBrowser, TestBrowser];
    const place: MeetingPlace = { app, projectId: options.projectId, roomId: options.roomId };
    return {
      lab,
      app,
      place,
      rootBrowser,
      labBrowser,
      coturn,
      keptLog: () => [...kept],
      join: (browser, name, roomId) =>
        joinMeeting(browser, roomId ? { ...place, roomId } : place, name, { beforeApp: [KEEP_PEER_CONNECTIONS] }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A log stream keeping the lines that match (a pino write is one or more whole lines). */
function keptLines(into: string[], match: RegExp): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line && match.test(line)) into.push(line);
      done();
    },
  });
}

export interface TileSample {
  at: number;
  /** Display names of the tiles shown, self included. */
  names: string[];
  /** The client's phase ('joined', 'disconnected', ...) and its signaling state ('ok', 'reconnecting'). */
  phase: string;
  connection: string;
  /** How many chat messages show the watched text. */
  textCount: number;
}

/**
 * Starts, in the page, a log of the participant tiles every `everyMs`: the
 * display names shown (self included), the client's phase and signaling
 * state, and how many chat
 * messages show `watchText`. In the page so that sampling keeps its pace
 * while the test awaits other things.
 */
export async function startTileLog(page: Page, everyMs: number, watchText = ''): Promise<void> {
  await page.evaluate(
    (ms, text) => {
      const w = window as unknown as {
        __tileLog: unknown[];
        __chantier?: { state: { phase: { value: string }; connection?: { value: string } } };
      };
      w.__tileLog = [];
      setInterval(() => {
        const names = [...document.querySelectorAll('[data-testid="tile"] [data-testid="tile-name"]')].map(
          (el) => el.textContent ?? '',
        );
        const textCount = text
          ? [...document.querySelectorAll('[data-testid="chat-message"] [data-testid="chat-text"]')].filter(
              (el) => el.textContent === text,
            ).length
          : 0;
        w.__tileLog.push({
          at: Date.now(),
          names,
          phase: w.__chantier?.state.phase.value ?? '?',
          connection: w.__chantier?.state.connection?.value ?? '?',
          textCount,
        });
      }, ms);
    },
    everyMs,
    watchText,
  );
}

export async function readTileLog(page: Page): Promise<TileSample[]> {
  return page.evaluate(() => (window as unknown as { __tileLog: TileSample[] }).__tileLog);
}

export async function phaseOf(page: Page): Promise<string> {
  return page.evaluate(
    () => (window as unknown as { __chantier?: { state: { phase: { value: string } } } }).__chantier?.state.phase.value ?? '?',
  );
}

export async function openChat(page: Page): Promise<void> {
  await page.click('[data-testid="chat-toggle"]');
  await page.waitForSelector('[data-testid="chat"]');
  await page.waitForFunction(() => !document.querySelector('[data-testid="chat"] [role="status"]'), { timeout: 10_000 });
}

/** Types `text` in the open chat panel and sends it (works with the link down: it is all local). */
export async function sendChat(page: Page, text: string): Promise<void> {
  await page.click('[data-testid="chat-input"]');
  await page.keyboard.type(text);
  await page.click('[data-testid="chat-send"]');
}

/** How many chat messages show `text` (with that data-status, if given). */
export async function chatCount(page: Page, text: string, status?: string): Promise<number> {
  return page.$$eval(
    '[data-testid="chat-message"]',
    (els, wanted, wantedStatus) =>
      els.filter(
        (el) =>
          el.querySelector('[data-testid="chat-text"]')?.textContent === wanted &&
          (!wantedStatus || el.getAttribute('data-status') === wantedStatus),
      ).length,
    text,
    status ?? '',
  );
}
