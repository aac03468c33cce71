/**
 * Invitation links in real Chromium through the real server (real Redis,
 * real mediasoup), issue 7's standalone use:
 *
 *  1. The owner's project page makes a guest link for the meeting in its
 *     "Inviter" panel and shows it once.
 *  2. A second page, with no token at all, opens the link: it sees the
 *     project's name and the guest role, types a name, lands in the meeting's
 *     lobby and asks to join: a guest waits (GUEST_LOBBY on, the default)
 *     until the owner, in the meeting from another page, admits them; the
 *     owner's project page then sees both in the meeting.
 *  3. The owner revokes the link; a third page opening it is told the link is
 *     no longer valid (French text, code INVITATION_INVALID).
 */
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { joinFromLobby, knockFromLobby, waitForRoom } from '../../test/join.js';
import { newTestPage } from '../../test/meetingPage.js';

const PROJECT = 'chantier-invitations-e2e';
const PROJECT_NAME = 'Résidence Les Tilleuls';
const ROOM = 'reunion';

let t: TestApp;
let chromium: TestBrowser;

async function newPage(browser: Browser, label: string): Promise<Page> {
  return (await newTestPage(browser, { name: label })).page;
}

beforeAll(async () => {
  t = await startTestApp();
  chromium = await launchBrowser();
  const owner = await t.token({ projectId: PROJECT, role: 'owner', userId: 'u-owner', displayName: 'Odile' });
  const created = await fetch(`${t.url}/api/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: PROJECT, name: PROJECT_NAME }),
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('invitation links in the browser', () => {
  it('an owner invites a guest to the meeting, the guest joins with no token, a revoked link is refused', async () => {
    // 1. The owner's project page (a phone-sized window: the online tab holds the panel).
    const owner = await newPage(chromium.browser, 'owner');
    const ownerToken = await t.token({ projectId: PROJECT, role: 'owner', userId: 'u-owner', displayName: 'Odile' });
    await owner.goto(`${t.url}/p/${PROJECT}#token=${ownerToken}`);
    await owner.waitForSelector('[data-testid="project-page"][data-phase="online"]', { timeout: 20_000 });
    await owner.click('[data-testid="tab-online"]');
    await owner.click('[data-testid="invites-open"]');
    await owner.waitForSelector('[data-testid="invite-create"]:not([disabled])', { timeout: 10_000 });
    // Targets a thumb can hit.
    const sizes = await owner.$$eval('[data-testid="invites"] button, [data-testid="invites"] select', (els) =>
      els.map((el) => Math.round(el.getBoundingClientRect().height)),
    );
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(44);
    // Defaults: a guest, for this meeting.
    expect(await owner.$eval('[data-testid="invite-role"]', (el) => (el as HTMLSelectElement).value)).toBe('guest');
    expect(await owner.$eval('[data-testid="invite-for-meeting"]', (el) => (el as HTMLInputElement).checked)).toBe(true);
    await owner.select('[data-testid="invite-expiry"]', '1h');
    await owner.click('[data-testid="invite-create"]');
    const linkField = await owner.waitForSelector('[data-testid="invite-link"]', { timeout: 10_000 });
    const link = await linkField!.evaluate((el) => (el as HTMLInputElement).value);
    expect(link).toMatch(new RegExp(`^${t.url}/i/[A-Za-z0-9_-]{24}$`));
    expect(await owner.$eval('[data-testid="invite-created"]', (el) => el.textContent)).toContain('Copiez le lien maintenant');
    await owner.waitForSelector('[data-testid="invite-item"]', { timeout: 10_000 });

    // 2. A guest with no token opens the link.
    const guest = await newPage(chromium.browser, 'guest');
    await guest.goto(link);
    await guest.waitForSelector('[data-testid="invitation-page"][data-phase="ready"]', { timeout: 15_000 });
    expect(await guest.$eval('[data-testid="invitation-project"]', (el) => el.textContent)).toContain(PROJECT_NAME);
    expect(await guest.$eval('[data-testid="invitation-role"]', (el) => [el.getAttribute('data-role'), el.textContent])).toEqual([
      'guest',
      'Vous rejoindrez le projet comme invité.',
    ]);
    expect(await guest.$eval('[data-testid="invitation-accept"]', (el) => el.textContent)).toBe('Rejoindre la réunion');
    await guest.type('[data-testid="invitation-name"]', 'Gaspard Invité');
    await guest.click('[data-testid="invitation-accept"]');
    await guest.waitForFunction((path) => window.location.pathname === path, { timeout: 15_000 }, `/p/${PROJECT}/r/${ROOM}`);
    // The code left the address bar and the tab's history; the token is in sessionStorage, not in the address.
    expect(guest.url()).not.toContain('/i/');
    expect(guest.url()).not.toContain('token=');
    await knockFromLobby(guest);
    // The owner enters the meeting from another page and lets the guest in.
    const ownerMeeting = await newPage(chromium.browser, 'owner-meeting');
    await ownerMeeting.goto(`${t.url}/p/${PROJECT}/r/${ROOM}#token=${ownerToken}`);
    await joinFromLobby(ownerMeeting);
    const requests = await ownerMeeting.waitForSelector('[data-testid="lobby-requests"]', { timeout: 15_000 });
    expect(await requests!.evaluate((el) => el.textContent ?? '')).toContain('Gaspard Invité');
    await ownerMeeting.click('[data-testid="lobby-request"] [data-testid="lobby-admit"]');
    await waitForRoom(guest);
    const selfName = await guest.waitForSelector('[data-testid="tile"][data-self="true"] [data-testid="tile-name"]', { timeout: 15_000 });
    expect(await selfName!.evaluate((el) => el.textContent)).toContain('Gaspard Invité');
    // The owner's project page sees both in the meeting.
    await owner.waitForSelector('[data-testid="meeting-people"][data-count="2"]', { timeout: 20_000 });

    // 3. The owner revokes the link; the list empties; a third page is refused.
    await owner.click('[data-testid="invite-revoke"]');
    await owner.waitForFunction(() => document.querySelector('[data-testid="invite-item"]') === null, { timeout: 10_000 });
    const late = await newPage(chromium.browser, 'late');
    await late.goto(link);
    const refused = await late.waitForSelector('[data-testid="invitation-page"][data-phase="error"] [data-testid="error"]', { timeout: 15_000 });
    expect(await refused!.evaluate((el) => el.getAttribute('data-code'))).toBe('INVITATION_INVALID');
    expect(await refused!.evaluate((el) => el.textContent)).toContain('n’est plus valide');
    expect(await late.$('[data-testid="invitation-accept"]')).toBeNull();

    expect(cspViolations).toEqual([]);
  });
});
