/**
 * The fuzz test (issue 7): over 100,000 random and mutated messages
 * (test/fuzz/generator.ts) against the server running as its own OS process,
 * while two real Chromium pages hold a meeting with media through it.
 *
 * - Lanes of fuzz clients (test/fuzz/lane.ts): three members joined in the
 *   same meeting, one guest on the meeting's socket but not joined (in the
 *   lobby), two on a project page's socket, two anonymous, and one that
 *   floods past the per-socket rate limit. The server runs with raised
 *   per-socket and per-address limits so that the flood of valid-rate lanes
 *   is processed, not refused; the flood lane still meets the limit
 *   (RATE_LIMITED, then closed 1008), and the per-address chat limit keeps
 *   its default.
 * - Every reply must be a well-formed error with a known code, or a success
 *   matching the request's response schema; every notification its schema;
 *   every close a documented code; an open socket answers every frame.
 * - The process stays up and answers /healthz (probed every second, its
 *   slowest answer reported and bounded), logs no error, and its heap after
 *   a forced GC returns to the warm-up baseline (inspector protocol).
 * - A document is presented in the meeting with markup open to everyone, so
 *   that markup requests naming its presentation (the generator picks it
 *   from the context's ids) reach the markup handlers' checks and store.
 * - Both pages' inbound video frames and audio packets keep rising during
 *   the whole run, sampled in the page every 250 ms (no gap over 3 s).
 *
 * Seedable: FUZZ_SEED=<n> replays a run's frames (each lane's generator is
 * seeded from it); the seed is printed at the start and in the summary.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintAccessToken } from '../signaling/src/auth/tokens.js';
import { launchBrowser, type TestBrowser } from './browser.js';
import { TEST_JWT_SECRET } from './config.js';
import { audioRtpParameters, videoRtpParameters } from './fakeMedia.js';
import { CATEGORY_WEIGHTS, categories, type Category, type FuzzContext } from './fuzz/generator.js';
import { INSPECTOR_LINE, Inspector } from './fuzz/inspector.js';
import { FuzzLane, LaneStats, type LaneSpec } from './fuzz/lane.js';
import { randomSeed } from './fuzz/prng.js';
import { joinFromLobby } from './join.js';
import { joinMeeting, uploadDocument } from './meetingClient.js';
import { planPdf } from './pdf.js';
import { expectMediaRising } from './relayMeeting.js';
import { startServerProcess, type ServerProcess } from './serverProcess.js';
import type { TestClient } from './TestClient.js';

const SEED = process.env.FUZZ_SEED !== undefined && process.env.FUZZ_SEED !== '' ? Number(process.env.FUZZ_SEED) >>> 0 : randomSeed();
const TOTAL = 100_000;
/** Sent before the heap baseline: code compiled, caches and pools filled. */
const WARM_UP = 6_000;
/** Longest time without a new decoded frame or audio packet on a page during the run. */
const MAX_MEDIA_GAP_MS = 3_000;
/** Slowest /healthz answer allowed during the run (a stalled event loop fails it). */
const MAX_HEALTH_MS = 3_000;
/**
 * Heap growth allowed over the baseline, after a forced GC: 10 MB, i.e. a
 * leak of 100 bytes per message or 20 KB per socket opened would fail it.
 * Seen: +3 MB (a baseline near 39 MB).
 */
const HEAP_MARGIN_BYTES = 10 * 1024 * 1024;

/** The flood lane's mix: nothing but frames refused before any handler. */
const FLOOD_WEIGHTS = Object.fromEntries(
  categories.map((c) => [c, ['nonJson', 'binary', 'truncated', 'badEnvelope', 'response', 'notification'].includes(c) ? CATEGORY_WEIGHTS[c] : 0]),
) as Record<Category, number>;

const PROJECT = 'fuzz-project';
const ROOM = 'fuzz-room';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: ServerProcess;
let inspector: Inspector;
let chromium: TestBrowser;
const serverErrors: string[] = [];
let workerRaces = 0;
const stderrLines: string[] = [];
let inspectorUrl: string | undefined;

interface Attendee {
  page: Page;
  peerId: string;
  userId: string;
}
let pages: Attendee[] = [];
/** A member (not a fuzz lane) presenting a plan, markup open to all. */
let presenter: TestClient | undefined;
let presentationId = '';

async function attend(name: string): Promise<Attendee> {
  const context = await chromium.browser.createBrowserContext();
  const page = await context.newPage();
  const userId = `fuzz-attendee-${name}`;
  const token = await mintAccessToken({ userId, displayName: name, projectId: PROJECT, role: 'member' }, TEST_JWT_SECRET);
  await page.goto(`${server.url}/p/${PROJECT}/r/${ROOM}#token=${token}`);
  await joinFromLobby(page);
  const self = await page.waitForSelector('[data-testid="tile"][data-self="true"]', { timeout: 15_000 });
  const peerId = (await self!.evaluate((el) => el.getAttribute('data-peer-id')))!;
  return { page, peerId, userId };
}

/** In the page, every 250 ms: [time, video frames decoded, audio packets received] from `peerId`. */
async function startSampling(page: Page, peerId: string): Promise<void> {
  await page.evaluate((peerId) => {
    const w = window as unknown as {
      __fuzzSamples: [number, number, number][];
      __chantier: { getReceiveStats(): Promise<{ peerId: string; kind: string; framesDecoded?: number; packetsReceived?: number }[]> };
    };
    w.__fuzzSamples = [];
    setInterval(() => {
      void w.__chantier.getReceiveStats().then((stats) => {
        let frames = 0;
        let audio = 0;
        for (const s of stats) {
          if (s.peerId !== peerId) continue;
          if (s.kind === 'video') frames += s.framesDecoded ?? 0;
          else audio += s.packetsReceived ?? 0;
        }
        w.__fuzzSamples.push([Date.now(), frames, audio]);
      });
    }, 250);
  }, peerId);
}

/** Longest stretch in [from, to] without a rise of column `col` (1: frames, 2: audio). */
function longestGap(samples: [number, number, number][], col: 1 | 2, from: number, to: number): number {
  let lastRise = from;
  let gap = 0;
  let previous: number | undefined;
  for (const sample of samples) {
    const value = sample[col];
    if (previous !== undefined && value > previous && sample[0] >= from) {
      gap = Math.max(gap, Math.min(sample[0], to) - lastRise);
      lastRise = sample[0];
    }
    previous = value;
  }
  return Math.max(gap, to - lastRise);
}

let setupMs = 0;

beforeAll(async () => {
  const t0 = Date.now();
  process.stdout.write(`[fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED})\n`);
  server = await startServerProcess(
    {
      // Per socket: above what a paced lane sends (400/s at most); the flood
      // lane's bursts of 4,000 still overrun the bucket (1,200).
      WS_MESSAGES_PER_SECOND: '600',
      WS_CONNECTS_PER_MINUTE: '100000',
      WS_CONNECTIONS_PER_IP: '1000',
      JOINS_PER_MINUTE: '100000',
      // Sockets a lane drops come back at once; sessions left behind must not hold the heap.
      PEER_GRACE_MS: '1000',
      REDIS_KEY_PREFIX: `fuzz-${SEED}-${Date.now()}:`,
    },
    {
      nodeArgs: ['--inspect=127.0.0.1:0'],
      onStdout: (line) => {
        // pino: 50 error, 60 fatal.
        if (!/"level":(50|60)/.test(line)) return;
        // mediasoup's worker logs, as an error, a request on an object it has
        // just closed (a consumer's setPriority racing its producer's close);
        // our side expects the race and catches it (sfu/src/MediaPeer.ts).
        // Counted and reported, not a failure.
        if (/"component":"mediasoup"/.test(line) && /Channel request handler with ID [\w-]+ not found/.test(line)) {
          workerRaces++;
          return;
        }
        if (serverErrors.length < 50) serverErrors.push(line.slice(0, 600));
      },
      onStderr: (line) => {
        const match = INSPECTOR_LINE.exec(line);
        if (match) inspectorUrl = match[1];
        else if (!/^(For help, see|Debugger (attached|ending)|Waiting for the debugger)/.test(line) && line.trim() !== '') {
          stderrLines.push(line.slice(0, 500));
        }
      },
    },
  );
  for (let i = 0; i < 100 && !inspectorUrl; i++) await sleep(50);
  if (!inspectorUrl) throw new Error('the server printed no inspector address');
  inspector = await Inspector.connect(inspectorUrl);
  chromium = await launchBrowser();
  pages = [await attend('Ana'), await attend('Bo')];
  await expectMediaRising(pages[0]!.page, pages[1]!.peerId, 'Ana receives Bo');
  await expectMediaRising(pages[1]!.page, pages[0]!.peerId, 'Bo receives Ana');
  ({ presenter, presentationId } = await presentForMarkup());
  setupMs = Date.now() - t0;
}, 120_000);

/** A member uploads a plan, presents it and opens markup to everyone. */
async function presentForMarkup(): Promise<{ presenter: TestClient; presentationId: string }> {
  const token = await mintAccessToken({ userId: 'fuzz-presenter', displayName: 'Présentatrice', projectId: PROJECT, role: 'member' }, TEST_JWT_SECRET);
  const documentId = await uploadDocument(server.url, PROJECT, token, 'plan-fuzz.pdf', planPdf(1));
  const { c } = await joinMeeting(server.url, token, PROJECT, ROOM);
  const { presentation } = await c.request('presentStart', { documentId });
  await c.request('markupPolicy', { presentationId: presentation.presentationId, drawers: 'all' });
  return { presenter: c, presentationId: presentation.presentationId };
}

afterAll(async () => {
  presenter?.close();
  inspector?.close();
  await chromium?.close();
  await server?.kill();
});

describe('the signaling server under 100,000 fuzzed messages', () => {
  it('stays up, answers every frame with a coded error (or a valid success), returns to its heap baseline, and never interrupts the meeting', async () => {
    const started = Date.now();
    const token = (userId: string, role: 'member' | 'guest') =>
      mintAccessToken({ userId, displayName: userId, projectId: PROJECT, role }, TEST_JWT_SECRET);
    const tokens = await Promise.all([
      token('fuzz-joined-1', 'member'),
      token('fuzz-joined-2', 'member'),
      token('fuzz-joined-3', 'member'),
      // A guest on the meeting's socket: its knocks go to the lobby (GUEST_LOBBY on), its joins wait for an admission.
      token('fuzz-meeting', 'guest'),
      token('fuzz-project-1', 'member'),
      token('fuzz-project-2', 'guest'),
    ]);
    const ctx = (): FuzzContext => ({
      projectId: PROJECT,
      roomId: ROOM,
      tokens,
      ids: [...pages.map((p) => p.peerId), ...pages.map((p) => p.userId), 'fuzz-joined-1', 'fuzz-project-2', presentationId],
      mediaIds: [],
      captured: [],
      fixtures: {
        rtpParameters: audioRtpParameters(),
        dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:'.repeat(31) + 'AB' }] },
      },
    });
    // Each lane has its own generator, seeded from the run's seed.
    const laneSeed = (i: number) => (SEED ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0;
    const paced = { window: 32, ratePerSecond: 400 };
    const specs: LaneSpec[] = [
      { name: 'joined-1', kind: 'joined', quota: 13_000, token: tokens[0], ...paced, seed: laneSeed(0) },
      { name: 'joined-2', kind: 'joined', quota: 13_000, token: tokens[1], ...paced, seed: laneSeed(1) },
      { name: 'joined-3', kind: 'joined', quota: 13_000, token: tokens[2], ...paced, seed: laneSeed(2) },
      { name: 'meeting', kind: 'meeting', quota: 11_000, token: tokens[3], ...paced, seed: laneSeed(3) },
      { name: 'project-1', kind: 'project', quota: 11_000, token: tokens[4], ...paced, seed: laneSeed(4) },
      { name: 'project-2', kind: 'project', quota: 11_000, token: tokens[5], ...paced, seed: laneSeed(5) },
      { name: 'anonymous-1', kind: 'anonymous', quota: 10_000, ...paced, seed: laneSeed(6) },
      { name: 'anonymous-2', kind: 'anonymous', quota: 10_000, ...paced, seed: laneSeed(7) },
      // Frames the server refuses cheaply, so that a burst arrives faster than the bucket refills even on a slow run.
      { name: 'flood', kind: 'flood', quota: 8_000, burst: 4_000, ...paced, seed: laneSeed(8), weights: FLOOD_WEIGHTS },
    ];
    expect(specs.reduce((n, s) => n + s.quota, 0)).toBeGreaterThanOrEqual(TOTAL);
    const lanes = specs.map((spec) => {
      const lane = new FuzzLane(spec, server.url, ctx());
      // Real ORTC values for join/produce come from the lane's own hello; a video one now and then.
      if (spec.name === 'joined-2') lane.ctx.fixtures.rtpParameters = videoRtpParameters();
      return lane;
    });

    // Liveness: /healthz every second, in the background.
    const health = { probes: 0, failures: [] as string[], slowestMs: 0 };
    let probing = true;
    const prober = (async () => {
      while (probing) {
        const t0 = Date.now();
        try {
          const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(10_000) });
          if (!response.ok) health.failures.push(`HTTP ${response.status}`);
        } catch (error) {
          health.failures.push(String(error));
        }
        health.probes++;
        health.slowestMs = Math.max(health.slowestMs, Date.now() - t0);
        await sleep(1_000);
      }
    })();

    for (const p of pages) await startSampling(p.page, pages.find((o) => o !== p)!.peerId);
    const fuzzStart = Date.now();
    const deadline = fuzzStart + 150_000;

    // Warm-up, then the heap's baseline.
    await Promise.all(lanes.map((lane) => lane.run(Math.ceil((lane.spec.quota * WARM_UP) / TOTAL), deadline)));
    const baseline = await inspector.heapAfterGc();

    await Promise.all(lanes.map((lane) => lane.run(lane.spec.quota, deadline)));
    const fuzzEnd = Date.now();
    // Same state as at the baseline (the lanes' sockets open, answered), then collected.
    await sleep(1_500);
    const after = await inspector.heapAfterGc();
    for (const lane of lanes) await lane.close();
    await sleep(1_500);
    const afterClose = await inspector.heapAfterGc();
    probing = false;
    await prober;

    const total = new LaneStats();
    for (const lane of lanes) total.add(lane.stats);
    const samples = await Promise.all(
      pages.map((p) => p.page.evaluate(() => (window as unknown as { __fuzzSamples: [number, number, number][] }).__fuzzSamples)),
    );
    const gaps = samples.map((s) => ({ video: longestGap(s, 1, fuzzStart, fuzzEnd), audio: longestGap(s, 2, fuzzStart, fuzzEnd) }));
    const healthz = await fetch(`${server.url}/healthz`);
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    const sorted = <K>(m: Map<K, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${String(k)} ${v}`).join(', ');

    process.stdout.write(
      [
        `[fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED})`,
        `[fuzz] ${total.sent} frames (${mb(total.sentBytes)}) in ${((fuzzEnd - fuzzStart) / 1000).toFixed(1)} s over ${total.connections} sockets; set-up (server, browser, two joins, media) ${(setupMs / 1000).toFixed(1)} s, the test after it ${((Date.now() - started) / 1000).toFixed(1)} s`,
        `[fuzz] categories: ${sorted(total.categories)}`,
        `[fuzz] replies ${total.replies} (successes ${total.successes}), notifications ${total.notifications}, unanswered on sockets the server closed ${total.unansweredAtClose}`,
        `[fuzz] error codes: ${sorted(total.codes)}`,
        `[fuzz] closes by the server: ${sorted(total.closes)}`,
        `[fuzz] heap after GC: baseline ${mb(baseline)}, after the run ${mb(after)} (${after >= baseline ? '+' : ''}${mb(after - baseline)}), after closing the lanes ${mb(afterClose)}`,
        `[fuzz] /healthz: ${health.probes} probes, slowest ${health.slowestMs} ms, ${health.failures.length} failed`,
        `[fuzz] longest media gaps (ms): ${gaps.map((g, i) => `page ${i}: video ${g.video}, audio ${g.audio}`).join('; ')}`,
        `[fuzz] set-up failures ${total.setupFailures}, stalls ${total.stalls}, violations ${total.violations.length}, server error lines ${serverErrors.length} (+${workerRaces} worker request-on-closed-object lines), stderr lines ${stderrLines.length}`,
        ...total.violations.slice(0, 15).map((v) => `[fuzz]   violation: ${v}`),
        ...serverErrors.slice(0, 5).map((l) => `[fuzz]   server error: ${l}`),
        ...stderrLines.slice(0, 10).map((l) => `[fuzz]   stderr: ${l}`),
      ].join('\n') + '\n',
    );

    // The process is up and well.
    expect(server.child.exitCode).toBeNull();
    expect(healthz.status).toBe(200);
    expect(health.failures).toEqual([]);
    expect(health.slowestMs).toBeLessThan(MAX_HEALTH_MS);
    expect(serverErrors).toEqual([]);
    expect(stderrLines).toEqual([]);
    // All of it was sent, and answered as the protocol says.
    expect(total.sent).toBeGreaterThanOrEqual(TOTAL);
    expect(total.violations).toEqual([]);
    // The presenter's socket got the markup notifications the lanes caused: each matches its schema.
    expect(presenter!.violations).toEqual([]);
    expect(total.stalls).toBe(0);
    expect(total.codes.get('INTERNAL') ?? 0).toBe(0);
    // Every open socket answered each frame: only closed ones may leave some unanswered.
    expect(total.replies).toBeGreaterThanOrEqual(total.sent - total.unansweredAtClose);
    // The mix reached the server: refused by schema, by state, by rate; sockets closed for size and floods.
    for (const code of ['BAD_REQUEST', 'UNKNOWN_REQUEST', 'HELLO_REQUIRED', 'RATE_LIMITED', 'NOT_FOUND', 'FORBIDDEN']) {
      expect(total.codes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    expect(total.closes.get(1009) ?? 0).toBeGreaterThan(0);
    expect(total.closes.get(1008) ?? 0).toBeGreaterThan(0);
    // Memory came back.
    expect(after).toBeLessThanOrEqual(baseline + HEAP_MARGIN_BYTES);
    // The meeting went on.
    for (const [i, g] of gaps.entries()) {
      expect(samples[i]!.length, `page ${i} samples`).toBeGreaterThan(10);
      expect(g.video, `page ${i}: longest stretch without a decoded frame`).toBeLessThan(MAX_MEDIA_GAP_MS);
      expect(g.audio, `page ${i}: longest stretch without an audio packet`).toBeLessThan(MAX_MEDIA_GAP_MS);
    }
  }, 240_000);
});
