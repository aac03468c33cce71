/**
 * Join latency, Chantier against Janus VideoRoom, in one run on one machine:
 * time from the press of "Rejoindre" to the first frame of the remote video
 * the newcomer receives, in a meeting where one publisher (camera and
 * microphone) is already in.
 *
 * - Both SFUs run inside the benchmark's network namespace (lib/netns.ts),
 *   bound to its address; one Chromium in the root namespace reaches both
 *   over the same veth pair (Janus never gathers 127.0.0.1).
 * - Chantier: the real client (client/dist) served by the server; the
 *   newcomer opens the meeting's link, its lobby settles (devices open,
 *   signaling socket open, hello done, Device loaded and both transports
 *   made: client/src/room/MediaPrewarm.ts), it presses Rejoindre.
 * - Janus: lib/janusPage.ts, a minimal VideoRoom page on Debian's janus.js
 *   with the same shape: its lobby opens the devices and the Janus session
 *   (WebSocket) before the press; the press attaches, joins, publishes and
 *   subscribes to the publisher, as Janus's VideoRoom demo does.
 * - Measured in the page, the same way for both (PROBE below, run before
 *   the app): the press is a capture-phase click listener on the button;
 *   every remote video track (the RTCPeerConnection's 'track' event) is
 *   played in a small probe <video>, whose first requestVideoFrameCallback
 *   gives the frame's presentation time: decoded and handed to the
 *   compositor. Both on the page's performance.now() clock.
 * - Joins go in pairs, one per SFU, so that a busy moment of the shared
 *   machine hits both alike; one warm-up pair is left out. Each newcomer is
 *   a fresh page (new user id) in one browser context per SFU, closed after
 *   its join (it leaves). The two lobbies of a pair open together (the slow
 *   part, 2–5 s each on a loaded machine, outside the measure), then the
 *   two presses follow one another; which SFU goes first alternates, since
 *   the first one is measured while the other newcomer idles in its lobby
 *   (camera preview, open socket). Every join is bounded by
 *   JOIN_TIMEOUT_MS, the joins together by RUN_BUDGET_MS.
 */
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { JOIN_PHASES, timelineOf, type JoinPhase } from '../../client/src/room/joinTimeline.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { describePage, joinFromLobby, waitForSettledLobby } from '../../test/join.js';
import { pageMedia } from '../../test/netlab/pageMedia.js';
import { machineBusySeconds, treeCpuSeconds } from './cpu.js';
import { startChantier, type ChantierServer } from './lib/chantier.js';
import { createVideoRoom, listPublishers, startJanus, type JanusServer } from './lib/janus.js';
import { serveJanusPage, type JanusPageServer } from './lib/janusPage.js';
import { createBenchNetns, type BenchNetns } from './lib/netns.js';
import { startPageTrace, stopPageTrace, type TracedTask } from './lib/pageTrace.js';
import { histogramQuantile, readHistogram } from './lib/promHistogram.js';
import { summarize, type Summary } from './lib/quantiles.js';
import { sleep, withTimeout } from './stats.js';
import type { BenchResult } from './types.js';

export const name = 'join';
export const description = 'join latency (press of Rejoindre → first remote video frame), Chantier against Janus VideoRoom, p50/p95';

/** Measured joins per SFU (≥ 20), after one warm-up join each. */
const JOINS = Number(process.env.JOIN_COUNT ?? 20);
const WARM_UP = 1;
const JOIN_TIMEOUT_MS = 20_000;
/**
 * Joins stop when this is spent (set-up excluded); the table says how many
 * were made. A pair takes ~13 s on a 2-core machine busy with other work
 * (each lobby 3–7 s: page, client, devices, signaling), so 21 pairs need
 * about 4.5 minutes there; less on a quiet machine.
 */
const RUN_BUDGET_MS = 300_000;
const JOIN = '[data-testid="join-button"]';
const PROJECT = 'bench';
/** The server's /metrics token (its join phases, chantier_join_phase_seconds). */
const METRICS_TOKEN = 'join-bench-metrics-token-0123456789abcdef';
/** The targets (issue 20): join → first frame against Janus's, press → remote track absolute. */
const TARGET_FRAME_P50_RATIO = 0.8;
const TARGET_TRACK_P50_MS = 100;
const ROOM = 'join';

/** Before the app: the press time, each remote video's first presented frame, the connections kept in __pcs. */
const PROBE = `(() => {
  const bench = (window.__bench = { pressAt: null, firstFrameAt: null, firstTrackAt: null, firstPacketAt: null });
  document.addEventListener('click', (event) => {
    const target = event.target;
    if (bench.pressAt === null && target && target.closest && target.closest('${JOIN}')) bench.pressAt = performance.now();
  }, true);
  const Native = window.RTCPeerConnection;
  const kept = (window.__pcs = []);
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      kept.push(this);
      this.addEventListener('track', (event) => {
        // mediasoup-client's probator (mid "probator") carries the SFU's bandwidth probes, never a person's video.
        if (event.track.kind !== 'video' || (event.transceiver && event.transceiver.mid === 'probator')) return;
        if (bench.firstTrackAt === null) bench.firstTrackAt = performance.now();
        // A remote track unmutes on its first RTP packet.
        event.track.addEventListener('unmute', () => {
          if (bench.firstPacketAt === null) bench.firstPacketAt = performance.now();
        }, { once: true });
        const video = document.createElement('video');
        video.muted = true;
        video.autoplay = true;
        video.playsInline = true;
        video.style.cssText = 'position:fixed;left:0;top:0;width:32px;height:18px;z-index:2147483647;pointer-events:none';
        video.srcObject = new MediaStream([event.track]);
        video.requestVideoFrameCallback((now, meta) => {
          const at = meta && typeof meta.presentationTime === 'number' ? meta.presentationTime : now;
          if (bench.firstFrameAt === null) {
            bench.firstFrameAt = at;
            // What the receiver went through to its first frame (JOIN_TRACE prints it).
            event.receiver.getStats().then((report) => report.forEach((s) => {
              if (s.type !== 'inbound-rtp') return;
              const keys = ['packetsReceived', 'packetsLost', 'nackCount', 'pliCount', 'firCount', 'framesReceived', 'keyFramesDecoded', 'framesDecoded', 'framesDropped', 'frameWidth', 'jitterBufferDelay', 'jitterBufferEmittedCount'];
              bench.firstFrameStats = Object.fromEntries(keys.map((k) => [k, s[k]]));
            })).catch(() => {});
          }
          video.srcObject = null;
          video.remove();
        });
        const attach = () => (document.body ? document.body.appendChild(video) : setTimeout(attach, 10));
        attach();
        video.play().catch(() => {});
      });
    }
  };
})();`;

/** Each inbound RTP stream of the page's connections, by mid: packets and bytes received so far. */
const LOBBY_RECEIVED = `Promise.all((window.__pcs ?? []).map((pc) => pc.getStats())).then((reports) => {
  const out = [];
  for (const report of reports) report.forEach((s) => { if (s.type === 'inbound-rtp') out.push(s.kind + ' mid ' + s.mid + ': ' + s.packetsReceived + ' packets, ' + s.bytesReceived + ' B'); });
  return out;
})`;

type Sfu = 'chantier' | 'janus';

interface JoinSample {
  sfu: Sfu;
  index: number;
  warmUp: boolean;
  /** ms from the press to the first remote frame; null: not within the timeout. */
  latencyMs: number | null;
  /** ms from the press to the remote video track (signaling and SDP done, media not yet). */
  trackMs: number | null;
  /** The remote video track existed before the press (made on the join screen): trackMs is 0. */
  trackBeforePress: boolean;
  /** Press → the first video packet (the remote track unmutes). */
  packetMs: number | null;
  /**
   * Chantier only: the page's join timeline (client/src/room/joinTimeline.ts),
   * ms from the press (lobby phases negative), and ms from navigation start.
   */
  fromPress: Partial<Record<JoinPhase, number>>;
  fromPage: Partial<Record<JoinPhase, number>>;
  /** The ICE pairs selected by the newcomer's connections (local type/protocol → remote). */
  icePaths: string[];
  /** ms spent around the measure: new page to settled lobby; first frame to page closed. */
  lobbyMs: number | null;
  afterMs: number | null;
  error?: string;
}

interface Place {
  sfu: Sfu;
  context: BrowserContext;
  /** The newcomer's page address. */
  url(index: number): Promise<string>;
}

/** "address:port/protocol type" without the port (ports differ per join). */
function endpoint(candidate: string): string {
  const [where = '', type = ''] = candidate.split(' ');
  return `${type} ${where.replace(/:\d+\//, '/')}`;
}

function icePath(pair: { local: string; remote: string }): string {
  return `${endpoint(pair.local)} → ${endpoint(pair.remote)}`;
}

interface Lobby {
  page: Page | null;
  sample: JoinSample;
}

/** A newcomer's page, settled in its lobby (devices and signaling open), not pressed yet. */
async function openLobby(place: Place, index: number, warmUp: boolean): Promise<Lobby> {
  const sample: JoinSample = {
    sfu: place.sfu,
    index,
    warmUp,
    latencyMs: null,
    trackMs: null,
    packetMs: null,
    trackBeforePress: false,
    fromPress: {},
    fromPage: {},
    icePaths: [],
    lobbyMs: null,
    afterMs: null,
  };
  const t0 = Date.now();
  let page: Page | null = null;
  try {
    page = await place.context.newPage();
    await page.evaluateOnNewDocument(PROBE);
    await page.goto(await place.url(index), { timeout: JOIN_TIMEOUT_MS });
    await waitForSettledLobby(page, JOIN_TIMEOUT_MS);
    if (sample.sfu === 'chantier') {
      // As a person finds the join screen a moment after it settles: its media made and connected
      // (MediaPrewarm, the probe), as Janus's lobby has its session open; lobbyMs counts the wait.
      const connected = ['send', 'recv'].map((d) => `performance.getEntriesByName('chantier:join:${d}-transport-connected').length > 0`);
      await page.waitForFunction(connected.join(' && '), {
        timeout: JOIN_TIMEOUT_MS,
        polling: 50,
      });
    }
    sample.lobbyMs = Date.now() - t0;
  } catch (error) {
    sample.error = `lobby: ${error instanceof Error ? error.message.split('\n')[0]! : String(error)}`;
  }
  return { page, sample };
}

/** Presses Rejoindre and waits (bounded) for the first remote frame; then the newcomer leaves (page closed). */
async function measureJoin({ page, sample }: Lobby): Promise<JoinSample> {
  let measuredAt: number | null = null;
  try {
    if (!page || sample.error) return sample;
    const trace = TRACE && sample.sfu === 'chantier' && !sample.warmUp && sample.index <= WARM_UP + 3 ? `/tmp/join-trace-${sample.index}.json` : null;
    // JOIN_TRACE: what the newcomer's page received before the press (the join screen's media: nothing but probes).
    const lobbyReceived = TRACE ? await page.evaluate(LOBBY_RECEIVED).catch(() => 'n/a') : null;
    if (trace) await startPageTrace(page, trace);
    await page.click(JOIN);
    try {
      await page.waitForFunction('window.__bench.firstFrameAt !== null', { timeout: JOIN_TIMEOUT_MS, polling: 100 });
    } catch {
      const janusState = await page.evaluate('JSON.stringify(window.__janusPage ?? null)').catch(() => 'n/a');
      throw new Error(`no remote frame within ${JOIN_TIMEOUT_MS} ms: ${await describePage(page)} janus page: ${String(janusState)}`);
    }
    const bench = (await page.evaluate('window.__bench')) as { pressAt: number | null; firstFrameAt: number; firstTrackAt: number | null; firstPacketAt: number | null };
    if (bench.pressAt === null) throw new Error('the press was not seen by the page');
    sample.latencyMs = bench.firstFrameAt - bench.pressAt;
    // Chantier makes the meeting's consumers on the join screen (prepareConsumers): a track that
    // exists before the press counts as 0 (nothing left to do at the press), and is counted.
    sample.trackBeforePress = bench.firstTrackAt !== null && bench.firstTrackAt < bench.pressAt;
    sample.trackMs = bench.firstTrackAt === null ? null : Math.max(0, bench.firstTrackAt - bench.pressAt);
    sample.packetMs = bench.firstPacketAt === null ? null : bench.firstPacketAt - bench.pressAt;
    measuredAt = Date.now();
    if (sample.sfu === 'chantier') await readTimeline(page, bench.pressAt, sample);
    if (TRACE) console.log(`  · join ${sample.index} ${sample.sfu}: track ${sample.trackMs?.toFixed(0)} packet ${sample.packetMs?.toFixed(0)} frame ${sample.latencyMs?.toFixed(0)} ms; received before the press: ${JSON.stringify(lobbyReceived)}; the receiver at its first frame: ${JSON.stringify(await page.evaluate('window.__bench.firstFrameStats ?? null'))}`);
    if (trace) printTrace(sample.index, await stopPageTrace(page, trace, 'chantier:join:pressed', 'chantier:join:first-frame'));
    const media = await pageMedia(page);
    sample.icePaths = [...new Set(media.pairs.map(icePath))];
  } catch (error) {
    sample.error = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  } finally {
    await page?.close().catch(() => {});
    if (measuredAt !== null) sample.afterMs = Date.now() - measuredAt;
  }
  return sample;
}

/** The page's join marks (the first frame's may come a moment after the probe's: waited for, bounded). */
async function readTimeline(page: Page, pressAt: number, sample: JoinSample): Promise<void> {
  await page
    .waitForFunction(`performance.getEntriesByName('chantier:join:first-frame').length > 0`, { timeout: 2_000, polling: 50 })
    .catch(() => undefined);
  const marks = (await page.evaluate(
    `performance.getEntriesByType('mark').map((m) => ({ name: m.name, startTime: m.startTime }))`,
  )) as Array<{ name: string; startTime: number }>;
  const timeline = timelineOf(marks);
  for (const phase of JOIN_PHASES) {
    const at = timeline[phase];
    if (at === undefined) continue;
    sample.fromPage[phase] = at;
    sample.fromPress[phase] = at - pressAt;
  }
}

/** JOIN_TRACE=1: the main thread's long tasks from the press to the first frame, for the first three Chantier joins. */
const TRACE = process.env.JOIN_TRACE === '1';

function printTrace(index: number, tasks: TracedTask[]): void {
  console.log(`  · join ${index}: the page's main-thread tasks ≥ 4 ms from the press to the app's first frame (ms after the press, length, longest work inside)`);
  for (const t of tasks) console.log(`      ${t.at.toFixed(0).padStart(5)}  ${t.ms.toFixed(1).padStart(6)}  ${t.inside.join(' | ')}`);
}

/** The server's join phases (ms): count, p50 and p95 estimated from the histogram's buckets. */
async function serverPhases(url: string): Promise<Array<Array<string | number>>> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!response.ok) return [];
  const series = readHistogram(await response.text(), 'chantier_join_phase_seconds', 'phase');
  return [...series].map(([phase, s]) => [
    phase,
    s.count,
    Math.round(histogramQuantile(s, 0.5) * 1000),
    Math.round(histogramQuantile(s, 0.95) * 1000),
    s.count > 0 ? Math.round((s.sum / s.count) * 1000) : Number.NaN,
  ]);
}

/** "met" or "missed", with the figure and its goal. */
function verdict(value: number, goal: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(goal)) return 'no figure';
  return value <= goal ? 'met' : 'missed';
}

async function waitForJanusPublisher(janus: JanusServer, room: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await listPublishers(janus.httpUrl, room)).length === 0) {
    if (Date.now() > deadline) throw new Error(`the Janus publisher did not publish within 30 s:\n${janus.logTail()}`);
    await sleep(200);
  }
}

function row(sfu: string, s: Summary, missing: number): Array<string | number> {
  return [sfu, s.count, missing, Math.round(s.p50), Math.round(s.p95), Math.round(s.min), Math.round(s.max)];
}

export async function run(): Promise<BenchResult> {
  let netns: BenchNetns | null = null;
  let chantier: ChantierServer | null = null;
  let janus: JanusServer | null = null;
  let pageServer: JanusPageServer | null = null;
  let browser: TestBrowser | null = null;
  try {
    netns = await createBenchNetns();
    [chantier, janus, pageServer] = await Promise.all([
      startChantier({ netns, env: { LOG_LEVEL: 'warn', METRICS_TOKEN } }),
      startJanus(netns),
      serveJanusPage(),
    ]);
    const janusRoom = await createVideoRoom(janus.httpUrl, { publishers: 16, description: 'join bench' });
    browser = await launchBrowser([], { secureOrigins: [chantier.url] });
    const b: Browser = browser.browser;

    // The publishers already in each meeting: camera and microphone on, in contexts of their own.
    const chantierPublisher = await (await b.createBrowserContext()).newPage();
    const server = chantier;
    const chantierLink = async (userId: string): Promise<string> =>
      `${server.url}/p/${PROJECT}/r/${ROOM}#token=${await server.token({ userId, projectId: PROJECT, displayName: userId })}`;
    await chantierPublisher.goto(await chantierLink('publisher'));
    await withTimeout(joinFromLobby(chantierPublisher), 60_000, 'the Chantier publisher joining');
    const janusPublisher = await (await b.createBrowserContext()).newPage();
    const pages = pageServer;
    const wsUrl = janus.wsUrl;
    await janusPublisher.goto(pages.pageUrl({ wsUrl, room: janusRoom, display: 'publisher', auto: true }));
    await waitForJanusPublisher(janus, janusRoom);

    const places: Place[] = [
      { sfu: 'chantier', context: await b.createBrowserContext(), url: (i) => chantierLink(`newcomer-${i}`) },
      { sfu: 'janus', context: await b.createBrowserContext(), url: async (i) => pages.pageUrl({ wsUrl, room: janusRoom, display: `newcomer-${i}` }) },
    ];

    const samples: JoinSample[] = [];
    const started = Date.now();
    const cpuAtStart = { machine: machineBusySeconds(), self: treeCpuSeconds(process.pid) };
    for (let i = 0; i < WARM_UP + JOINS; i++) {
      if (Date.now() - started > RUN_BUDGET_MS) break;
      // Both newcomers of a pair settle in their lobbies together (the slow part: page, client,
      // devices, signaling), then press one after the other; which SFU goes first alternates.
      const order = i % 2 === 0 ? places : [...places].reverse();
      const lobbies = await Promise.all(order.map((place) => openLobby(place, i, i < WARM_UP)));
      for (const lobby of lobbies) samples.push(await measureJoin(lobby));
    }
    const seconds = (Date.now() - started) / 1000;
    const cpu = {
      machine: (machineBusySeconds() - cpuAtStart.machine) / seconds,
      bench: (treeCpuSeconds(process.pid) - cpuAtStart.self) / seconds,
    };

    const measured = (sfu: Sfu): JoinSample[] => samples.filter((s) => s.sfu === sfu && !s.warmUp);
    const summary = (sfu: Sfu, key: 'latencyMs' | 'trackMs' | 'packetMs'): Summary => summarize(measured(sfu).map((s) => s[key]));
    const missing = (sfu: Sfu): number => measured(sfu).filter((s) => s.latencyMs === null).length;
    const c = summary('chantier', 'latencyMs');
    const j = summary('janus', 'latencyMs');
    const ct = summary('chantier', 'trackMs');
    const jt = summary('janus', 'trackMs');
    const cp = summary('chantier', 'packetMs');
    const jp = summary('janus', 'packetMs');
    const paths = (sfu: Sfu): string => [...new Set(measured(sfu).flatMap((s) => s.icePaths))].join('; ') || 'none seen';
    const errors = samples.filter((s) => s.error).map((s) => `${s.sfu} #${s.index}: ${s.error}`);
    const timelineRows = JOIN_PHASES.map((phase) => {
      const fromPage = summarize(measured('chantier').map((s) => s.fromPage[phase] ?? null));
      const fromPress = summarize(measured('chantier').map((s) => s.fromPress[phase] ?? null));
      return [phase, fromPress.count, Math.round(fromPage.p50), Math.round(fromPage.p95), Math.round(fromPress.p50), Math.round(fromPress.p95)];
    });
    const serverRows = await serverPhases(chantier.url).catch(() => []);

    return {
      tables: [
        {
          headline: true,
          title: 'Join: press of Rejoindre → first remote video frame (ms)',
          columns: ['SFU', 'joins', 'missed', 'p50', 'p95', 'min', 'max'],
          rows: [row('Chantier', c, missing('chantier')), row('Janus VideoRoom', j, missing('janus'))],
        },
        {
          title: 'Join: press → remote video track (signaling and SDP done), and → its first packet (the track unmutes) (ms)',
          columns: ['SFU', 'joins', 'track p50', 'track p95', 'first packet p50', 'first packet p95'],
          rows: [
            ['Chantier', ct.count, Math.round(ct.p50), Math.round(ct.p95), Math.round(cp.p50), Math.round(cp.p95)],
            ['Janus VideoRoom', jt.count, Math.round(jt.p50), Math.round(jt.p95), Math.round(jp.p50), Math.round(jp.p95)],
          ],
        },
        {
          headline: true,
          title: 'Join: the targets of issue 20 (ms)',
          columns: ['target', 'Chantier', 'Janus', 'goal', 'verdict'],
          rows: [
            ['press → first frame, p50 ≤ 0.8 × Janus', Math.round(c.p50), Math.round(j.p50), Math.round(TARGET_FRAME_P50_RATIO * j.p50), verdict(c.p50, TARGET_FRAME_P50_RATIO * j.p50)],
            ['press → first frame, p95 ≤ Janus', Math.round(c.p95), Math.round(j.p95), Math.round(j.p95), verdict(c.p95, j.p95)],
            ['press → remote track, p50 ≤ 100 ms', Math.round(ct.p50), Math.round(jt.p50), TARGET_TRACK_P50_MS, verdict(ct.p50, TARGET_TRACK_P50_MS)],
          ],
        },
        {
          title: "Join: Chantier's timeline in the page, p50/p95 (ms from the page's start, and from the press: negative = done in the lobby before it)",
          columns: ['phase', 'joins', 'page p50', 'page p95', 'press p50', 'press p95'],
          rows: timelineRows,
        },
        {
          title: "Join: the server's phases (chantier_join_phase_seconds; p50/p95 estimated from its buckets; every join of the run)",
          columns: ['phase', 'count', 'p50', 'p95', 'mean'],
          rows: serverRows,
        },
        {
          headline: true,
          title: 'Join: Chantier / Janus (below 1: Chantier is faster)',
          columns: ['figure', 'ratio'],
          rows: [
            ['p50', c.p50 / j.p50],
            ['p95', c.p95 / j.p95],
          ],
        },
      ],
      notes: [
        `${samples.filter((s) => !s.warmUp).length} measured joins in ${seconds.toFixed(0)} s, alternating Chantier and Janus; ${WARM_UP} warm-up join each left out; each join bounded at ${JOIN_TIMEOUT_MS / 1000} s.`,
        `Remote video track made before the press (on the join screen; counted as 0 ms): Chantier ${measured('chantier').filter((s) => s.trackBeforePress).length} of ${ct.count}, Janus ${measured('janus').filter((s) => s.trackBeforePress).length} of ${jt.count}.`,
        `ICE path, Chantier: ${paths('chantier')}.`,
        `ICE path, Janus: ${paths('janus')}.`,
        `Both SFUs in namespace ${netns.name} at ${netns.nsIp}, Chromium in the root namespace (${netns.hostIp}); one Chromium, the fake 640x360 camera; Chantier with 1 mediasoup worker.`,
        `Machine busy during the joins: ${cpu.machine.toFixed(2)} cores of all processes, ${cpu.bench.toFixed(2)} of them this benchmark's own tree (Chromium, Chantier, Janus: ip netns exec execs them, so they are its children).`,
        ...(errors.length > 0 ? [`Failed joins: ${errors.join(' | ')}`] : []),
      ],
      data: { joins: JOINS, warmUp: WARM_UP, samples, summary: { chantier: c, janus: j, chantierTrack: ct, janusTrack: jt }, timeline: timelineRows, server: serverRows, cpu, netns: { name: netns.name, nsIp: netns.nsIp, hostIp: netns.hostIp } },
    };
  } finally {
    await browser?.close();
    await pageServer?.close();
    await chantier?.stop();
    await janus?.stop();
    await netns?.close();
  }
}
