/**
 * Two Chromium participants meet through the SFU while one of them may only
 * use TURN relay candidates, as behind a firewall that lets nothing but the
 * TURN server through. The app hands out credentials for the test's own
 * coturn; both must see and hear each other, and the relayed page's selected
 * candidate pairs must be relay ones, over UDP, over TCP and over TLS to coturn.
 *
 * Chromium checks the certificate of a turns: server like any HTTPS one (a
 * self-signed one fails with icecandidateerror 701 and no relay candidate:
 * the last test shows it). The browser here trusts the test certificate's key
 * alone, through --ignore-certificate-errors-spki-list, rather than ignoring
 * every certificate error.
 */
import { Coturn, freeUdpTcpPort, turnCredential } from '@chantier/turn';
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { openMeetingPage } from '../../test/meetingPage.js';
import { expectMediaRising, makeRelayOnly } from '../../test/relayMeeting.js';
import { makeTestCert, type TestCert } from '../../test/tlsCert.js';

const SECRET = 'turn-e2e-secret-turn-e2e-secret-0123456789';
const PROJECT = 'chantier-turn';
const ROOM = 'reunion-relais';

interface SelectedPair {
  localType: string;
  relayProtocol: string | undefined;
  remoteType: string;
}

let cert: TestCert;
let coturn: Coturn;
let chromium: TestBrowser;
let t: TestApp | undefined;

beforeAll(async () => {
  cert = makeTestCert();
  coturn = await Coturn.start({
    secret: SECRET,
    allowLoopbackPeers: true,
    tls: { port: await freeUdpTcpPort(), certFile: cert.certFile, keyFile: cert.keyFile },
  });
  chromium = await launchBrowser([`--ignore-certificate-errors-spki-list=${cert.spkiSha256}`]);
});

afterEach(async () => {
  for (const context of chromium.browser.browserContexts()) {
    if (context !== chromium.browser.defaultBrowserContext()) await context.close();
  }
  await t?.close();
  t = undefined;
});

afterAll(async () => {
  await chromium?.close();
  await coturn?.stop();
  cert?.remove();
});

async function join(app: TestApp, name: string, relayOnly: boolean): Promise<{ page: Page; peerId: string }> {
  const { page, peerId } = await openMeetingPage(chromium.browser, app, {
    name,
    projectId: PROJECT,
    roomId: ROOM,
    prepare: relayOnly ? makeRelayOnly : undefined,
  });
  return { page, peerId };
}

/** The selected candidate pair of each connected peer connection of a relay-only page. */
async function selectedPairs(page: Page): Promise<SelectedPair[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const out: { localType: string; relayProtocol: string | undefined; remoteType: string }[] = [];
    for (const pc of pcs) {
      if (pc.connectionState !== 'connected') continue;
      const report = await pc.getStats();
      const all = [...report.values()] as Record<string, unknown>[];
      const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
      const pair = transport && report.get(transport.selectedCandidatePairId as string);
      if (!pair) continue;
      const local = report.get(pair.localCandidateId);
      const remote = report.get(pair.remoteCandidateId);
      out.push({ localType: local?.candidateType, relayProtocol: local?.relayProtocol, remoteType: remote?.candidateType });
    }
    return out;
  });
}

describe('a meeting with one participant reachable only through TURN', () => {
  it.each([['udp'], ['tcp'], ['tls']] as const)('carries audio and video both ways through coturn over %s', async (transport) => {
    t = await startTestApp({ TURN_URLS: coturn.url(transport), TURN_SECRET: SECRET });
    const open = await join(t, 'Ouvert', false);
    const relayed = await join(t, 'Relais', true);

    await expectMediaRising(open.page, relayed.peerId, 'open page from relayed page');
    await expectMediaRising(relayed.page, open.peerId, 'relayed page from open page');

    // Send and receive transports: both connected, both through a relay candidate of this transport.
    let pairs: SelectedPair[] = [];
    const deadline = Date.now() + 10_000;
    do {
      pairs = await selectedPairs(relayed.page);
      if (pairs.length >= 2) break;
      await new Promise((r) => setTimeout(r, 250));
    } while (Date.now() < deadline);
    expect(pairs.length, JSON.stringify(pairs)).toBeGreaterThanOrEqual(2);
    for (const pair of pairs) {
      expect(pair.localType).toBe('relay');
      expect(pair.relayProtocol).toBe(transport);
    }
  });
});

interface Gathered {
  state: string;
  relays: { address: string | null; relayProtocol: string | undefined }[];
  errors: { errorCode: number; url: string }[];
}

/** Relay candidates (and candidate errors) a bare relay-only peer connection of a fresh page gathers from `url`. */
async function gatherRelays(browser: TestBrowser, url: string): Promise<Gathered> {
  const { username, credential } = turnCredential(SECRET, 'u-gather', 600);
  const page = await browser.browser.newPage();
  try {
    // A string, not a function: nothing of the test's transpiled code leaks into the page.
    return await page.evaluate(`(async () => {
      const pc = new RTCPeerConnection({
        iceServers: [{ urls: ${JSON.stringify(url)}, username: ${JSON.stringify(username)}, credential: ${JSON.stringify(credential)} }],
        iceTransportPolicy: 'relay',
      });
      const relays = [];
      const errors = [];
      pc.onicecandidate = (e) => {
        if (e.candidate && e.candidate.type === 'relay') relays.push({ address: e.candidate.address, relayProtocol: e.candidate.relayProtocol });
      };
      pc.onicecandidateerror = (e) => errors.push({ errorCode: e.errorCode, url: e.url });
      pc.createDataChannel('probe');
      await pc.setLocalDescription();
      const deadline = Date.now() + 30000;
      while (pc.iceGatheringState !== 'complete' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const state = pc.iceGatheringState;
      pc.close();
      return { state, relays, errors };
    })()`) as Gathered;
  } finally {
    await page.close();
  }
}

describe('Chromium and the certificate of a turns: server', () => {
  it('refuses a self-signed one, and takes it when told to trust its key', async () => {
    const url = coturn.url('tls');
    const plain = await launchBrowser();
    let refused: Gathered;
    try {
      refused = await gatherRelays(plain, url);
    } finally {
      await plain.close();
    }
    expect(refused.state).toBe('complete');
    expect(refused.relays).toEqual([]);
    // 701: "the TURN server could not be reached", here a failed TLS handshake.
    expect(refused.errors).toContainEqual({ errorCode: 701, url });

    const trusted = await gatherRelays(chromium, url);
    expect(trusted.state).toBe('complete');
    expect(trusted.relays).toEqual([{ address: '127.0.0.1', relayProtocol: 'tls' }]);
  });
});
