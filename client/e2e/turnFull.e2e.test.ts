/**
 * A relay-only participant who joins while the TURN server is full gets
 * media once room frees up, without rejoining. coturn here grants at most
 * QUOTA allocations at once (total-quota; the deploy's default is one per
 * relay port), and the test holds them all at first over TCP: coturn answers
 * every Allocate 486, the relay-only page gathers no candidate, and ICE never
 * says 'failed' (the transports stay 'new': no candidate pair to fail), so
 * only the client's "never connected" watchdog (client/src/room/IceRestarts.ts)
 * restarts ICE; after the test lets its allocations go, such a restart
 * gathers relays and media flows both ways. Without the watchdog the page
 * stayed without media (the deploy test's relay-only flake, session 14).
 */
import { Coturn, turnCredential } from '@chantier/turn';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { expectMediaRising, flowFrom, makeRelayOnly } from '../../test/relayMeeting.js';
import { turnAllocate } from '../../test/turnAllocate.js';
import { until } from '../../test/until.js';

const SECRET = 'turn-full-e2e-secret-0123456789abcdef';
const PROJECT = 'chantier-turn-plein';
const ROOM = 'reunion-relais-plein';
/** Room for both pages' transports (one allocation each per local address Chromium gathers on) once freed. */
const QUOTA = 8;

let coturn: Coturn;
let held: Array<() => void> = [];
let chromium: TestBrowser;
let t: TestApp;

/** Fills coturn: QUOTA allocations over TCP, kept until release(). */
async function fill(): Promise<void> {
  const { username, credential } = turnCredential(SECRET, 'u-filler', 600);
  for (let i = 0; i < QUOTA; i++) {
    const result = await turnAllocate('127.0.0.1', coturn.port, username, credential, { transport: 'tcp', hold: true });
    if (!result.ok || !result.close) throw new Error(`filler allocation ${i} refused: ${JSON.stringify(result)}`);
    held.push(result.close);
  }
  const more = await turnAllocate('127.0.0.1', coturn.port, username, credential, { transport: 'tcp' });
  expect(more.ok ? 'granted' : more.code, 'one allocation more than the quota').toBe(486);
}

function release(): void {
  for (const close of held) close();
  held = [];
}

beforeAll(async () => {
  coturn = await Coturn.start({ secret: SECRET, allowLoopbackPeers: true, totalQuota: QUOTA, userQuota: QUOTA });
  await fill();
  chromium = await launchBrowser();
  t = await startTestApp({ TURN_URLS: coturn.url('udp'), TURN_SECRET: SECRET });
});

afterAll(async () => {
  await t?.close();
  await chromium?.close();
  release();
  await coturn?.stop();
});

interface Participant {
  page: Page;
  peerId: string;
  /** The page's console lines from the client's log. */
  log: string[];
}

async function join(name: string, relayOnly: boolean): Promise<Participant> {
  const log: string[] = [];
  const { page, peerId } = await openMeetingPage(chromium.browser, t, {
    name,
    projectId: PROJECT,
    roomId: ROOM,
    prepare: async (page) => {
      page.on('console', (message) => {
        if (message.text().startsWith('[chantier:')) log.push(message.text());
      });
      if (relayOnly) await makeRelayOnly(page);
    },
  });
  return { page, peerId, log };
}

/** The relay-only page's ICE events (test/iceDiagnosis.ts): candidates, candidate errors, states. */
function iceEvents(page: Page): Promise<{ pc: number; what: string }[]> {
  return page.evaluate(() => (window as unknown as { __iceEvents: { pc: number; what: string }[] }).__iceEvents);
}

describe('a relay-only participant joining while the TURN server has no relay port free', () => {
  it('gets media both ways once a port frees up, through an ICE restart of transports that never connected', async () => {
    const open = await join('Ouvert', false);
    const relayed = await join('Relais', true);

    // Both transports asked coturn for a relay and were refused (486: quota); gathering is over, nothing to check.
    let seen: { pc: number; what: string }[] = [];
    await until(
      async () => {
        const events = await iceEvents(relayed.page);
        seen = events;
        const refused = new Set(events.filter((e) => e.what.startsWith('icecandidateerror ')).map((e) => e.pc));
        const gathered = new Set(events.filter((e) => e.what === 'icegathering complete').map((e) => e.pc));
        const began = new Set(events.filter((e) => e.what === 'icegathering gathering').map((e) => e.pc));
        return began.size >= 2 && [...began].every((pc) => refused.has(pc) && gathered.has(pc));
      },
      'the relayed page refused a relay on both transports',
      { timeoutMs: 30_000, stepMs: 250, detail: () => seen },
    );
    const events = await iceEvents(relayed.page);
    expect(events.filter((e) => e.what.startsWith('candidate relay')), JSON.stringify(events)).toEqual([]);
    expect(events.filter((e) => e.what.startsWith('icecandidateerror ') && !e.what.startsWith('icecandidateerror 486')), JSON.stringify(events)).toEqual([]);
    expect(await flowFrom(relayed.page, open.peerId)).toEqual({ frames: 0, audioPackets: 0 });

    release();

    await expectMediaRising(relayed.page, open.peerId, 'relayed page from open page');
    await expectMediaRising(open.page, relayed.peerId, 'open page from relayed page');
    const restarts = relayed.log.filter((l) => /ICE restart of the (send|recv) transport .*: not connected/.test(l));
    expect(restarts.some((l) => l.includes('send transport')), relayed.log.join('\n')).toBe(true);
    expect(restarts.some((l) => l.includes('recv transport')), relayed.log.join('\n')).toBe(true);
    const relays = (await iceEvents(relayed.page)).filter((e) => e.what.startsWith('candidate relay'));
    expect(relays.length).toBeGreaterThanOrEqual(2);
  });
});
