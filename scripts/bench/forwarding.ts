/**
 * Forwarding, scale and memory, Chantier against Janus under the same load.
 *
 * Load: R rooms of 6 bots (lib/chantierBot.ts, lib/janusBot.ts: werift
 * peers, no encoder) each publishing the same pre-recorded Opus and VP8
 * simulcast (3 layers, lib/rtpClip.ts) at real-time pace and receiving the
 * other five. Both SFUs run in the bench's network namespace (lib/netns.ts,
 * bound to its address; bots in the root namespace cross a veth pair), one
 * after the other, never together. The SFU (Chantier: Node and its one
 * mediasoup worker; Janus: its process, all threads) is pinned to core 0 and
 * this process (every bot) to core 1 with taskset, so that the load
 * generator cannot take the SFU's core on a 2-core machine.
 *
 * Each point: join every bot, subscribe each to the others, 3 s warm-up,
 * then a WINDOW_MS window: packets received by all bots (= forwarded by the
 * SFU), the SFU's CPU seconds from /proc (packets per CPU-second), the bots'
 * CPU, receivers' loss from RTP sequence numbers, and the SFU's RSS.
 * Forwarding: FORWARD_ROOMS rooms. Scale: rooms doubled from 1 while loss
 * stays < 1 % and every stream arrives, up to MAX_ROOMS, then one bisection
 * step. Memory per participant: RSS at the largest point held minus RSS
 * before the first bot, divided by its participants.
 * Every load is bounded in count and time.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { cpus } from 'node:os';
import { startChantier, type ChantierServer } from './lib/chantier.js';
import { startChantierBot } from './lib/chantierBot.js';
import { createVideoRoom, startJanus, type JanusServer } from './lib/janus.js';
import { startJanusBot } from './lib/janusBot.js';
import { createBenchNetns, removeLeftoverNamespaces, type BenchNetns } from './lib/netns.js';
import type { RtpCounter } from './lib/rtcPeer.js';
import { loadClip, Replayer, type Clip, VIDEO_LAYERS } from './lib/simulcastClip.js';
import { sleep, withTimeout } from './stats.js';
import type { BenchResult } from './types.js';

export const name = 'forwarding';
export const description = 'packets forwarded per SFU CPU-second, receivers\' loss, largest count of 6-person meetings under 1 % loss, memory per participant: Chantier vs Janus with bots';

const ROOM_SIZE = 6;
const FORWARD_ROOMS = 2;
const MAX_ROOMS = 8;
const WARM_UP_MS = 3_000;
const WINDOW_MS = 6_000;
const LOSS_LIMIT = 0.01;
/** Bounds for one SFU's whole run (start, points, stop) and one point. */
const SFU_TIMEOUT_MS = 150_000;
const POINT_TIMEOUT_MS = 60_000;
/** No new scale point after this long on one SFU (a point takes 15–40 s). */
const SEARCH_BUDGET_MS = 80_000;
const SFU_CORE = 0;
const BOT_CORE = 1;

interface Bot {
  counter: RtpCounter;
  close(): Promise<void>;
}

interface BotSet {
  bots: Bot[];
  aborted(): boolean;
}

/** Adds a started bot to the set, or closes it if the point was given up meanwhile. */
async function keep<T extends Bot>(into: BotSet, bot: T): Promise<T> {
  if (into.aborted()) {
    await bot.close().catch(() => undefined);
    throw new Error('point given up');
  }
  into.bots.push(bot);
  return bot;
}

interface SfuUnderTest {
  label: string;
  /** The namespace the SFU runs in. */
  netns: BenchNetns;
  /** The SFU's processes now (CPU and RSS are summed over them; threads included). */
  pids(): number[];
  /**
   * Starts one room of ROOM_SIZE bots, publishing and then receiving each
   * other; each bot goes into `into.bots` as soon as it exists (the point
   * closes them all), and none is started once `into.aborted()`.
   */
  room(index: number, replayer: Replayer, into: BotSet): Promise<void>;
  stop(): Promise<void>;
}

export interface Point {
  rooms: number;
  participants: number;
  seconds: number;
  /** Packets received by all bots in the window (what the SFU forwarded and delivered). */
  forwarded: number;
  forwardedPerSecond: number;
  /** SFU CPU over the window, in cores. */
  sfuCpu: number;
  packetsPerCpuSecond: number;
  /** 1 − received ÷ (packets the publishers sent of the forwarded streams × receivers each): end to end, ingress included. */
  loss: number;
  /** Gaps in the sequence numbers receivers saw: egress loss only (an SFU renumbers what never reached it). */
  seqLoss: number;
  /** Streams received by the bots vs expected (each bot: 2 per other participant). */
  streams: number;
  expectedStreams: number;
  /** This process (every bot), in cores. */
  botCpu: number;
  /** Everything on the machine, in cores. */
  machineCpu: number;
  /**
   * UDP datagrams the kernel dropped for a full receive buffer during the
   * window: at the SFU's sockets (the namespace's Udp RcvbufErrors) and at
   * the bots' (this process's sockets in /proc/net/udp).
   */
  sfuSocketDrops: number;
  botSocketDrops: number;
  /** Seconds to join and connect every bot of the point. */
  setUpSeconds: number;
  sfuRssBytes: number;
  /** Set when the point could not be set up or measured. */
  error?: string;
}

/** CPU ticks (1/100 s) of one process, all its threads: utime + stime of /proc/<pid>/stat. */
function ticks(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function cpuSeconds(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + ticks(pid), 0) / 100;
}

function rssBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += Number(match?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

function machineSeconds(): number {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return (fields.slice(0, 8).reduce((a, b) => a + b, 0) - (fields[3] ?? 0) - (fields[4] ?? 0)) / 100;
}

/** Pins every thread of `pids` to `core` (when the machine has it). */
function pin(pids: number[], core: number): void {
  if (cpus().length <= core) return;
  for (const pid of pids) execFileSync('taskset', ['-a', '-c', '-p', String(core), String(pid)], { stdio: 'ignore', timeout: 5_000 });
}

/** Datagrams dropped so far at this process's own UDP sockets (the bots'): the `drops` column of /proc/net/udp for our socket inodes. */
function ownSocketDrops(): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  let drops = 0;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 13 && inodes.has(fields[9]!)) drops += Number(fields[12]);
  }
  return drops;
}

/** Udp RcvbufErrors of /proc/net/snmp inside `netns` (there: the SFU's sockets only). */
function udpReceiveDrops(netns: BenchNetns): number {
  const text = execFileSync(...netns.wrap('cat', ['/proc/net/snmp']), { encoding: 'utf8', timeout: 5_000 });
  const [names, values] = text.split('\n').filter((line) => line.startsWith('Udp:'));
  const index = names?.split(/\s+/).indexOf('RcvbufErrors') ?? -1;
  return index > 0 ? Number(values?.split(/\s+/)[index] ?? 0) : 0;
}

async function measurePoint(sfu: SfuUnderTest, rooms: number, replayer: Replayer): Promise<Point> {
  const bots: Bot[] = [];
  let aborted = false;
  const into: BotSet = { bots, aborted: () => aborted };
  const empty = (error: string): Point => ({
    rooms, participants: rooms * ROOM_SIZE, seconds: 0, forwarded: 0, forwardedPerSecond: 0, sfuCpu: 0, packetsPerCpuSecond: 0,
    loss: 1, seqLoss: 1, streams: 0, expectedStreams: rooms * ROOM_SIZE * (ROOM_SIZE - 1) * 2, botCpu: 0, machineCpu: 0, sfuSocketDrops: 0, botSocketDrops: 0, setUpSeconds: 0, sfuRssBytes: 0, error,
  });
  const started = performance.now();
  try {
    const setUp = Promise.all(Array.from({ length: rooms }, (_, i) => sfu.room(i, replayer, into)));
    await withTimeout(setUp, POINT_TIMEOUT_MS, `${sfu.label}: ${rooms} rooms set up`);
    const setUpSeconds = (performance.now() - started) / 1000;
    await sleep(WARM_UP_MS);
    const pids = sfu.pids();
    const sample = () => ({
      at: performance.now(),
      sfu: cpuSeconds(pids),
      self: ticks(process.pid) / 100,
      machine: machineSeconds(),
      counts: bots.map((b) => b.counter.snapshot()),
      sent: replayer.sentByStream(),
      sfuDrops: udpReceiveDrops(sfu.netns),
      botDrops: ownSocketDrops(),
    });
    const before = sample();
    await sleep(WINDOW_MS);
    const after = sample();
    const seconds = (after.at - before.at) / 1000;
    let forwarded = 0;
    let expected = 0;
    let streams = 0;
    after.counts.forEach((c, i) => {
      forwarded += c.received - before.counts[i]!.received;
      expected += c.expected - before.counts[i]!.expected;
      streams += c.streams;
    });
    const sfuCpu = (after.sfu - before.sfu) / seconds;
    // Receivers get audio and the top video layer of each of the others.
    const top = VIDEO_LAYERS.length;
    const forwardedStreamsSent = after.sent[0]! - before.sent[0]! + after.sent[top]! - before.sent[top]!;
    const shouldArrive = forwardedStreamsSent * (ROOM_SIZE - 1);
    return {
      rooms,
      participants: rooms * ROOM_SIZE,
      seconds,
      forwarded,
      forwardedPerSecond: forwarded / seconds,
      sfuCpu,
      packetsPerCpuSecond: after.sfu > before.sfu ? forwarded / (after.sfu - before.sfu) : Number.NaN,
      loss: shouldArrive > 0 ? Math.max(0, 1 - forwarded / shouldArrive) : 1,
      seqLoss: expected > 0 ? Math.max(0, 1 - forwarded / expected) : 1,
      streams,
      expectedStreams: rooms * ROOM_SIZE * (ROOM_SIZE - 1) * 2,
      botCpu: (after.self - before.self) / seconds,
      machineCpu: (after.machine - before.machine) / seconds,
      sfuSocketDrops: after.sfuDrops - before.sfuDrops,
      botSocketDrops: after.botDrops - before.botDrops,
      setUpSeconds,
      sfuRssBytes: rssBytes(pids),
    };
  } catch (error) {
    return empty(error instanceof Error ? error.message : String(error));
  } finally {
    aborted = true;
    await Promise.all(bots.map((b) => b.close().catch(() => undefined)));
    await sleep(1_500);
  }
}

function holds(p: Point): boolean {
  return p.error === undefined && p.loss < LOSS_LIMIT && p.streams >= p.expectedStreams;
}

interface SfuRun {
  label: string;
  baselineRssBytes: number;
  forwarding: Point;
  points: Point[];
  /** Largest room count that held (0: none). */
  maxRooms: number;
  /** True when the search stopped at MAX_ROOMS without a failure. */
  capped: boolean;
  /** True when the time budget ended the search before a failure or the cap. */
  stoppedByTime: boolean;
  memoryPerParticipantBytes: number;
}

async function runSfu(sfu: SfuUnderTest, clip: Clip): Promise<SfuRun> {
  const log = (text: string): void => void process.stderr.write(`[bench] forwarding ${sfu.label}: ${text}\n`);
  const replayer = new Replayer(clip);
  const started = performance.now();
  try {
    await sleep(1_000);
    const baselineRssBytes = rssBytes(sfu.pids());
    const points = new Map<number, Point>();
    const at = async (rooms: number): Promise<Point> => {
      const known = points.get(rooms);
      if (known) return known;
      const point = await measurePoint(sfu, rooms, replayer);
      points.set(rooms, point);
      log(`${rooms} room(s): ${Math.round(point.forwardedPerSecond)} pkt/s, SFU ${(point.sfuCpu * 100).toFixed(0)} %, bots ${(point.botCpu * 100).toFixed(0)} %, loss ${(point.loss * 100).toFixed(2)} % (seq gaps ${(point.seqLoss * 100).toFixed(2)} %), streams ${point.streams}/${point.expectedStreams}, set-up ${point.setUpSeconds.toFixed(1)} s, UDP drops SFU ${point.sfuSocketDrops} bots ${point.botSocketDrops}${point.error ? `, ${point.error}` : ''}`);
      return point;
    };
    const forwarding = await at(FORWARD_ROOMS);
    // Scale: from the forwarding point, double while it holds (or try 1 if it
    // did not), then one bisection step between the last held and the first
    // failed; no new point once the time budget is spent.
    const timeUp = (): boolean => performance.now() - started > SEARCH_BUDGET_MS;
    let good = 0;
    let bad = 0;
    let stoppedByTime = false;
    if (holds(forwarding)) {
      good = FORWARD_ROOMS;
      for (let rooms = FORWARD_ROOMS * 2; rooms <= MAX_ROOMS; rooms *= 2) {
        if (timeUp()) {
          stoppedByTime = true;
          break;
        }
        if (holds(await at(rooms))) good = rooms;
        else {
          bad = rooms;
          break;
        }
      }
    } else {
      bad = FORWARD_ROOMS;
      if (FORWARD_ROOMS > 1 && holds(await at(1))) good = 1;
    }
    if (bad > 0 && bad - good > 1) {
      if (timeUp()) stoppedByTime = true;
      else {
        const middle = Math.floor((good + bad) / 2);
        if (holds(await at(middle))) good = middle;
      }
    }
    // Memory: the RSS added per participant between the smallest and the
    // largest point held (fixed costs and warm-up cancel out), or from the
    // RSS with nobody when a single point held.
    const held = [...points.values()].filter(holds).sort((a, b) => a.participants - b.participants);
    const small = held[0];
    const large = held.at(-1);
    const memoryPerParticipantBytes =
      small && large && large.participants > small.participants
        ? (large.sfuRssBytes - small.sfuRssBytes) / (large.participants - small.participants)
        : large
          ? (large.sfuRssBytes - baselineRssBytes) / large.participants
          : Number.NaN;
    return {
      label: sfu.label,
      baselineRssBytes,
      forwarding,
      points: [...points.values()].sort((a, b) => a.rooms - b.rooms),
      maxRooms: good,
      capped: bad === 0 && !stoppedByTime,
      stoppedByTime,
      memoryPerParticipantBytes,
    };
  } finally {
    replayer.stop();
  }
}

function chantierUnderTest(server: ChantierServer, netns: BenchNetns): SfuUnderTest {
  const run = Date.now().toString(36);
  return {
    label: 'Chantier',
    netns,
    pids: () => [server.pid, ...server.workerPids()],
    async room(index, replayer, into) {
      const place = {
        url: server.url,
        projectId: 'bench',
        token: (userId: string, displayName: string) => server.token({ userId, displayName, projectId: 'bench' }),
      };
      const roomId = `fwd-${run}-${index}-${Math.random().toString(36).slice(2, 8)}`;
      const bots = [];
      for (let i = 0; i < ROOM_SIZE; i++) bots.push(await keep(into, await startChantierBot(place, roomId, `${roomId}-${i}`, replayer, i * 1_700, netns.hostIp)));
      for (const bot of bots) await bot.consumeAll(bots.filter((other) => other !== bot).flatMap((other) => other.producerIds));
    },
    stop: () => server.stop(),
  };
}

function janusUnderTest(server: JanusServer, netns: BenchNetns): SfuUnderTest {
  return {
    label: 'Janus',
    netns,
    pids: () => [server.pid],
    async room(index, replayer, into) {
      const room = await createVideoRoom(server.httpUrl, { publishers: ROOM_SIZE + 2, description: `fwd-${index}` });
      const bots = [];
      for (let i = 0; i < ROOM_SIZE; i++) bots.push(await keep(into, await startJanusBot(server.httpUrl, room, `fwd-${index}-${i}`, replayer, i * 1_700, netns.hostIp)));
      for (const bot of bots) await bot.subscribeAll(bots.filter((other) => other !== bot).map((other) => other.feedId));
    },
    stop: () => server.stop(),
  };
}

function ratio(a: number, b: number): number {
  return b !== 0 && Number.isFinite(a) && Number.isFinite(b) ? a / b : Number.NaN;
}

export async function run(): Promise<BenchResult> {
  await removeLeftoverNamespaces();
  const clip = await loadClip();
  const netns = await createBenchNetns();
  const runs: SfuRun[] = [];
  try {
    pin([process.pid], BOT_CORE);
    {
      const server = await startChantier({
        netns,
        env: { MEDIASOUP_WORKERS: '1', JOINS_PER_MINUTE: '100000', WS_CONNECTS_PER_MINUTE: '100000', WS_CONNECTIONS_PER_IP: '100000' },
      });
      const sfu = chantierUnderTest(server, netns);
      try {
        pin(sfu.pids(), SFU_CORE);
        runs.push(await withTimeout(runSfu(sfu, clip), SFU_TIMEOUT_MS, 'Chantier forwarding run'));
      } finally {
        await sfu.stop();
      }
    }
    {
      const server = await startJanus(netns);
      const sfu = janusUnderTest(server, netns);
      try {
        pin(sfu.pids(), SFU_CORE);
        runs.push(await withTimeout(runSfu(sfu, clip), SFU_TIMEOUT_MS, 'Janus forwarding run'));
      } finally {
        await sfu.stop();
      }
    }
  } finally {
    await netns.close();
  }
  const [c, j] = runs as [SfuRun, SfuRun];
  const mb = (bytes: number): number => bytes / 1024 / 1024;
  const scale = (r: SfuRun): string => `${r.maxRooms}${r.capped ? '+' : r.stoppedByTime ? '+ (time)' : ''}`;
  const figures: Array<[string, number | string, number | string, number]> = [
    [`forwarded packets/s (${FORWARD_ROOMS} rooms × ${ROOM_SIZE})`, c.forwarding.forwardedPerSecond, j.forwarding.forwardedPerSecond, ratio(c.forwarding.forwardedPerSecond, j.forwarding.forwardedPerSecond)],
    ['packets forwarded per SFU CPU-second', c.forwarding.packetsPerCpuSecond, j.forwarding.packetsPerCpuSecond, ratio(c.forwarding.packetsPerCpuSecond, j.forwarding.packetsPerCpuSecond)],
    ['SFU CPU, % of a core', c.forwarding.sfuCpu * 100, j.forwarding.sfuCpu * 100, ratio(c.forwarding.sfuCpu, j.forwarding.sfuCpu)],
    ['receivers\' loss, %', c.forwarding.loss * 100, j.forwarding.loss * 100, Number.NaN],
    [`6-person meetings held at < 1 % loss (cap ${MAX_ROOMS})`, scale(c), scale(j), ratio(c.maxRooms, j.maxRooms)],
    ['SFU memory per participant, MB', mb(c.memoryPerParticipantBytes), mb(j.memoryPerParticipantBytes), ratio(c.memoryPerParticipantBytes, j.memoryPerParticipantBytes)],
    ['SFU RSS with no participant, MB', mb(c.baselineRssBytes), mb(j.baselineRssBytes), ratio(c.baselineRssBytes, j.baselineRssBytes)],
  ];
  const pointRows = runs.flatMap((r) =>
    r.points.map((p) => [
      r.label, p.rooms, p.participants, p.forwardedPerSecond, p.sfuCpu * 100, p.packetsPerCpuSecond, p.loss * 100, p.seqLoss * 100,
      `${p.streams}/${p.expectedStreams}`, p.sfuSocketDrops, p.botSocketDrops, p.botCpu * 100, p.machineCpu * 100, mb(p.sfuRssBytes), p.error ?? (holds(p) ? 'held' : 'failed'),
    ]),
  );
  const all = runs.flatMap((r) => r.points);
  const generatorBound = all.some((p) => p.botCpu > 0.85);
  // What else ran during the windows: the machine's CPU minus the SFU's and the bots'.
  const otherCpu = Math.max(...all.map((p) => p.machineCpu - p.sfuCpu - p.botCpu));
  return {
    tables: [
      {
        headline: true,
        title: 'Forwarding, scale and memory with bots: Chantier vs Janus (same load, one SFU at a time)', columns: ['figure', 'Chantier', 'Janus', 'Chantier/Janus'], rows: figures },
      {
        title: 'Every measured point',
        columns: ['SFU', 'rooms', 'participants', 'pkt/s', 'SFU CPU %', 'pkt per CPU-s', 'loss %', 'seq gaps %', 'streams', 'UDP drops SFU', 'UDP drops bots', 'bots CPU %', 'machine CPU %', 'SFU RSS MB', 'result'],
        rows: pointRows,
      },
    ],
    notes: [
      `load: rooms of ${ROOM_SIZE} werift bots, each publishing Opus (~50 pkt/s) and VP8 simulcast ${VIDEO_LAYERS.map((l) => `${l.width}x${l.height}@${l.kbps}k`).join(', ')} ` +
        `pre-recorded once with ffmpeg (clip ${(clip.durationMs / 1000).toFixed(1)} s, looped, SSRC/seq/timestamps rewritten), and receiving the other ${ROOM_SIZE - 1}`,
      'receivers advertise no bandwidth feedback (no transport-cc, no REMB), so both SFUs forward the top layer; receivers count SRTP packets by header and drop them undecrypted (no NACK: raw loss)',
      `SFU pinned to core ${SFU_CORE} (Chantier: Node + 1 mediasoup worker; Janus: all threads), bots (this process) to core ${BOT_CORE}; both SFUs in the bench namespace, bots across a veth pair`,
      'UDP drops: datagrams the kernel dropped for a full receive buffer in the window, at the SFU\'s sockets and at the bots\' (4 MB buffers); ' +
        'mediasoup receives every transport on one WebRtcServer socket (kernel default buffer), Janus one socket per peer',
      `each point: set-up, ${WARM_UP_MS / 1000} s warm-up, ${WINDOW_MS / 1000} s window, one run; loss = 1 − received ÷ (audio + top-layer packets the publishers sent × ${ROOM_SIZE - 1} receivers); ` +
        'seq gaps = loss seen in the sequence numbers receivers got (misses what never reached the SFU)',
      `scale: from ${FORWARD_ROOMS} rooms, doubled while < 1 % loss and every stream arrives (else 1 room), then one bisection step; "+" = held at the cap, ` +
        `"+ (time)" = the ${SEARCH_BUDGET_MS / 1000}-s budget ended the search first`,
      'memory per participant: RSS added per participant between the smallest and largest points held (or from the RSS with nobody if one point held); ' +
        'Chantier\'s includes Node\'s heap, which garbage collection makes noisy',
      ...runs
        .filter((r) => r.points.some((p) => p.sfuSocketDrops > 0))
        .map(
          (r) =>
            `${r.label}: its own sockets dropped datagrams (full receive buffer) at ${r.points.filter((p) => p.sfuSocketDrops > 0).map((p) => `${p.rooms} room(s)`).join(', ')}: ` +
            'there the loss came in before the SFU, not from its forwarding (a busy core delays the SFU; a larger socket buffer absorbs it)',
        ),
      ...(otherCpu > 0.3
        ? [`WARNING: other work used up to ${(otherCpu * 100).toFixed(0)} % of a core during the windows: loss and scale mean little then; run on a quiet machine`]
        : []),
      ...(generatorBound
        ? ['WARNING: the bots used > 85 % of their core at some point: there the load generator, not the SFU, may be the limit (scale is then a lower bound for both)']
        : []),
    ],
    data: { runs },
  };
}
