/**
 * A participant on a network that drops all UDP (a site's firewall that lets
 * only TCP out): two real Chromium participants through the real server.
 * Ouvert is in the root namespace; Bloqué is in a net lab's namespace
 * (test/netlab/) where an nftables firewall drops every UDP packet both ways,
 * installed before anyone joins. Every address is an IP: no DNS involved.
 *   a) No TURN configured: Bloqué reaches mediasoup's WebRtcServer over
 *      ICE-TCP. Both of its transports' selected pairs are TCP to the
 *      server's TCP port (seen in the page and in mediasoup), and audio and
 *      video flow both ways.
 *   b) A real coturn on the lab's address, offered over UDP and TCP, and
 *      Bloqué limited to relay candidates: it allocates over TCP (the UDP
 *      allocation cannot leave the namespace), media flows both ways.
 * That the firewall was on is shown, not assumed: a UDP datagram sent from
 * the namespace fails, the firewall's counters show the UDP that Chromium
 * tried and lost, and no UDP candidate pair of Bloqué's ever succeeded.
 * One lab, one coturn and two Chromiums (root, namespace) serve both cases;
 * the server runs twice on the lab's address, without and with TURN.
 */
import { Coturn } from '@chantier/turn';
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { blockUdp, udpDrops } from '../../test/netlab/firewall.js';
import { createNetLab, PYTHON, type NetLab } from '../../test/netlab/netlab.js';
import { KEEP_PEER_CONNECTIONS, pageMedia, RELAY_ONLY, type PageMedia } from '../../test/netlab/pageMedia.js';
import { receiveStats } from '../../test/receiveStats.js';
import { joinMeeting, type MeetingPage } from '../../test/screenShare.js';

const SECRET = 'udp-blocked-e2e-secret-0123456789abcdef';
const PROJECT = 'chantier-pare-feu';
/** Generous bounds: on a loaded 2-core machine a page may take 15 s to join. */
const JOIN_LIMIT_MS = 40_000;
const MEDIA_LIMIT_MS = 30_000;
const RISE_LIMIT_MS = 10_000;

/** Sends one datagram from the namespace; prints the errno name, or 'sent'. */
const UDP_PROBE = `
import errno, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(b'probe', (sys.argv[1], int(sys.argv[2])))
    print('sent')
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
`;

let lab: NetLab | undefined;
let coturn: Coturn | undefined;
/** The same server twice: without TURN (case a), with the test's coturn (case b). */
let plainApp: TestApp | undefined;
let turnApp: TestApp | undefined;
/** Shared by both cases, a fresh browser context per participant. */
let rootBrowser: TestBrowser | undefined;
let labBrowser: TestBrowser | undefined;
let pages: MeetingPage[] = [];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Flow {
  frames: number;
  audioPackets: number;
}

/** Video frames decoded and audio packets received by `page` from `peerId` (the client's per-consumer stats). */
async function flowFrom(page: Page, peerId: string): Promise<Flow> {
  const flow: Flow = { frames: 0, audioPackets: 0 };
  for (const s of (await receiveStats(page)).filter((x) => x.peerId === peerId)) {
    if (s.kind === 'video') flow.frames += s.framesDecoded;
    else flow.audioPackets += s.packetsReceived;
  }
  return flow;
}

/**
 * Waits (bounded) until audio and video from `from` have started at `to`,
 * then until both have risen; returns when they started, in ms from `since`.
 */
async function expectMediaRising(to: MeetingPage, from: MeetingPage, since: number): Promise<number> {
  const what = `${to.name} from ${from.name}`;
  let first: Flow;
  const deadline = Date.now() + MEDIA_LIMIT_MS;
  for (;;) {
    first = await flowFrom(to.page, from.peerId);
    if (first.frames > 0 && first.audioPackets > 0) break;
    if (Date.now() > deadline) throw new Error(`${what}: no media in ${MEDIA_LIMIT_MS} ms: ${JSON.stringify(first)}`);
    await sleep(250);
  }
  const startedMs = Date.now() - since;
  let second = first;
  const until = Date.now() + RISE_LIMIT_MS;
  do {
    await sleep(500);
    second = await flowFrom(to.page, from.peerId);
  } while (!(second.frames > first.frames && second.audioPackets > first.audioPackets) && Date.now() < until);
  expect(second.frames, `${what}: video frames decoded`).toBeGreaterThan(first.frames);
  expect(second.audioPackets, `${what}: audio packets received`).toBeGreaterThan(first.audioPackets);
  return startedMs;
}

/** Waits (bounded) until the page's send and receive transports both have a selected pair. */
async function withSelectedPairs(page: Page): Promise<PageMedia> {
  const deadline = Date.now() + RISE_LIMIT_MS;
  for (;;) {
    const media = await pageMedia(page);
    if (media.pairs.length >= 2) return media;
    if (Date.now() > deadline) throw new Error(`fewer than 2 selected pairs: ${JSON.stringify(media.pairs)}`);
    await sleep(250);
  }
}

/** The server's side of a peer's transports: the ICE tuple mediasoup selected for each. */
function serverTuples(app: TestApp, peerId: string) {
  for (const room of app.app.sfu.rooms.values()) {
    const peer = room.peers.get(peerId);
    if (peer) return [...peer.transports.values()].map((t) => t.iceSelectedTuple);
  }
  return [];
}

/** Ouvert joins from the root namespace, then Bloqué from behind the firewall; both send camera and microphone. */
async function meet(app: TestApp, roomId: string, blockedScripts: string[]): Promise<{ open: MeetingPage; blocked: MeetingPage }> {
  const place = { app, projectId: PROJECT, roomId };
  const open = await joinMeeting(rootBrowser!, place, 'Ouvert', { beforeApp: [KEEP_PEER_CONNECTIONS], timeoutMs: JOIN_LIMIT_MS });
  pages.push(open);
  const blocked = await joinMeeting(labBrowser!, place, 'Bloqué', {
    beforeApp: [KEEP_PEER_CONNECTIONS, ...blockedScripts],
    timeoutMs: JOIN_LIMIT_MS,
  });
  pages.push(blocked);
  return { open, blocked };
}

/**
 * The firewall was on and hit during this case (its counters restart with
 * each blockUdp): UDP that Chromium sent was dropped, and none of its
 * candidate pairs that leave the page over UDP succeeded.
 */
async function expectUdpNeverWorked(media: PageMedia): Promise<void> {
  const drops = await udpDrops(lab!);
  expect(drops, 'the firewall is still installed').not.toBeNull();
  expect(drops!.out, 'UDP packets from the namespace dropped').toBeGreaterThan(0);
  // A relay candidate's own protocol is the relay's, towards the server; the page reaches the relay by relayProtocol.
  const overUdp = (p: PageMedia['candidatePairs'][number]): boolean =>
    (p.localType === 'relay' ? p.relayProtocol : p.localProtocol) === 'udp';
  const udpSucceeded = media.candidatePairs.filter((p) => overUdp(p) && p.state === 'succeeded');
  expect(udpSucceeded, 'no UDP candidate pair succeeded').toEqual([]);
}

beforeAll(async () => {
  lab = await createNetLab();
  await blockUdp(lab);
  // Proof before anything runs: a datagram from the namespace does not even leave it.
  const { stdout } = await lab.exec(PYTHON, ['-c', UDP_PROBE, lab.hostIp, '9'], 5_000);
  expect(stdout.trim(), 'UDP send from the namespace').toBe('EPERM');

  // coturn and mediasoup both on the lab's root-side address: not loopback, so no allow-loopback-peers.
  coturn = await Coturn.start({ secret: SECRET, listeningIp: lab.hostIp });
  const env = { MEDIASOUP_WORKERS: '1', HOST: lab.hostIp, RTC_LISTEN_IP: lab.hostIp };
  plainApp = await startTestApp(env);
  turnApp = await startTestApp({ ...env, TURN_URLS: `${coturn.url('udp')},${coturn.url('tcp')}`, TURN_SECRET: SECRET });
  const secureOrigins = [plainApp.url, turnApp.url];
  [rootBrowser, labBrowser] = await Promise.all([
    launchBrowser([], { secureOrigins }),
    launchBrowser([], { secureOrigins, netns: lab.nsName }),
  ]);
});

afterEach(async () => {
  await Promise.all(pages.map((p) => p.context.close().catch(() => {})));
  pages = [];
});

afterAll(async () => {
  await Promise.all([rootBrowser?.close(), labBrowser?.close()]);
  await plainApp?.close().catch(() => {});
  await turnApp?.close().catch(() => {});
  await coturn?.stop();
  // Deleting the namespace removes the firewall's table with it.
  await lab?.close();
});

describe('a participant whose network drops all UDP', () => {
  it('meets over ICE-TCP to the server’s TCP port when no TURN is configured', async () => {
    const app = plainApp!;
    await blockUdp(lab!); // again: counters from 0 for this case
    const { tcpPort, udpPort } = app.app.sfu.pool.slots[0]!;
    const joinAt = Date.now();
    const { open, blocked } = await meet(app, 'ice-tcp', []);
    const joinedMs = Date.now() - joinAt;

    const toOpenMs = await expectMediaRising(open, blocked, joinAt);
    const toBlockedMs = await expectMediaRising(blocked, open, joinAt);

    const media = await withSelectedPairs(blocked.page);
    const server = serverTuples(app, blocked.peerId);
    const figures = {
      joinedMs,
      mediaStartedMs: { toOpen: toOpenMs, toBlocked: toBlockedMs },
      server: { tcpPort, udpPort },
      pairs: media.pairs.map((p) => `${p.local} -> ${p.remote}`),
      serverTuples: server,
      udpDrops: await udpDrops(lab!),
      candidatePairs: media.candidatePairs.map((p) => `${p.local} -> ${p.remote} ${p.state}`),
    };
    process.stdout.write(`[udp blocked, ICE-TCP] ${JSON.stringify(figures, null, 1)}\n`);

    // The page: send and receive transports over TCP to the WebRtcServer's TCP port.
    for (const pair of media.pairs) {
      expect(pair.localProtocol, pair.local).toBe('tcp');
      expect(pair.remoteProtocol, pair.remote).toBe('tcp');
      expect(pair.remoteAddress).toBe(lab!.hostIp);
      expect(pair.remotePort).toBe(tcpPort);
    }
    // The server agrees: both transports of Bloqué are connected over TCP, from the namespace.
    expect(server.length).toBe(2);
    for (const tuple of server) {
      expect(tuple?.protocol).toBe('tcp');
      expect(tuple?.localPort).toBe(tcpPort);
      expect(tuple?.remoteIp).toBe(lab!.peerIp);
    }
    await expectUdpNeverWorked(media);
  });

  it('meets through TURN over TCP when it may only use relay candidates', async () => {
    const app = turnApp!;
    const relay = coturn!.settings;
    await blockUdp(lab!); // again: counters from 0 for this case
    const { udpPort } = app.app.sfu.pool.slots[0]!;
    const joinAt = Date.now();
    const { open, blocked } = await meet(app, 'relais-tcp', [RELAY_ONLY]);
    const joinedMs = Date.now() - joinAt;

    const toOpenMs = await expectMediaRising(open, blocked, joinAt);
    const toBlockedMs = await expectMediaRising(blocked, open, joinAt);

    const media = await withSelectedPairs(blocked.page);
    const server = serverTuples(app, blocked.peerId);
    const figures = {
      joinedMs,
      mediaStartedMs: { toOpen: toOpenMs, toBlocked: toBlockedMs },
      turn: coturn!.url('tcp'),
      relayPorts: [relay.minPort, relay.maxPort],
      pairs: media.pairs.map((p) => `${p.local} (relayed over ${p.relayProtocol || '-'}) -> ${p.remote}`),
      serverTuples: server,
      udpDrops: await udpDrops(lab!),
      candidatePairs: media.candidatePairs.map((p) => `${p.local} -> ${p.remote} ${p.state}`),
    };
    process.stdout.write(`[udp blocked, TURN/TCP] ${JSON.stringify(figures, null, 1)}\n`);

    // The page: both transports through a relay candidate allocated over TCP.
    for (const pair of media.pairs) {
      expect(pair.localType, pair.local).toBe('relay');
      expect(pair.relayProtocol, pair.local).toBe('tcp');
    }
    // The server sees Bloqué come from coturn's relay ports (coturn to mediasoup over UDP, in the root namespace).
    expect(server.length).toBe(2);
    for (const tuple of server) {
      expect(tuple?.protocol).toBe('udp');
      expect(tuple?.localPort).toBe(udpPort);
      expect(tuple?.remoteIp).toBe(lab!.hostIp);
      expect(tuple?.remotePort).toBeGreaterThanOrEqual(relay.minPort);
      expect(tuple?.remotePort).toBeLessThanOrEqual(relay.maxPort);
    }
    await expectUdpNeverWorked(media);
  });
});
