/**
 * Planned meetings in real Chromium through the real server (real Redis,
 * real mediasoup): an owner plans a weekly site meeting from the project
 * page's "Planifier une réunion" form and sees it listed; a member's page,
 * in another time zone (Guadeloupe), sees it appear without a reload, is
 * told they are invited, reads the time in their zone and in the project's,
 * and opens the meeting with "Rejoindre", into its room. On a phone-wide
 * page the owner changes a plan's time with "Modifier" and moves one of its
 * meetings with "Déplacer cette réunion"; the member's open page is told and
 * shows both.
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

/** Waits until the page's planning notice (a change by someone else) says `text`. */
async function noticeSays(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => document.querySelector('[data-testid="planning-notice"][data-kind="changed"]')?.textContent?.includes(wanted) === true,
    { timeout: 10_000 },
    text,
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

  it('an owner on a phone edits a plan\'s time and moves one meeting; a member\'s open page is told and shows both', async () => {
    // A weekly plan made through the API: this test is about changing it from the page.
    const date = utcToWallClock(Date.now() + 7 * 24 * 3600_000, 'Europe/Paris').date;
    const nextDate = (d: string, days: number): string => utcToWallClock(wallClockToUtc(d, '12:00', 'Europe/Paris') + days * 24 * 3600_000, 'Europe/Paris').date;
    const second = nextDate(date, 7);
    const movedTo = nextDate(second, 1);
    const title = 'Réunion de chantier — lot charpente';
    const ownerToken = await t.token({ projectId: PROJECT, role: 'owner', userId: 'u-owner', displayName: 'Odile Maître' });
    const made = await fetch(`${t.url}/api/projects/${PROJECT}/meetings/plans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title, roomId: 'reunion-lots', date, time: '09:00', durationMin: 60, invitees: ['u-bruno'], guests: [], recurrence: { frequency: 'weekly', interval: 1 } }),
    });
    expect(made.status).toBe(201);
    const { planId } = ((await made.json()) as { plan: { planId: string } }).plan;
    const row = (occurrenceId: string): string => `[data-testid="planned-meeting"][data-plan-id="${planId}"][data-occurrence-id="${occurrenceId}"]`;

    const owner = await openProjectPage(chromium.browser, t, { name: 'owner-phone', projectId: PROJECT, role: 'owner', userId: 'u-owner', displayName: 'Odile Maître', viewport: { width: 360, height: 740 } });
    await owner.page.emulateTimezone('Europe/Paris');
    const member = await openProjectPage(chromium.browser, t, { name: 'member-2', projectId: PROJECT, role: 'member', userId: 'u-bruno', displayName: 'Bruno Charpente', viewport: { width: 1280, height: 900 } });
    await member.page.emulateTimezone('Europe/Paris');
    for (const p of [owner, member]) await p.page.waitForSelector(row(second), { timeout: 20_000 });
    // Members neither edit nor move.
    expect(await member.page.$(`${row(date)} [data-testid="planned-edit"]`)).toBeNull();
    expect(await member.page.$(`${row(date)} [data-testid="planned-move"]`)).toBeNull();

    // "Modifier": the form filled in with the plan; 9 h 00 becomes 10 h 30.
    await owner.page.click(`${row(date)} [data-testid="planned-edit"]`);
    await owner.page.waitForSelector(`[data-testid="plan-form"][data-editing="${planId}"]`);
    expect(await owner.page.$eval('[data-testid="plan-title"]', (el) => (el as HTMLInputElement).value)).toBe(title);
    expect(await owner.page.$eval('[data-testid="plan-time"]', (el) => (el as HTMLInputElement).value)).toBe('09:00');
    expect(await owner.page.$eval('[data-testid="plan-invitee"][data-user-id="u-bruno"]', (el) => (el as HTMLInputElement).checked)).toBe(true);
    expect(await owner.page.$eval('[data-testid="plan-submit"]', (el) => el.textContent)).toBe('Enregistrer les modifications');
    await fill(owner.page, 'plan-time', '10:30');
    await owner.page.click('[data-testid="plan-submit"]');
    await owner.page.waitForFunction(() => document.querySelector('[data-testid="plan-form"]') === null, { timeout: 10_000 });
    const later = formatWhen(wallClockToUtc(date, '10:30', 'Europe/Paris'), 'Europe/Paris', 'fr');
    await member.page.waitForFunction(
      (sel, when) => document.querySelector(`${sel} [data-testid="planned-when"]`)?.textContent?.includes(when) === true,
      { timeout: 10_000 },
      row(date),
      later,
    );
    await noticeSays(member.page, `Odile Maître a modifié « ${title} »`);

    // "Déplacer cette réunion": the second meeting goes to the next day, 14 h 00; the series stays.
    await owner.page.click(`${row(second)} [data-testid="planned-move"]`);
    await owner.page.waitForSelector(`${row(second)} [data-testid="move-form"]`);
    expect(await owner.page.$eval('[data-testid="move-date"]', (el) => (el as HTMLInputElement).value)).toBe(second);
    expect(await owner.page.$eval('[data-testid="move-time"]', (el) => (el as HTMLInputElement).value)).toBe('10:30');
    // The phone-wide page holds the form and the row's buttons without a sideways scroll.
    expect(await owner.page.$eval('[data-testid="planning"]', (el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    expect(await owner.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await fill(owner.page, 'move-date', movedTo);
    await fill(owner.page, 'move-time', '14:00');
    await owner.page.click('[data-testid="move-submit"]');
    await owner.page.waitForFunction(() => document.querySelector('[data-testid="move-form"]') === null, { timeout: 10_000 });
    const moved = formatWhen(wallClockToUtc(movedTo, '14:00', 'Europe/Paris'), 'Europe/Paris', 'fr');
    await member.page.waitForFunction(
      (sel, when) => {
        const el = document.querySelector(sel);
        return el?.querySelector('[data-testid="planned-when"]')?.textContent?.includes(when) === true && el.textContent?.includes('déplacée') === true;
      },
      { timeout: 10_000 },
      row(second),
      moved,
    );
    await noticeSays(member.page, `Odile Maître a modifié une séance de « ${title} »`);
    // The other meetings of the series keep the new time.
    const third = nextDate(second, 7);
    expect(await member.page.$eval(`${row(third)} [data-testid="planned-when"]`, (el) => el.textContent ?? '')).toContain(
      formatWhen(wallClockToUtc(third, '10:30', 'Europe/Paris'), 'Europe/Paris', 'fr'),
    );
    expect(owner.errors).toEqual([]);
    expect(member.errors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });
});
