/**
 * The one way a browser test opens a Chantier page: a fresh browser context
 * (its own storage, as a separate person), CSP violations recorded, page
 * errors failing the test, optional scripts run before the app, a token minted
 * for the person, then the project page or a meeting's lobby, and for a
 * meeting the press of "Rejoindre" (test/join.ts). New browser tests use this
 * rather than copying the set-up.
 */
import type { Browser, HTTPResponse, Page } from 'puppeteer-core';
import type { MintOptions } from '../signaling/src/auth/tokens.js';
import { watchCsp } from './browser.js';
import { joinFromLobby, knockFromLobby, type JoinOptions } from './join.js';

/** What mints tokens and serves the client: a TestApp, a server process, a cluster node. */
export interface PageServer {
  url: string;
  token(options?: Partial<MintOptions>): Promise<string>;
}

export interface OpenOptions {
  /** Label in CSP reports and page errors; also the display name and `u-<name>` user id by default. */
  name: string;
  projectId: string;
  role?: MintOptions['role'];
  userId?: string;
  displayName?: string;
  /** A token given instead of one minted from the options above. */
  token?: string;
  /** Token claims beyond the above (ttlSeconds, roomId...). */
  claims?: Partial<MintOptions>;
  /** Scripts run in the page before the app (e.g. KEEP_PEER_CONNECTIONS). */
  beforeApp?: Array<string | (() => void)>;
  /** Page errors fail the test (default) or are collected in `errors`. */
  pageErrors?: 'throw' | 'collect';
  /** Viewport (a phone: { width: 360, height: 740, isMobile: true, hasTouch: true }). */
  viewport?: Parameters<Page['setViewport']>[0];
  /** Watch the page's CSP violations (default true). */
  csp?: boolean;
  /**
   * Anything else to do to the page before it navigates: listen to its
   * console, make its peer connections relay-only, emulate a device, grant
   * permissions to its context (`page.browserContext()`).
   */
  prepare?: (page: Page) => Promise<void> | void;
}

export interface OpenedPage {
  page: Page;
  name: string;
  userId: string;
  /** Page errors, when `pageErrors: 'collect'`. */
  errors: string[];
  /** The URL it was opened at (token included), to reload or open again. */
  link: string;
  /** The answer to that navigation (headers...). */
  response: HTTPResponse | null;
}

export interface MeetingOptions extends OpenOptions {
  roomId: string;
  /** 'join' (default): press Rejoindre and wait for the room; 'knock': a guest waiting for admission; 'lobby': stay on the join screen. */
  enter?: 'join' | 'knock' | 'lobby';
  join?: JoinOptions;
}

export interface MeetingPage extends OpenedPage {
  /** The participant's own peer id (data-peer-id of the self tile), once in the room; '' otherwise. */
  peerId: string;
}

/** A fresh context and page, set up as every browser test needs, not yet navigated. */
export async function newTestPage(
  browser: Browser,
  options: Pick<OpenOptions, 'name' | 'beforeApp' | 'pageErrors' | 'viewport' | 'csp' | 'prepare'>,
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => {
    if (options.pageErrors === 'collect') errors.push(String(error));
    else throw new Error(`${options.name}: page error: ${String(error)}`);
  });
  if (options.csp !== false) await watchCsp(page, options.name);
  for (const script of options.beforeApp ?? []) {
    if (typeof script === 'string') await page.evaluateOnNewDocument(script);
    else await page.evaluateOnNewDocument(script);
  }
  if (options.viewport) await page.setViewport(options.viewport);
  await options.prepare?.(page);
  return { page, errors };
}

async function tokenFor(server: PageServer, options: OpenOptions): Promise<{ token: string; userId: string }> {
  const userId = options.userId ?? `u-${options.name}`;
  if (options.token) return { token: options.token, userId };
  const token = await server.token({
    projectId: options.projectId,
    userId,
    displayName: options.displayName ?? options.name,
    ...(options.role ? { role: options.role } : {}),
    ...options.claims,
  });
  return { token, userId };
}

/** A project page (chat, documents, who is online), opened as the person described. */
export async function openProjectPage(browser: Browser, server: PageServer, options: OpenOptions): Promise<OpenedPage> {
  const { page, errors } = await newTestPage(browser, options);
  const { token, userId } = await tokenFor(server, options);
  const link = `${server.url}/p/${encodeURIComponent(options.projectId)}#token=${token}`;
  const response = await page.goto(link);
  return { page, name: options.name, userId, errors, link, response };
}

/** A meeting page: the lobby, then (by default) into the room as the person described. */
export async function openMeetingPage(browser: Browser, server: PageServer, options: MeetingOptions): Promise<MeetingPage> {
  const { page, errors } = await newTestPage(browser, options);
  const { token, userId } = await tokenFor(server, options);
  const link = `${server.url}/p/${encodeURIComponent(options.projectId)}/r/${encodeURIComponent(options.roomId)}#token=${token}`;
  const response = await page.goto(link);
  const enter = options.enter ?? 'join';
  // The lobby's first render (a loaded machine can take a while), then joinFromLobby's own wait for it to settle.
  if (enter !== 'lobby') await page.waitForSelector('[data-testid="display-name"]', { timeout: options.join?.timeoutMs ?? 15_000 });
  if (enter === 'knock') await knockFromLobby(page, options.join);
  if (enter !== 'join') return { page, name: options.name, userId, errors, link, response, peerId: '' };
  await joinFromLobby(page, options.join);
  return { page, name: options.name, userId, errors, link, response, peerId: await selfPeerId(page) };
}

/** The participant's own peer id, from the self tile. */
export async function selfPeerId(page: Page, timeoutMs = 15_000): Promise<string> {
  const self = await page.waitForSelector('[data-testid="tile"][data-self="true"]', { timeout: timeoutMs });
  return (await self!.evaluate((el) => el.getAttribute('data-peer-id'))) ?? '';
}

/** Presses a meeting control by its test id, opening the "more" sheet first when it is not on the bar. */
export async function clickControl(page: Page, testId: string): Promise<void> {
  if (!(await page.$(`[data-testid="${testId}"]`))) await page.click('[data-testid="more-toggle"]');
  await page.click(`[data-testid="${testId}"]`);
}
