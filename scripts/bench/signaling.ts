/**
 * Signaling and chat at 1,000 WebSocket clients: how fast Chantier takes
 * connections (WebSocket + hello with a real access token), joins (a
 * meeting without media), and chat messages fanned out to every connected
 * member of the project, with the delivery latency; the server's memory per
 * connected client and the CPU of each process in each step.
 *
 * Set-up, each round afresh: Chantier as an OS process on loopback with its
 * own redis-server (lib/benchServer.ts), one mediasoup worker; the clients
 * live in GENERATORS child processes (lib/wsLoad.ts), so that neither shares
 * the server's event loop. The clients are meeting sockets: PROJECTS
 * projects of PROJECT_SIZE members, each project's members in meetings of
 * MEETING_SIZE (a room has a size limit; construction projects have many
 * small meetings). A chat message goes to every socket of its project on the
 * server (ProjectHub), the sender's own included.
 *
 * The server's per-address limits (WebSocket connects and sockets per IP,
 * joins and chat per IP, messages per socket, chat per connection) are
 * raised by env for this server only: every client comes from 127.0.0.1, and
 * the limits are not what is measured. Bounded: ROUNDS rounds of a few
 * seconds per step, every wait with a deadline. Prints figures, asserts nothing.
 */
import { SERVER_NODE_FLAGS } from '../../signaling/src/nodeFlags.js';
import { rssBytes, startBenchServer, type BenchServer } from './lib/benchServer.js';
import { describeHeap, heapReading } from './lib/heapReading.js';
import { createVideoRoom, startJanus } from './lib/janus.js';
import { Generator, step, type CpuShare, type Target } from './lib/loadGenerators.js';
import { serverLoopFigures, worstLoop } from './lib/loopFigures.js';
import { createBenchNetns } from './lib/netns.js';
import { percentiles } from './lib/quantiles.js';
import type { ChatReport, LoadClientSpec, LoadCommand, StepReport, Traffic } from './lib/wsLoadProtocol.js';
import { sleep } from './stats.js';
import type { BenchResult } from './types.js';
import { serverCpuMsPerOp, tables, type ChantierRound, type ChatFigures, type Round, type StepFigures } from './lib/signalingReport.js';
import { CHAT_IN_FLIGHT, CLIENTS, GENERATORS, IDLE_MS, MEETING_SIZE, PACED_SHARE, PROJECT_SIZE } from './lib/signalingShape.js';

export const name = 'signaling';
export const description = 'connects+hello, joins and chat fan-out (with delivery latency) at 1,000 WebSocket clients; server memory per client';

const METRICS_TOKEN = 'signaling-bench-metrics-token-0123456789';
/** Requests outstanding per generator while connecting and joining. */
const CONCURRENCY = 50;
const CHAT_MS = 5_000;
const SETTLE_MS = 1_000;

/** Raised for this benchmark's own server only (see the header). */
const SERVER_ENV: Record<string, string> = {
  MEDIASOUP_WORKERS: '1',
  WS_CONNECTIONS_PER_IP: '100000',
  WS_CONNECTS_PER_MINUTE: '1000000',
  JOINS_PER_MINUTE: '1000000',
  CHAT_MESSAGES_PER_MINUTE_PER_IP: '1000000',
  CHAT_MESSAGES_PER_MINUTE: '10000',
  WS_MESSAGES_PER_SECOND: '10000',
  HTTP_REQUESTS_PER_MINUTE: '1000000',
  // Its event loop and GC are read from /metrics around each chat step.
  METRICS_TOKEN: METRICS_TOKEN,
};

/**
 * Knobs for looking into the server, not for the figures to quote:
 * SIGNALING_ROUNDS (default 2); SIGNALING_JANUS=0 skips the Janus rounds;
 * SIGNALING_NODE_FLAGS="--flag …" runs more Chantier rounds with those
 * Node/V8 flags in place of the production ones (signaling/src/nodeFlags.ts),
 * printed beside them (e.g. the young generation's size against the chat's
 * tail); SIGNALING_EXTRA_NODE_FLAGS are added to every server's (e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof": a CPU profile of each, written at its exit).
 */
const ROUNDS = Number(process.env.SIGNALING_ROUNDS ?? 2);
const WITH_JANUS = process.env.SIGNALING_JANUS !== '0';
const flagList = (text: string | undefined): string[] | undefined => text?.trim().split(/\s+/).filter(Boolean);
const COMPARED_FLAGS = flagList(process.env.SIGNALING_NODE_FLAGS);
const EXTRA_FLAGS = flagList(process.env.SIGNALING_EXTRA_NODE_FLAGS) ?? [];
/**
 * SIGNALING_WARMUPS=N: N connect + hello steps of the same clients before the
 * idle reading (each closed gently, and the server's sessions seen ended),
 * printed, not counted: the measured step then meets a server that has run
 * the hello before (its code compiled, its heap grown), as a server in use
 * has, rather than one just started. The memory figures then start from that
 * server's idle state.
 */
const WARMUPS = Number(process.env.SIGNALING_WARMUPS ?? 0);


/** Janus VideoRoom room of meeting number `n` (all projects' meetings numbered in order). */
const janusRoom = (n: number): number => 1000 + n;

async function clientSpecs(token: (userId: string, projectId: string) => Promise<string>): Promise<LoadClientSpec[]> {
  return Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const project = Math.floor(i / PROJECT_SIZE);
      const meeting = Math.floor((i % PROJECT_SIZE) / MEETING_SIZE);
      const projectId = `bench-p${project}`;
      const userId = `bench-user-${i}`;
      return {
        userId,
        displayName: `Bench ${i}`,
        projectId,
        roomId: `meeting-${meeting}`,
        token: await token(userId, projectId),
        janusRoom: janusRoom(Math.floor(i / MEETING_SIZE)),
      };
    }),
  );
}

function mergeErrors(reports: ReadonlyArray<{ errors: Record<string, number> }>): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const r of reports) for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  return errors;
}

function stepFigures(result: { reports: StepReport[]; wallMs: number; cpu: CpuShare }): StepFigures {
  const ok = result.reports.reduce((n, r) => n + r.ok, 0);
  return {
    ok,
    failed: result.reports.reduce((n, r) => n + r.failed, 0),
    errors: mergeErrors(result.reports),
    wallMs: result.wallMs,
    perSecond: ok / (result.wallMs / 1000),
    latency: percentiles(result.reports.map((r) => r.latenciesMs)),
    cpu: result.cpu,
    generatorCpuMsPerOp: ok > 0 ? (result.reports.reduce((n, r) => n + r.cpuSeconds, 0) * 1000) / ok : Number.NaN,
    received: { frames: 0, bytes: 0, notifications: {}, notificationBytes: {} },
  };
}

/** After a step has settled: what its clients received, all generators together. */
async function takeTraffic(generators: readonly Generator[]): Promise<Traffic> {
  const parts = await Promise.all(generators.map(async (g) => (await g.send({ type: 'traffic' }, 'traffic')).received));
  const total: Traffic = { frames: 0, bytes: 0, notifications: {}, notificationBytes: {} };
  for (const part of parts) {
    total.frames += part.frames;
    total.bytes += part.bytes;
    for (const [type, n] of Object.entries(part.notifications)) total.notifications[type] = (total.notifications[type] ?? 0) + n;
    for (const [type, n] of Object.entries(part.notificationBytes ?? {})) total.notificationBytes[type] = (total.notificationBytes[type] ?? 0) + n;
  }
  return total;
}

async function scrapeMetrics(server: BenchServer): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!response.ok) throw new Error(`GET /metrics: ${response.status}`);
  return response.text();
}

/** Waits (up to 40 s: a cut socket's session waits out its grace period) until the server holds no session. */
async function sessionsEnded(server: BenchServer, log: (text: string) => void): Promise<void> {
  const started = Date.now();
  let held = Number.NaN;
  while (Date.now() - started < 40_000) {
    const text = await scrapeMetrics(server);
    held = [...text.matchAll(/^chantier_ws_sessions\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    if (held === 0) return;
    await sleep(200);
  }
  log(`warm-up: ${held} sessions still held after 40 s`);
}

async function chatStep(
  server: BenchServer,
  generators: readonly Generator[],
  mode: 'closed' | 'paced',
  perSecond: number,
): Promise<ChatFigures> {
  const command: LoadCommand = {
    type: 'chat',
    mode,
    durationMs: CHAT_MS,
    inFlight: mode === 'closed' ? CHAT_IN_FLIGHT : 500,
    perSecond: Math.max(1, perSecond / generators.length),
    quietMs: 1_000,
    maxDrainMs: 15_000,
  };
  // This scrape also resets the server's event-loop delay histogram (prom-client's, read at each scrape).
  const metricsBefore = await scrapeMetrics(server);
  const result = await step(server, generators, async (g) => (await g.send(command, 'chatted')).report);
  const serverLoop = serverLoopFigures(metricsBefore, await scrapeMetrics(server));
  const reports: ChatReport[] = result.reports;
  const figures = stepFigures(result);
  // The send window (first send to last answer), not the drain after it.
  const sendWindowMs = Math.max(...reports.map((r) => r.sendWindowMs).filter(Number.isFinite), 1);
  const delivered = reports.reduce((n, r) => n + r.delivered, 0);
  return {
    ...figures,
    perSecond: figures.ok / (sendWindowMs / 1000),
    mode,
    targetPerSecond: mode === 'paced' ? perSecond : Number.NaN,
    skipped: reports.reduce((n, r) => n + r.skipped, 0),
    delivered,
    deliveredShare: figures.ok > 0 ? delivered / (figures.ok * PROJECT_SIZE) : Number.NaN,
    deliveriesPerSecond: delivered / (sendWindowMs / 1000),
    delivery: percentiles(reports.map((r) => r.deliveryLatenciesMs)),
    serverLoop,
    generatorLoop: worstLoop(reports.map((r) => r.loop)),
  };
}

async function chantierRound(generators: readonly Generator[], log: (text: string) => void, nodeFlags?: string[]): Promise<ChantierRound> {
  const server = await startBenchServer(SERVER_ENV, [...(nodeFlags ?? SERVER_NODE_FLAGS), ...EXTRA_FLAGS]);
  try {
    const specs = await clientSpecs((userId, projectId) => server.token({ userId, projectId }));
    const init = (): Promise<unknown> =>
      Promise.all(
        generators.map((g, gi) => g.send({ type: 'init', url: server.url, clients: specs.filter((_, i) => i % GENERATORS === gi) }, 'ready')),
      );
    await init();
    for (let w = 0; w < WARMUPS; w++) {
      const warm = stepFigures(
        await step(server, generators, async (g) => (await g.send({ type: 'connect', concurrency: CONCURRENCY }, 'connected')).report),
      );
      log(`warm-up ${w + 1}: ${warm.ok} connected (${warm.perSecond.toFixed(0)}/s, server ${warm.cpu.serverNode.toFixed(0)} % of a core, ${serverCpuMsPerOp(warm).toFixed(2)} ms/hello, generators ${warm.generatorCpuMsPerOp.toFixed(2)} ms/hello, p50 ${warm.latency.p50.toFixed(0)} ms)`);
      await Promise.all(generators.map((g) => g.send({ type: 'close', gently: true }, 'closed')));
      await sessionsEnded(server, log);
      await init();
    }
    await sleep(SETTLE_MS);
    const worker = (): number => server.workerPids().reduce((sum, pid) => sum + rssBytes(pid), 0);
    const atStart = rssBytes(server.pid);
    await sleep(IDLE_MS);
    const heapBefore = heapReading(await scrapeMetrics(server));
    const before = rssBytes(server.pid);
    const workerBefore = worker();
    log(`RSS 1 s after start ${(atStart / 1024 / 1024).toFixed(1)} MB, idle ${IDLE_MS / 1000} s later ${(before / 1024 / 1024).toFixed(1)} MB; heap (committed/used MB) ${describeHeap(heapBefore)}`);

    const connect = stepFigures(
      await step(server, generators, async (g) => (await g.send({ type: 'connect', concurrency: CONCURRENCY }, 'connected')).report),
    );
    log(`${connect.ok} connected (${connect.perSecond.toFixed(0)}/s, server ${connect.cpu.serverNode.toFixed(0)} % of a core, ${serverCpuMsPerOp(connect).toFixed(2)} ms/hello, generators ${connect.generatorCpuMsPerOp.toFixed(2)} ms/hello, p50 ${connect.latency.p50.toFixed(0)} ms)`);
    await sleep(SETTLE_MS);
    connect.received = await takeTraffic(generators);
    const afterHello = rssBytes(server.pid);
    const heapAfterHello = heapReading(await scrapeMetrics(server));

    const joined = stepFigures(
      await step(server, generators, async (g) => (await g.send({ type: 'join', concurrency: CONCURRENCY }, 'joined')).report),
    );
    log(`${joined.ok} joined (${joined.perSecond.toFixed(0)}/s)`);
    await sleep(SETTLE_MS);
    joined.received = await takeTraffic(generators);
    const afterJoin = rssBytes(server.pid);
    const workerAfterJoin = worker();
    const heapAfterJoin = heapReading(await scrapeMetrics(server));
    log(`after join: RSS ${(afterJoin / 1024 / 1024).toFixed(1)} MB; heap ${describeHeap(heapAfterJoin)}`);

    const chatClosed = await chatStep(server, generators, 'closed', 0);
    log(`chat ${chatClosed.perSecond.toFixed(0)} messages/s, ${chatClosed.deliveriesPerSecond.toFixed(0)} deliveries/s`);
    await sleep(SETTLE_MS);
    chatClosed.received = await takeTraffic(generators);
    const chatPaced = await chatStep(server, generators, 'paced', Math.max(1, Math.round(chatClosed.perSecond * PACED_SHARE)));
    await sleep(SETTLE_MS);
    chatPaced.received = await takeTraffic(generators);
    const loop = chatPaced.serverLoop;
    log(
      `paced chat ${chatPaced.perSecond.toFixed(0)} messages/s, p99 delivery ${chatPaced.delivery.p99.toFixed(1)} ms; server loop delay ` +
        `p99 ${loop.delayP99Ms.toFixed(1)} max ${loop.delayMaxMs.toFixed(1)} ms, GC ${loop.gcCount} pauses ${loop.gcMs.toFixed(0)} ms (${loop.gcOver10Ms} over 10 ms)`,
    );
    await Promise.all(generators.map((g) => g.send({ type: 'close' }, 'closed')));
    return {
      connect,
      join: joined,
      chatClosed,
      chatPaced,
      memory: { atStart, before, afterHello, afterJoin, workerBefore, workerAfterJoin },
      heap: { before: heapBefore, afterHello: heapAfterHello, afterJoin: heapAfterJoin },
    };
  } finally {
    await server.stop();
  }
}

/**
 * The same clients and meetings on Janus VideoRoom (Debian's janus, in the
 * benchmark namespace of lib/netns.ts, as lib/janus.ts runs it): one
 * WebSocket, session and VideoRoom handle per client, then a publisher join
 * without media in its meeting's room.
 */
async function janusRound(generators: readonly Generator[], log: (text: string) => void): Promise<Round['janus']> {
  const netns = await createBenchNetns();
  try {
    const janus = await startJanus(netns);
    try {
      const meetings = CLIENTS / MEETING_SIZE;
      for (let n = 0; n < meetings; n += 10) {
        await Promise.all(
          Array.from({ length: Math.min(10, meetings - n) }, (_, k) =>
            createVideoRoom(janus.httpUrl, { room: janusRoom(n + k), publishers: MEETING_SIZE, description: `bench meeting ${n + k}` }),
          ),
        );
      }
      const target: Target = { pid: janus.pid, workerPids: () => [], redisPid: -1 };
      await sleep(SETTLE_MS);
      const connect = stepFigures(
        await step(target, generators, async (g) =>
          (await g.send({ type: 'janusConnect', wsUrl: janus.wsUrl, concurrency: CONCURRENCY }, 'janusConnected')).report,
        ),
      );
      log(`janus: ${connect.ok} sessions attached (${connect.perSecond.toFixed(0)}/s)`);
      await sleep(SETTLE_MS);
      const join = stepFigures(
        await step(target, generators, async (g) => (await g.send({ type: 'janusJoin', concurrency: CONCURRENCY }, 'janusJoined')).report),
      );
      log(`janus: ${join.ok} joined (${join.perSecond.toFixed(0)}/s)`);
      await Promise.all(generators.map((g) => g.send({ type: 'close' }, 'closed')));
      return { connect, join };
    } finally {
      await janus.stop();
    }
  } finally {
    await netns.close();
  }
}

async function round(index: number): Promise<Round> {
  const generators: Generator[] = [];
  const log = (text: string): void => void process.stderr.write(`[bench] signaling round ${index + 1}/${ROUNDS}: ${text}\n`);
  try {
    for (let g = 0; g < GENERATORS; g++) generators.push(new Generator());
    const chantier = await chantierRound(generators, log);
    const compared = COMPARED_FLAGS ? { compared: await chantierRound(generators, (t) => log(`[${COMPARED_FLAGS.join(' ')}] ${t}`), COMPARED_FLAGS) } : {};
    if (!WITH_JANUS) return { ...chantier, ...compared, janus: null, janusError: 'SIGNALING_JANUS=0' };
    try {
      return { ...chantier, ...compared, janus: await janusRound(generators, log) };
    } catch (error) {
      log(`janus not measured: ${String(error)}`);
      return { ...chantier, ...compared, janus: null, janusError: error instanceof Error ? error.message : String(error) };
    }
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
  }
}

export async function run(): Promise<BenchResult> {
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(i));
  const errors = mergeErrors(rounds.flatMap((r) => [r.connect, r.join, r.chatClosed, r.chatPaced]));
  return {
    tables: tables(rounds, COMPARED_FLAGS),
    notes: [
      `each round: a fresh server (one Node process, MEDIASOUP_WORKERS=1, LOG_LEVEL=warn) and its own redis-server on loopback; ` +
        `${CLIENTS} meeting sockets in ${GENERATORS} load generator processes; ${CONCURRENCY} requests outstanding per generator while connecting and joining`,
      'connect + hello: from opening the WebSocket to the hello answer (token checked, room attached, presence recorded and published); ' +
        'join: the join request of a meeting socket, without media (the room serialises joins; presence goes to the whole project)',
      `chat: ${CHAT_MS / 1000} s of chatSend round-robin over the clients; "most it takes" keeps ${CHAT_IN_FLIGHT} messages outstanding per generator; ` +
        'latency = receipt time minus the send time written in the text (one machine, one clock), the sender\'s own socket included',
      'CPU: % of one core over the step (2 cores: the machine has 200 %); server = the Node process, sfu worker = its mediasoup worker; ' +
        '"other" = what the rest of the machine used meanwhile (high: a disturbed run)',
      `memory: RSS (not heap) ${SETTLE_MS / 1000} s after each step, so garbage not yet collected counts; per client = growth / clients from the idle reading, ` +
        `taken ${IDLE_MS / 1000} s after start-up (V8's memory reducer frees start-up's garbage in idle time; the reading 1 s after start is printed beside it)`,
      `Node flags of the server: ${[...SERVER_NODE_FLAGS, ...EXTRA_FLAGS].join(' ') || 'none'} (signaling/src/nodeFlags.ts)` +
        (COMPARED_FLAGS ? `; compared rounds: ${[...COMPARED_FLAGS, ...EXTRA_FLAGS].join(' ')}` : ''),
      'event loop: the server\'s from its /metrics (prom-client\'s monitorEventLoopDelay, 10-ms timer, reset by the scrape before each chat step; ' +
        'GC: chantier_gc_pause_seconds), the generators\' measured in each; delay = how late the 10-ms timer ran, over the step and its drain',
      `per-address limits raised by env for this server only (every client is 127.0.0.1): ${Object.entries(SERVER_ENV)
        .filter(([k]) => /PER_|_PER/.test(k))
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
      'Janus (lib/janus.ts: Debian janus 1.1.2, VideoRoom, WebSocket transport, in the benchmark namespace, clients across its veth pair; ' +
        'Chantier on loopback): the same clients in separate steps after Chantier\'s; Janus checks no token, keeps no presence, ' +
        'and tells no one of a join without media (notify_joining off), so its join does less than Chantier\'s (peerJoined to the meeting, presence to the project, meeting record)',
      'CPU ms/op: the server side\'s CPU time over the step divided by the operations done (Chantier: Node + mediasoup worker + Redis; Janus: its process)',
      ...rounds.flatMap((r, i) => (r.janusError ? [`round ${i + 1}: Janus not measured: ${r.janusError.split('\n')[0]}`] : [])),
      ...(Object.keys(errors).length > 0 ? [`errors: ${Object.entries(errors).map(([code, n]) => `${code} ×${n}`).join(', ')}`] : []),
    ],
    data: { clients: CLIENTS, projectSize: PROJECT_SIZE, meetingSize: MEETING_SIZE, generators: GENERATORS, serverEnv: SERVER_ENV, rounds },
  };
}
