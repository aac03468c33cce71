/**
 * The signaling benchmark's figures (scripts/bench/signaling.ts): what a
 * round measured, and the tables it prints — every step beside Janus's, the
 * chat, the event loop, the traffic, the memory, the Node flags compared, and
 * issue 20's targets marked met or MISSED.
 */
import type { HeapReading } from './heapReading.js';
import type { CpuShare } from './loadGenerators.js';
import type { LoopFigures } from './loopFigures.js';
import type { Percentiles } from './quantiles.js';
import type { Traffic } from './wsLoadProtocol.js';
import { spread, type Spread } from '../stats.js';
import type { Table } from '../types.js';
import { CHAT_IN_FLIGHT, CLIENTS, GENERATORS, IDLE_MS, MEETING_SIZE, PACED_SHARE, PROJECT_SIZE } from './signalingShape.js';

export interface StepFigures {
  ok: number;
  failed: number;
  errors: Record<string, number>;
  wallMs: number;
  perSecond: number;
  latency: Percentiles;
  cpu: CpuShare;
  /** The load generators' own CPU time per operation done (their process.cpuUsage over the step), ms. */
  generatorCpuMsPerOp: number;
  /** What the server sent the clients over the step and the settling after it. */
  received: Traffic;
}

export interface ChatFigures extends StepFigures {
  mode: 'closed' | 'paced';
  targetPerSecond: number;
  skipped: number;
  delivered: number;
  /** delivered / (acknowledged × PROJECT_SIZE): 1 when every member got every message. */
  deliveredShare: number;
  deliveriesPerSecond: number;
  delivery: Percentiles;
  /** The server's event loop and GC over the step (and its drain), and the worst load generator's. */
  serverLoop: LoopFigures;
  generatorLoop: LoopFigures;
}

export interface Round {
  connect: StepFigures;
  join: StepFigures;
  chatClosed: ChatFigures;
  chatPaced: ChatFigures;
  memory: { atStart: number; before: number; afterHello: number; afterJoin: number; workerBefore: number; workerAfterJoin: number };
  /** The server's V8 heap at the same three moments. */
  heap: { before: HeapReading; afterHello: HeapReading; afterJoin: HeapReading };
  /** The same clients on Janus VideoRoom (null: not measured, see `janusError`). */
  janus: { connect: StepFigures; join: StepFigures } | null;
  janusError?: string;
  /** The same Chantier round with SIGNALING_NODE_FLAGS instead of the production flags. */
  compared?: ChantierRound;
}

export type ChantierRound = Omit<Round, 'janus' | 'janusError' | 'compared'>;

/** "median (min–max)" of one figure over the rounds. */
function ranged(s: Spread, digits = 0): string {
  if (s.count === 0) return '—';
  const f = (v: number): string => v.toFixed(digits);
  return s.count === 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** CPU ms per operation of the server side (Chantier: Node + worker + Redis; Janus: its process). */
export function serverCpuMsPerOp(s: StepFigures): number {
  return s.ok > 0 ? (((s.cpu.serverNode + s.cpu.worker + s.cpu.redis) / 100) * s.wallMs) / s.ok : Number.NaN;
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
      of(serverCpuMsPerOp).median,
      of((s) => s.generatorCpuMsPerOp).median,
      of((s) => s.cpu.other).median,
    ],
  ];
}

export function tables(rounds: readonly Round[], comparedFlags: readonly string[] | undefined): Table[] {
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
  const cpuMsPerOp = serverCpuMsPerOp;
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
      columns: ['step', 'per second', 'p50 ms', 'p95 ms', 'p99 ms', 'failed', 'server CPU %', 'sfu worker %', 'redis %', 'generators %', 'server CPU ms/op', 'generators CPU ms/op', 'other %'],
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
    loopTable(rounds),
    ...comparedTable(rounds, comparedFlags),
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
      columns: ['1 s after start MB', `idle (${IDLE_MS / 1000} s more) MB`, 'after hello MB', 'after join MB', 'per client KB (hello)', 'per client KB (joined)', 'worker before MB', 'worker after join MB'],
      rows: [
        [
          mem((m) => mb(m.atStart ?? Number.NaN), 1),
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

/** The event loop and GC of the server and of the load generators during each chat step (what makes the tail). */
function loopTable(rounds: readonly Round[]): Table {
  const row = (label: string, figures: readonly LoopFigures[]): Array<string | number> => {
    const of = (f: (l: LoopFigures) => number, digits = 1): string => ranged(spread(figures.map(f)), digits);
    return [label, of((l) => l.delayP50Ms), of((l) => l.delayP99Ms), of((l) => l.delayMaxMs), of((l) => l.gcCount, 0), of((l) => l.gcMs, 0), of((l) => l.gcMajorMs, 0), of((l) => l.gcOver10Ms, 0)];
  };
  return {
    headline: true,
    title: `Event-loop delay (beyond its 10-ms sampling timer) and GC pauses during the chat steps, median of ${rounds.length} rounds (min–max)`,
    columns: ['process, step', 'delay p50 ms', 'p99 ms', 'max ms', 'GC pauses', 'GC ms', 'of which mark-compact ms', 'pauses > 10 ms'],
    rows: [
      row('server, chat most it takes', rounds.map((r) => r.chatClosed.serverLoop)),
      row('server, chat paced', rounds.map((r) => r.chatPaced.serverLoop)),
      row('worst generator, chat paced', rounds.map((r) => r.chatPaced.generatorLoop)),
    ],
  };
}

/** Rounds with SIGNALING_NODE_FLAGS beside the production flags' (none when it is unset). */
function comparedTable(rounds: readonly Round[], comparedFlags: readonly string[] | undefined): Table[] {
  const compared = rounds.flatMap((r) => (r.compared ? [r.compared] : []));
  if (compared.length === 0 || !comparedFlags) return [];
  const row = (label: string, rs: readonly ChantierRound[]): Array<string | number> => {
    const of = (f: (r: ChantierRound) => number, digits = 1): string => ranged(spread(rs.map(f)), digits);
    return [
      label,
      of((r) => r.memory.before / 1024 / 1024),
      of((r) => (r.memory.afterHello - r.memory.before) / CLIENTS / 1024),
      of((r) => (r.memory.afterJoin - r.memory.before) / CLIENTS / 1024),
      of((r) => r.chatClosed.deliveriesPerSecond, 0),
      of((r) => r.chatPaced.delivery.p99),
      of((r) => r.chatPaced.serverLoop.delayP99Ms),
      of((r) => r.chatPaced.serverLoop.delayMaxMs),
      of((r) => r.chatPaced.serverLoop.gcCount, 0),
      of((r) => r.chatPaced.serverLoop.gcMs, 0),
    ];
  };
  return [
    {
      headline: true,
      title: `Node flags: production (signaling/src/nodeFlags.ts) against ${comparedFlags.join(' ')}, same run, median of ${compared.length} rounds (min–max)`,
      columns: ['flags', 'idle RSS MB', 'KB/connected', 'KB/joined', 'chat deliveries/s (most)', 'paced p99 ms', 'server delay p99 ms', 'max ms', 'GC pauses (paced)', 'GC ms (paced)'],
      rows: [row('production', rounds), row(comparedFlags.join(' '), compared)],
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

