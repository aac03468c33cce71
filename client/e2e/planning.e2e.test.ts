/**
 * Planned meetings in real Chromium through the real server (real Redis,
 * real mediasoup): an owner plans a weekly site meeting from the project
 * page's "Planifier une réunion" form and sees it listed; a member's page,
 * in another time zone (Guadeloupe), sees it appear without a reload, is
 * told they are invited, reads the time in their zone and in the project's,
 * and opens the meeting with "Rejoindre", into its room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'puppeteer-core';
import { startTestApp, type TestApp } from '../../test/app.js';
import { cspViolations, launchBrowser, type TestBrowser } from '../../test/browser.js';
import { joinFromLobby } from '../../test/join.js';
import { openProjectPage } from '../../test/meetingPage.js';
import { utcToWallClock, wallClockToUtc } from '../../signaling/src/planning/recurrence.js';
import { formatWhen } from '../src/planning/format.js';

const PROJECT = 'chantier-planning-e2e';

let t: TestApp;
let chromium: TestBrowser;

beforeAll(async () => {
  t = await startTestApp();
  chromium = await launchBrowser();
  const owner = await t.token({ projectId: PROJECT, role: 'owner', userId: 'u-owner', displayName: 'Odile Maître' });
  const created = await fetch(`${t.url}/api/projects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: PROJECT, name: 'Groupe scolaire Jean Zay' }),
  });
  expect(created.status).toBe(201);
  const member = await fetch(`${t.url}/api/projects/${PROJECT}/members/u-bruno`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: 'Bruno Charpente', role: 'member' }),
  });
  expect(member.status).toBe(204);
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

/** Sets a form field as a person's typing would (date and time inputs take no keystrokes reliably). */
async function fill(page: Page, testId: string, value: string): Promise<void> {
  await page.$eval(
    `[data-testid="${testId}"]`,
    (el, v) => {
      const input = el as HTMLInputElement;
      const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'value')!.set!;
      setter.call(input, v);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    },
    value,
  );
}

describe('planned meetings in the browser', () => {
  it('an owner plans a weekly meeting; a member in another zone sees it, is told, and joins it with "Rejoindre"', async () => {
    const owner = await openProjectPage(chromium.browser, t, { name: 'owner', projectId: PROJECT, role: 'owner', userId: 'u-owner', displayName: 'Odile Maître', viewport: { width: 1280, height: 900 } });
    await owner.page.emulateTimezone('Europe/Paris');
    const member = await openProjectPage(chromium.browser, t, { name: 'member', projectId: PROJECT, role: 'member', userId: 'u-bruno', displayName: 'Bruno Charpente', viewport: { width: 1280, height: 900 } });
    await member.page.emulateTimezone('America/Guadeloupe');
    for (const p of [owner, member]) await p.page.waitForSelector('[data-testid="project-page"][data-phase="online"]', { timeout: 20_000 });
    // Members do not plan.
    await member.page.waitForSelector('[data-testid="planning"]');
    expect(await member.page.$('[data-testid="plan-meeting"]')).toBeNull();

    // A week from now, 9 h 00 in Paris.
    const date = utcToWallClock(Date.now() + 7 * 24 * 3600_000, 'Europe/Paris').date;
    const start = wallClockToUtc(date, '09:00', 'Europe/Paris');
    await owner.page.click('[data-testid="plan-meeting"]');
    await owner.page.waitForSelector('[data-testid="plan-form"]');
    await fill(owner.page, 'plan-title', 'Réunion de chantier hebdomadaire');
    await fill(owner.page, 'plan-date', date);
    await fill(owner.page, 'plan-time', '09:00');
    await fill(owner.page, 'plan-duration', '90');
    await owner.page.waitForSelector('[data-testid="plan-invitee"][data-user-id="u-bruno"]', { timeout: 10_000 });
    await owner.page.click('[data-testid="plan-invitee"][data-user-id="u-bruno"]');
    await owner.page.click('[data-testid="plan-submit"]');

    // Listed on the owner's page, in Paris time, with "Démarrer" (nobody is in the room yet).
    const ownerRow = await owner.page.waitForSelector('[data-testid="planned-meeting"]', { timeout: 10_000 });
    expect(await owner.page.$('[data-testid="plan-form"]')).toBeNull();
    const ownerText = await ownerRow!.evaluate((el) => el.textContent ?? '');
    expect(ownerText).toContain('Réunion de chantier hebdomadaire');
    expect(ownerText).toContain(formatWhen(start, 'Europe/Paris', 'fr'));
    expect(ownerText).toContain('chaque semaine');
    expect(ownerText).not.toContain('heure du projet');
    expect(await owner.page.$eval('[data-testid="planned-join"]', (el) => el.textContent)).toBe('Démarrer');

    // The member's page: listed without a reload, the notice, both zones.
    const memberRow = await member.page.waitForSelector('[data-testid="planned-meeting"]', { timeout: 10_000 });
    const notice = await member.page.waitForSelector('[data-testid="planning-notice"][data-kind="changed"]', { timeout: 10_000 });
    expect(await notice!.evaluate((el) => el.textContent ?? '')).toContain('Odile Maître vous a convoqué à « Réunion de chantier hebdomadaire »');
    const memberWhen = await memberRow!.$eval('[data-testid="planned-when"]', (el) => el.textContent ?? '');
    expect(memberWhen).toContain(formatWhen(start, 'America/Guadeloupe', 'fr'));
    expect(memberWhen).toContain(`heure du projet : ${formatWhen(start, 'Europe/Paris', 'fr')}`);
    // The chat carries the line too.
    await member.page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="chat-message"][data-kind="meeting-planned"]')].some((el) => el.textContent?.includes('a planifié')),
      { timeout: 10_000 },
    );

    // "Rejoindre" opens the meeting's room, linked to its plan, and the member joins.
    const join = await member.page.$('[data-testid="planned-join"]');
    expect(await join!.evaluate((el) => el.textContent)).toBe('Rejoindre');
    const href = await join!.evaluate((el) => (el as HTMLAnchorElement).href);
    expect(href).toMatch(new RegExp(`/p/${PROJECT}/r/reunion\\?plan=[A-Za-z0-9_-]+&occurrence=${date}`));
    await Promise.all([member.page.waitForNavigation(), join!.click()]);
    await joinFromLobby(member.page);
    await member.page.waitForSelector('[data-testid="tile"][data-self="true"]', { timeout: 20_000 });

    // Back on the owner's page, someone is in the room now: "Rejoindre" for the owner too.
    await owner.page.waitForFunction(() => document.querySelector('[data-testid="planned-join"]')?.textContent === 'Rejoindre', { timeout: 15_000 });
    expect(owner.errors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
