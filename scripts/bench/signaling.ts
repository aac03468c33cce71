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
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineBusySeconds, treeCpuSeconds } from './cpu.js';
import { rssBytes, startBenchServer } from './lib/benchServer.js';
import { createVideoRoom, startJanus } from './lib/janus.js';
import { createBenchNetns } from './lib/netns.js';
import { percentiles, type Percentiles } from './lib/quantiles.js';
import type { ChatReport, LoadClientSpec, LoadCommand, LoadReply, StepReport, Traffic } from './lib/wsLoadProtocol.js';
import { sleep, spread, withTimeout, type Spread } from './stats.js';
import type { BenchResult, Table } from './types.js';

export const name = 'signaling';
export const description = 'connects+hello, joins and chat fan-out (with delivery latency) at 1,000 WebSocket clients; server memory per client';

const here = dirname(fileURLToPath(import.meta.url));

const CLIENTS = 1000;
const PROJECT_SIZE = 50;
const MEETING_SIZE = 10;
const GENERATORS = 2;
const ROUNDS = 2;
/** Requests outstanding per generator while connecting and joining. */
const CONCURRENCY = 50;
/** Closed loop: chat messages outstanding per generator. */
const CHAT_IN_FLIGHT = 16;
const CHAT_MS = 5_000;
/** The paced step sends this share of what the closed loop reached. */
const PACED_SHARE = 0.5;
const SETTLE_MS = 1_000;
const STEP_TIMEOUT_MS = 90_000;

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
};

/** CPU seconds so far of each party. */
interface CpuSample {
  at: number;
  serverNode: number;
  worker: number;
  redis: number;
  generators: number;
  machine: number;
}

interface CpuShare {
  /** % of one core over the step. */
  serverNode: number;
  worker: number;
  redis: number;
  generators: number;
  /** The whole machine (2 cores: up to 200 %). */
  machine: number;
  /** What the machine used apart from the benchmark's processes. */
  other: number;
}

interface StepFigures {
  ok: number;
  failed: number;
  errors: Record<string, number>;
  wallMs: number;
  perSecond: number;
  latency: Percentiles;
  cpu: CpuShare;
  /** What the server sent the clients over the step and the settling after it. */
  received: Traffic;
}

interface ChatFigures extends StepFigures {
  mode: 'closed' | 'paced';
  targetPerSecond: number;
  skipped: number;
  delivered: number;
  /** delivered / (acknowledged × PROJECT_SIZE): 1 when every member got every message. */
  deliveredShare: number;
  deliveriesPerSecond: number;
  delivery: Percentiles;
}

interface Round {
  connect: StepFigures;
  join: StepFigures;
  chatClosed: ChatFigures;
  chatPaced: ChatFigures;
  memory: { before: number; afterHello: number; afterJoin: number; workerBefore: number; workerAfterJoin: number };
  /** The same clients on Janus VideoRoom (null: not measured, see `janusError`). */
  janus: { connect: StepFigures; join: StepFigures } | null;
  janusError?: string;
}

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

/** A generator process and a way to send it one command and wait for its answer. */
class Generator {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #waiting: ((reply: LoadReply) => void) | null = null;

  constructor() {
    this.#child = fork(join(here, 'lib', 'wsLoad.ts'), [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (message) => {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.(message as LoadReply);
    });
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
    void this.#exited.then(() => this.#waiting?.({ type: 'failed', error: 'the load generator exited' }));
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  async send<T extends LoadReply['type']>(command: LoadCommand, expected: T): Promise<Extract<LoadReply, { type: T }>> {
    const reply = await withTimeout(
      new Promise<LoadReply>((resolve) => {
        this.#waiting = resolve;
        this.#child.send(command);
      }),
      STEP_TIMEOUT_MS,
      `load generator ${command.type}`,
    );
    if (reply.type === 'failed') throw new Error(`load generator: ${reply.error}`);
    if (reply.type !== expected) throw new Error(`load generator answered ${reply.type} to ${command.type}`);
    return reply as Extract<LoadReply, { type: T }>;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGTERM');
    await withTimeout(this.#exited, 10_000, 'load generator exit').catch(() => this.#child.kill('SIGKILL'));
  }
}

/** The processes whose CPU a step reads: Chantier's Node, its workers and Redis; or Janus alone. */
interface Target {
  pid: number;
  workerPids(): number[];
  redisPid: number;
}

function cpuSample(target: Target, generators: readonly Generator[]): CpuSample {
  const workers = target.workerPids().reduce((sum, pid) => sum + treeCpuSeconds(pid), 0);
  return {
    at: Date.now(),
    serverNode: treeCpuSeconds(target.pid) - workers,
    worker: workers,
    redis: target.redisPid > 0 ? treeCpuSeconds(target.redisPid) : 0,
    generators: generators.reduce((sum, g) => sum + treeCpuSeconds(g.pid), 0),
    machine: machineBusySeconds(),
  };
}

function cpuShare(a: CpuSample, b: CpuSample): CpuShare {
  const seconds = (b.at - a.at) / 1000;
  const pct = (pick: (s: CpuSample) => number): number => ((pick(b) - pick(a)) / seconds) * 100;
  const ours = pct((s) => s.serverNode) + pct((s) => s.worker) + pct((s) => s.redis) + pct((s) => s.generators);
  return {
    serverNode: pct((s) => s.serverNode),
    worker: pct((s) => s.worker),
    redis: pct((s) => s.redis),
    generators: pct((s) => s.generators),
    machine: pct((s) => s.machine),
    other: pct((s) => s.machine) - ours,
  };
}

function mergeErrors(reports: ReadonlyArray<{ errors: Record<string, number> }>): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const r of reports) for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  return errors;
}

/** One step on every generator at once; the CPU of each party over the step. */
async function step<T extends StepReport>(
  server: Target,
  generators: readonly Generator[],
  run: (g: Generator) => Promise<T>,
): Promise<{ reports: T[]; wallMs: number; cpu: CpuShare }> {
  const before = cpuSample(server, generators);
  const reports = await Promise.all(generators.map(run));
  const after = cpuSample(server, generators);
  return { reports, wallMs: after.at - before.at, cpu: cpuShare(before, after) };
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

async function chatStep(
  server: Target,
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
  const result = await step(server, generators, async (g) => (await g.send(command, 'chatted')).report);
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
  };
}

async function chantierRound(generators: readonly Generator[], log: (text: string) => void): Promise<Omit<Round, 'janus'>> {
  const server = await startBenchServer(SERVER_ENV);
  try {
    const specs = await clientSpecs((userId, projectId) => server.token({ userId, projectId }));
    await Promise.all(
      generators.map((g, gi) => g.send({ type: 'init', url: server.url, clients: specs.filter((_, i) => i % GENERATORS === gi) }, 'ready')),
    );
    await sleep(SETTLE_MS);
    const worker = (): number => server.workerPids().reduce((sum, pid) => sum + rssBytes(pid), 0);
    const before = rssBytes(server.pid);
    const workerBefore = worker();

    const connect = stepFigures(
      await step(server, generators, async (g) => (await g.send({ type: 'connect', concurrency: CONCURRENCY }, 'connected')).report),
    );
    log(`${connect.ok} connected (${connect.perSecond.toFixed(0)}/s)`);
    await sleep(SETTLE_MS);
    connect.received = await takeTraffic(generators);
    const afterHello = rssBytes(server.pid);

    const joined = stepFigures(
      await step(server, generators, async (g) => (await g.send({ type: 'join', concurrency: CONCURRENCY }, 'joined')).report),
    );
    log(`${joined.ok} joined (${joined.perSecond.toFixed(0)}/s)`);
    await sleep(SETTLE_MS);
    joined.received = await takeTraffic(generators);
    const afterJoin = rssBytes(server.pid);
    const workerAfterJoin = worker();

    const chatClosed = await chatStep(server, generators, 'closed', 0);
    log(`chat ${chatClosed.perSecond.toFixed(0)} messages/s, ${chatClosed.deliveriesPerSecond.toFixed(0)} deliveries/s`);
    await sleep(SETTLE_MS);
    chatClosed.received = await takeTraffic(generators);
    const chatPaced = await chatStep(server, generators, 'paced', Math.max(1, Math.round(chatClosed.perSecond * PACED_SHARE)));
    await sleep(SETTLE_MS);
    chatPaced.received = await takeTraffic(generators);
    log(`paced chat ${chatPaced.perSecond.toFixed(0)} messages/s, p99 delivery ${chatPaced.delivery.p99.toFixed(1)} ms`);
    await Promise.all(generators.map((g) => g.send({ type: 'close' }, 'closed')));
    return {
      connect,
      join: joined,
      chatClosed,
      chatPaced,
      memory: { before, afterHello, afterJoin, workerBefore, workerAfterJoin },
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
    try {
      return { ...chantier, janus: await janusRound(generators, log) };
    } catch (error) {
      log(`janus not measured: ${String(error)}`);
      return { ...chantier, janus: null, janusError: error instanceof Error ? error.message : String(error) };
    }
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
  }
}

/** "median (min–max)" of one figure over the rounds. */
function ranged(s: Spread, digits = 0): string {
  if (s.count === 0) return '—';
  const f = (v: number): string => v.toFixed(digits);
  return s.count === 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

function stepRows(label: string, steps: readonly StepFigures[]): Array<Array<string | number>> {
  const of = (pick: (s: StepFigures) => number): Spread => spread(steps.map(pick));
  return [
    [
      label,
      ranged(of((s) => s.perSecond)),
      of((s) => s.latency.p50).median,
      of((s) => s.latency.p95).median,
      of((s) => s.latency.p99).median,
      `${steps.reduce((n, s) => n + s.failed, 0)}/${steps.reduce((n, s) => n + s.ok + s.failed, 0)}`,
      ranged(of((s) => s.cpu.serverNode)),
      of((s) => s.cpu.worker).median,
      of((s) => s.cpu.redis).median,
      of((s) => s.cpu.generators).median,
      of((s) => s.cpu.other).median,
    ],
  ];
}

function tables(rounds: readonly Round[]): Table[] {
  const pick = <T>(f: (r: Round) => T): T[] => rounds.map(f);
  const chat = (label: string, steps: readonly ChatFigures[]): Array<string | number> => {
    const of = (f: (s: ChatFigures) => number): Spread => spread(steps.map(f));
    return [
      label,
      ranged(of((s) => s.perSecond)),
      ranged(of((s) => s.deliveriesPerSecond)),
      of((s) => s.deliveredShare).median,
      of((s) => s.latency.p50).median,
      ranged(of((s) => s.delivery.p50), 1),
      ranged(of((s) => s.delivery.p95), 1),
      ranged(of((s) => s.delivery.p99), 1),
      `${steps.reduce((n, s) => n + s.failed + s.skipped, 0)}/${steps.reduce((n, s) => n + s.ok + s.failed + s.skipped, 0)}`,
      ranged(of((s) => s.cpu.serverNode)),
      of((s) => s.cpu.redis).median,
      of((s) => s.cpu.generators).median,
      of((s) => s.cpu.other).median,
    ];
  };
  const janus = rounds.filter((r) => r.janus !== null) as Array<Round & { janus: NonNullable<Round['janus']> }>;
  /** CPU ms per operation of the server side (Chantier: Node + worker + Redis; Janus: its process). */
  const cpuMsPerOp = (s: StepFigures): number =>
    s.ok > 0 ? (((s.cpu.serverNode + s.cpu.worker + s.cpu.redis) / 100) * s.wallMs) / s.ok : Number.NaN;
  const versus = (label: string, ours: readonly StepFigures[], theirs: readonly StepFigures[]): Array<string | number> => {
    const med = (steps: readonly StepFigures[], f: (s: StepFigures) => number): number => spread(steps.map(f)).median;
    return [
      label,
      ranged(spread(ours.map((s) => s.perSecond))),
      ranged(spread(theirs.map((s) => s.perSecond))),
      med(ours, (s) => s.perSecond) / med(theirs, (s) => s.perSecond),
      med(ours, (s) => s.latency.p50),
      med(theirs, (s) => s.latency.p50),
      med(ours, (s) => s.latency.p99),
      med(theirs, (s) => s.latency.p99),
      med(ours, cpuMsPerOp),
      med(theirs, cpuMsPerOp),
      `${theirs.reduce((n, s) => n + s.failed, 0)}/${theirs.reduce((n, s) => n + s.ok + s.failed, 0)}`,
    ];
  };
  const comparison: Table[] =
    janus.length === 0
      ? []
      : [
          {
            headline: true,
            title: `Chantier against Janus VideoRoom, the same ${CLIENTS} clients and meetings of ${MEETING_SIZE} (median of ${janus.length} rounds, (min–max))`,
            columns: ['step', 'Chantier /s', 'Janus /s', 'Chantier/Janus ×', 'C p50 ms', 'J p50 ms', 'C p99 ms', 'J p99 ms', 'C CPU ms/op', 'J CPU ms/op', 'Janus failed'],
            rows: [
              versus('connect (C: + hello; J: + create + attach)', janus.map((r) => r.connect), janus.map((r) => r.janus.connect)),
              versus('join without media (J: publisher)', janus.map((r) => r.join), janus.map((r) => r.janus.join)),
            ],
          },
        ];
  const kb = (bytes: number): number => bytes / 1024;
  const mb = (bytes: number): number => bytes / 1024 / 1024;
  const mem = (f: (m: Round['memory']) => number, digits: number): string => ranged(spread(pick((r) => f(r.memory))), digits);
  return [
    targetsTable(rounds),
    {
      title: `Connections and joins: ${CLIENTS} clients, ${CLIENTS / PROJECT_SIZE} projects of ${PROJECT_SIZE}, meetings of ${MEETING_SIZE} (median of ${rounds.length} rounds, (min–max))`,
      columns: ['step', 'per second', 'p50 ms', 'p95 ms', 'p99 ms', 'failed', 'server CPU %', 'sfu worker %', 'redis %', 'generators %', 'other %'],
      rows: [
        ...stepRows('WebSocket connect + hello', pick((r) => r.connect)),
        ...stepRows('join (no media)', pick((r) => r.join)),
      ],
    },
    {
      headline: true,
      title: `Chat: each message to every connected member of its project (${PROJECT_SIZE} sockets)`,
      columns: ['load', 'messages/s', 'deliveries/s', 'delivered share', 'ack p50 ms', 'delivery p50 ms', 'p95 ms', 'p99 ms', 'failed', 'server CPU %', 'redis %', 'generators %', 'other %'],
      rows: [
        chat(`most it takes (${CHAT_IN_FLIGHT * GENERATORS} in flight)`, pick((r) => r.chatClosed)),
        chat(`paced at ${PACED_SHARE * 100} % of that`, pick((r) => r.chatPaced)),
      ],
    },
    ...comparison,
    {
      title: 'What the server sent the clients in each step (and the settling after it), median of the rounds',
      columns: ['step', 'frames', 'per client', 'MB', 'KB per client', 'presence', 'peerJoined', 'chatMessage', 'other notifications'],
      rows: (
        [
          ['connect + hello', pick((r) => r.connect)],
          ['join', pick((r) => r.join)],
          ['chat, most it takes', pick((r) => r.chatClosed)],
          ['chat, paced', pick((r) => r.chatPaced)],
        ] as const
      ).map(([label, steps]) => {
        const of = (f: (t: Traffic) => number): number => spread(steps.map((s) => f(s.received))).median;
        const notes = (t: Traffic, type: string): number => t.notifications[type] ?? 0;
        return [
          label,
          of((t) => t.frames),
          of((t) => t.frames / CLIENTS),
          of((t) => t.bytes / 1024 / 1024),
          of((t) => t.bytes / 1024 / CLIENTS),
          of((t) => notes(t, 'presence')),
          of((t) => notes(t, 'peerJoined')),
          of((t) => notes(t, 'chatMessage')),
          of((t) =>
            Object.entries(t.notifications)
              .filter(([type]) => !['presence', 'peerJoined', 'chatMessage'].includes(type))
              .reduce((n, [, count]) => n + count, 0),
          ),
        ];
      }),
    },
    {
      title: 'Server memory (RSS of the Node process; the mediasoup worker apart)',
      columns: ['before MB', 'after hello MB', 'after join MB', 'per client KB (hello)', 'per client KB (joined)', 'worker before MB', 'worker after join MB'],
      rows: [
        [
          mem((m) => mb(m.before), 1),
          mem((m) => mb(m.afterHello), 1),
          mem((m) => mb(m.afterJoin), 1),
          mem((m) => kb(m.afterHello - m.before) / CLIENTS, 1),
          mem((m) => kb(m.afterJoin - m.before) / CLIENTS, 1),
          mem((m) => mb(m.workerBefore), 1),
          mem((m) => mb(m.workerAfterJoin), 1),
        ],
      ],
    },
  ];
}

/** Issue 20's targets for this benchmark, each beside its figure (median of the rounds), met or missed, Janus alongside where measured. */
function targetsTable(rounds: readonly Round[]): Table {
  const med = (f: (r: Round) => number): number => spread(rounds.map(f)).median;
  const janus = rounds.filter((r) => r.janus !== null) as Array<Round & { janus: NonNullable<Round['janus']> }>;
  const janusMed = (f: (r: Round & { janus: NonNullable<Round['janus']> }) => number): string =>
    janus.length > 0 ? spread(janus.map(f)).median.toFixed(0) : '—';
  /** What one client receives of presence when someone else joins: the join step's presence characters over every (client, joiner of its project) pair. */
  const presencePerJoin = (r: Round): number => (r.join.received.notificationBytes.presence ?? 0) / (CLIENTS * PROJECT_SIZE);
  const row = (target: string, figure: number, met: boolean, unit: string, janusFigure = '—'): Array<string | number> => [
    target,
    `${figure.toFixed(figure < 100 ? 1 : 0)} ${unit}`,
    met ? 'met' : 'MISSED',
    janusFigure,
  ];
  const connect = med((r) => r.connect.perSecond);
  const join = med((r) => r.join.perSecond);
  const presence = med(presencePerJoin);
  const chat = med((r) => r.chatClosed.deliveriesPerSecond);
  const p99 = med((r) => r.chatPaced.delivery.p99);
  const idle = med((r) => r.memory.before) / 1024 / 1024;
  const perConnected = med((r) => (r.memory.afterHello - r.memory.before) / CLIENTS) / 1024;
  const perJoined = med((r) => (r.memory.afterJoin - r.memory.before) / CLIENTS) / 1024;
  return {
    headline: true,
    title: `Targets (issue 20), median of ${rounds.length} rounds`,
    columns: ['target', 'Chantier', '', 'Janus'],
    rows: [
      row(`hello (connect + hello) ≥ 1,000/s at ${CLIENTS} clients`, connect, connect >= 1000, '/s', janusMed((r) => r.janus.connect.perSecond)),
      row('join without media ≥ 1,000/s', join, join >= 1000, '/s', janusMed((r) => r.janus.join.perSecond)),
      row("presence a client receives per other member's join ≤ 1 KB", presence, presence <= 1024, 'B'),
      row('chat, most it takes ≥ 50,000 deliveries/s', chat, chat >= 50_000, '/s'),
      row('chat paced at half: delivery p99 ≤ 50 ms', p99, p99 <= 50, 'ms'),
      row("Node's RSS with nobody connected ≤ 100 MB", idle, idle <= 100, 'MB'),
      row('RSS per connected client ≤ 25 KB', perConnected, perConnected <= 25, 'KB'),
      row('RSS per joined client ≤ 50 KB', perJoined, perJoined <= 50, 'KB'),
    ],
  };
}

export async function run(): Promise<BenchResult> {
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(i));
  const errors = mergeErrors(rounds.flatMap((r) => [r.connect, r.join, r.chatClosed, r.chatPaced]));
  return {
    tables: tables(rounds),
    notes: [
      `each round: a fresh server (one Node process, MEDIASOUP_WORKERS=1, LOG_LEVEL=warn) and its own redis-server on loopback; ` +
        `${CLIENTS} meeting sockets in ${GENERATORS} load generator processes; ${CONCURRENCY} requests outstanding per generator while connecting and joining`,
      'connect + hello: from opening the WebSocket to the hello answer (token checked, room attached, presence recorded and published); ' +
        'join: the join request of a meeting socket, without media (the room serialises joins; presence goes to the whole project)',
      `chat: ${CHAT_MS / 1000} s of chatSend round-robin over the clients; "most it takes" keeps ${CHAT_IN_FLIGHT} messages outstanding per generator; ` +
        'latency = receipt time minus the send time written in the text (one machine, one clock), the sender\'s own socket included',
      'CPU: % of one core over the step (2 cores: the machine has 200 %); server = the Node process, sfu worker = its mediasoup worker; ' +
        '"other" = what the rest of the machine used meanwhile (high: a disturbed run)',
      `memory: RSS (not heap) ${SETTLE_MS / 1000} s after each step, so garbage not yet collected counts; per client = growth / clients`,
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
