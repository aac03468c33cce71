/**
 * The loudest voices only (issue 21): five real Chromium speakers (camera
 * off: voices are the subject, and six pages with video would not fit two
 * cores) and a phone page joined audio-only. Every microphone plays the
 * fake device's tone; a speaker falls silent by muting its track in the page
 * (track.enabled = false: Opus DTX). The server forwards the phone the three
 * talking voices only, and its page receives packets from those three and
 * nothing from the other two; when one stops and another starts, the phone
 * gets the new one; the "who speaks" tile stays the one everybody sees.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setMicEnabled } from '../../test/pageMicrophone.js';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { KEEP_PEER_CONNECTIONS } from '../../test/netlab/pageMedia.js';
import { until as waitFor } from '../../test/until.js';

/** Waits with the phone's voices in the message if it times out. */
const until = (condition: () => boolean | Promise<boolean>, what: string) => waitFor(condition, what, { stepMs: 100, detail: forwarded });

const PROJECT = 'chantier-voix';
const ROOM = 'cinq-voix';

interface Participant {
  name: string;
  page: Page;
  peerId: string;
}

let t: TestApp;
let chromium: TestBrowser;
const speakers: Participant[] = [];
let phone: Participant;
/** Most voices the server let flow to the phone at once, sampled while the test waits. */
let mostFlowing = 0;

async function join(name: string, audioOnly: boolean): Promise<Participant> {
  const { page, peerId } = await openMeetingPage(chromium.browser, t, {
    name,
    projectId: PROJECT,
    roomId: ROOM,
    beforeApp: [KEEP_PEER_CONNECTIONS],
    ...(audioOnly ? { viewport: { width: 360, height: 740, isMobile: true, hasTouch: true } } : {}),
    join: {
      beforePress: async (p) => {
        if (audioOnly) {
          await p.click('[data-testid="audio-only-lobby"]');
          await p.waitForSelector('[data-testid="camera-toggle-lobby"][aria-pressed="false"][disabled]');
          return;
        }
        const camera = await p.waitForSelector('[data-testid="camera-toggle-lobby"]');
        if ((await camera!.evaluate((el) => el.getAttribute('aria-pressed'))) !== 'false') await camera!.click();
      },
    },
  });
  return { name, page, peerId };
}

function phonePeer() {
  const peer = t.app.rooms.get(PROJECT, ROOM)?.media.peers.get(phone.peerId);
  if (!peer) throw new Error('no media peer for the phone');
  return peer;
}

/** The speakers whose voice the server forwards to the phone now (by name), and how many it holds. */
function forwarded(): { flowing: string[]; held: number; voices: number } {
  const peer = phonePeer();
  const mics = [...peer.consumers.values()].filter((c) => c.appData.source === 'mic');
  const flowing = mics.filter((c) => !c.paused).map((c) => speakers.find((s) => s.peerId === c.appData.producerPeerId)?.name ?? '?');
  mostFlowing = Math.max(mostFlowing, flowing.length);
  return { flowing: flowing.sort(), held: mics.filter((c) => peer.pauseReasons(c.id).has('voice')).length, voices: mics.length };
}

/** Audio packets the phone's page received, by speaker name. */
async function packetsByName(): Promise<Map<string, number>> {
  const stats = await phone.page.evaluate(async () => {
    const controller = (window as unknown as { __chantier: { getReceiveStats(): Promise<unknown[]> } }).__chantier;
    return (await controller.getReceiveStats()) as Array<{ peerId: string; kind: string; packetsReceived: number }>;
  });
  const out = new Map<string, number>();
  for (const s of stats) {
    const name = speakers.find((p) => p.peerId === s.peerId)?.name;
    if (s.kind === 'audio' && name) out.set(name, (out.get(name) ?? 0) + s.packetsReceived);
  }
  return out;
}

/** Which speakers' packets reach the phone's page over a short window (packet counts, not times). */
async function heardByPhone(): Promise<string[]> {
  const before = await packetsByName();
  // About 25 packets a second from a talking voice; wait until some arrived from someone.
  let after = before;
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    forwarded();
    after = await packetsByName();
    const rising = [...after].filter(([name, n]) => n - (before.get(name) ?? 0) >= 20);
    if (rising.length >= 3) break;
  }
  // A silent (DTX) but forwarded voice sends ~2.5 packets a second: "heard" means speech-rate packets.
  return [...after].filter(([name, n]) => n - (before.get(name) ?? 0) >= 20).map(([name]) => name).sort();
}

beforeAll(async () => {
  t = await startTestApp({ MEDIASOUP_WORKERS: '1' });
  chromium = await launchBrowser();
});

afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

describe('a phone in audio-only among five speakers gets the three loudest voices only', () => {
  it('receives the three talking voices and nothing of the two silent ones; the speaking tile stays right', async () => {
    for (const name of ['Alice', 'Bruno', 'Chloé', 'David', 'Emma']) speakers.push(await join(name, false));
    // David and Emma are silent (muted track: DTX) before the phone comes.
    await setMicEnabled(speakers[3]!.page, false);
    await setMicEnabled(speakers[4]!.page, false);
    phone = await join('Téléphone', true);
    await setMicEnabled(phone.page, false);

    await until(() => forwarded().voices === 5, 'the phone to consume five voices');
    await until(() => forwarded().flowing.join() === 'Alice,Bruno,Chloé', 'the three talking voices forwarded');
    expect(forwarded().held).toBe(2);
    expect(await heardByPhone()).toEqual(['Alice', 'Bruno', 'Chloé']);
    // Nothing at all of the held voices, not even their DTX packets.
    const before = await packetsByName();
    await until(async () => ((await packetsByName()).get('Alice') ?? 0) > (before.get('Alice') ?? 0) + 25, 'a second of Alice');
    const after = await packetsByName();
    expect(after.get('David') ?? 0).toBe(before.get('David') ?? 0);
    expect(after.get('Emma') ?? 0).toBe(before.get('Emma') ?? 0);

    // Who speaks: the phone shows the speaker everyone else's page shows (the server's, from every microphone).
    const speaking = (p: Page) => p.$$eval('[data-testid="tile"][data-speaking="true"]', (els) => els.map((e) => e.getAttribute('data-peer-id')).join());
    await until(async () => {
      const onPhone = await speaking(phone.page);
      return onPhone !== '' && onPhone === (await speaking(speakers[0]!.page)) && onPhone === (await speaking(speakers[4]!.page));
    }, 'the same speaking tile on the phone and the others');
  });

  it('switches when one stops and another starts, never more than three at once', async () => {
    await setMicEnabled(speakers[0]!.page, false);
    await setMicEnabled(speakers[3]!.page, true);
    await until(() => forwarded().flowing.join() === 'Bruno,Chloé,David', 'David in, Alice out');
    expect(await heardByPhone()).toEqual(['Bruno', 'Chloé', 'David']);
    expect(mostFlowing).toBe(3);
  });
});
