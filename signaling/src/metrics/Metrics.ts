/**
 * The Prometheus registry of one app (prom-client), served by routes/metrics.ts.
 *
 * Gauges are not kept up to date by the code they describe: each is read at
 * scrape time (collect()) from the real state, the rooms of RoomRegistry, the
 * sessions of the WebSocket plugin and the objects of the SFU's workers, so
 * that they cannot drift from it. Only what happens and leaves no state (a
 * join's latency, an error answered) is counted where it happens
 * (ws/dispatch.ts through observeAnswer).
 *
 * Labels are bounded: a worker's index and pid, a request type, an error
 * code, a session state. Never a room, user or peer id.
 */
import type { Sfu, WorkerSlot } from '@chantier/sfu';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode, RequestType } from '../protocol/index.js';
import type { NodeRegistry } from '../cluster/NodeRegistry.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { Session, SessionState } from '../ws/Session.js';
import { RetiringTotals, type Sample } from './RetiringTotals.js';

/** What the gauges read at scrape time. */
export interface MetricsSources {
  readonly sfu: Sfu;
  readonly rooms: RoomRegistry;
  readonly sessions: ReadonlySet<Session>;
  /** The cluster's registry (several nodes on one Redis); absent in unit tests. */
  readonly nodes?: Pick<NodeRegistry, 'liveUrls'>;
}

type WorkerLabels = 'worker' | 'pid';

/** A join answered within 50 ms to 10 s (a loaded node, a cold worker): finer where most fall. */
export const JOIN_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The server's share of a join (docs/PROTOCOL.md, "Joining fast"): `queue`,
 * the join waiting for the room's earlier changes; `media`, its peer and the
 * consumers its answer carries; `records`, the Redis writes made after the
 * answer; `send_connected` / `recv_connected`, from the answer to each
 * transport's DTLS connection; `first_produce`, from the answer to the first
 * producer. Finer buckets than a whole join's: most phases take milliseconds.
 */
export const JOIN_PHASES = ['queue', 'media', 'records', 'send_connected', 'recv_connected', 'first_produce'] as const;
export type JoinPhase = (typeof JOIN_PHASES)[number];
export const JOIN_PHASE_BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const SESSION_STATES: readonly SessionState[] = ['new', 'ready', 'joined'];

function workerLabels(slot: WorkerSlot): Record<WorkerLabels, string> {
  return { worker: String(slot.index), pid: String(slot.worker.pid) };
}

export class Metrics {
  readonly registry = new Registry();
  readonly #joinDuration: Histogram<'outcome'>;
  readonly #joinPhase: Histogram<'phase'>;
  readonly #errors: Counter<'type' | 'code'>;
  readonly #forwarded = new RetiringTotals();

  /** `sources` is called at each scrape (the app's parts are decorated after this is built). */
  constructor(sources: () => MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });

    /** Every live worker, with zeros, so that an idle worker still has its series. */
    const perWorker = (gauge: Gauge<WorkerLabels>, count: (slot: WorkerSlot) => number): void => {
      gauge.reset();
      for (const slot of sources().sfu.pool.slots) gauge.set(workerLabels(slot), count(slot));
    };
    // A meeting counts on its home worker; its participants, and their media, on the worker
    // they were placed on (another one when the meeting spread, sfu/src/placement.ts).
    const mediaPeers = (slot: WorkerSlot) =>
      [...sources().sfu.rooms.values()].filter((r) => !r.closed).flatMap((r) => [...r.peers.values()].filter((p) => p.slot === slot));
    const meetings = (slot: WorkerSlot) => [...sources().rooms.rooms.values()].filter((r) => r.media.slot === slot && !r.closed);
    const openMeetings = () => [...sources().rooms.rooms.values()].filter((r) => !r.closed);

    new Gauge({
      name: 'chantier_cluster_nodes',
      help: 'Live nodes of the cluster (processes sharing this Redis, this one included), as this node sees them',
      registers,
      async collect() {
        const nodes = sources().nodes;
        if (!nodes) return;
        this.set((await nodes.liveUrls().catch(() => [])).length);
      },
    });
    new Gauge<WorkerLabels>({
      name: 'chantier_rooms',
      help: 'Meetings open on this node, by the mediasoup worker that hosts their media',
      labelNames: ['worker', 'pid'],
      registers,
      collect() {
        perWorker(this, (slot) => meetings(slot).length);
      },
    });
    new Gauge<WorkerLabels>({
      name: 'chantier_peers',
      help: 'Participants who joined a meeting (a session in its grace period included), by worker',
      labelNames: ['worker', 'pid'],
      registers,
      collect() {
        perWorker(this, (slot) =>
          openMeetings().reduce(
            (n, r) => n + [...r.joinedSessions.values()].filter((s) => (s.media?.slot ?? r.media.slot) === slot).length,
            0,
          ),
        );
      },
    });
    new Gauge<WorkerLabels>({
      name: 'chantier_transports',
      help: 'WebRTC transports open, by worker',
      labelNames: ['worker', 'pid'],
      registers,
      collect() {
        perWorker(this, (slot) => mediaPeers(slot).reduce((n, p) => n + p.transports.size, 0));
      },
    });
    new Gauge<WorkerLabels>({
      name: 'chantier_producers',
      help: 'Producers (media sent by participants), by worker',
      labelNames: ['worker', 'pid'],
      registers,
      collect() {
        perWorker(this, (slot) => mediaPeers(slot).reduce((n, p) => n + p.producers.size, 0));
      },
    });
    new Gauge<WorkerLabels>({
      name: 'chantier_consumers',
      help: 'Consumers (media forwarded to participants, paused ones included), by worker',
      labelNames: ['worker', 'pid'],
      registers,
      collect() {
        perWorker(this, (slot) => mediaPeers(slot).reduce((n, p) => n + p.consumers.size, 0));
      },
    });
    new Gauge<WorkerLabels>({
      name: 'chantier_pipe_transports',
      help: 'Pipe transports between workers (a meeting spread over several workers), by worker',
      labelNames: ['worker', 'pid'],
      registers,
      collect() {
        perWorker(this, (slot) => slot.load.pipeTransports);
      },
    });
    new Counter<WorkerLabels>({
      name: 'chantier_worker_cpu_seconds_total',
      help: 'CPU time (user + system) used by the mediasoup worker process',
      labelNames: ['worker', 'pid'],
      registers,
      async collect() {
        const slots = sources().sfu.pool.slots;
        const usages = await Promise.allSettled(slots.map((slot) => slot.worker.getResourceUsage()));
        this.reset();
        slots.forEach((slot, i) => {
          const usage = usages[i];
          // A worker dying during the scrape has no series this time.
          if (usage?.status === 'fulfilled') this.inc(workerLabels(slot), (usage.value.ru_utime + usage.value.ru_stime) / 1000);
        });
      },
    });

    // Forwarded media: one getStats() per participant's receiving transport
    // (the one the SFU sends on), not one per consumer: O(participants)
    // requests to the workers per scrape where per-consumer stats would be
    // O(participants²) in a meeting where everyone sees everyone. Both
    // metrics below share one reading per scrape (the registry collects all
    // metrics at once).
    let reading: Promise<Map<WorkerSlot, { bytes: number; bitrate: number }>> | undefined;
    const readForwarded = (): Promise<Map<WorkerSlot, { bytes: number; bitrate: number }>> => {
      reading ??= this.#readForwarded(sources().sfu).finally(() => {
        reading = undefined;
      });
      return reading;
    };
    new Counter<WorkerLabels>({
      name: 'chantier_forwarded_bytes_total',
      help: 'RTP bytes the SFU sent to participants (RTX and probing excluded), by worker; a lower bound (README, Metrics)',
      labelNames: ['worker', 'pid'],
      registers,
      async collect() {
        const forwarded = await readForwarded();
        this.reset();
        for (const [slot, { bytes }] of forwarded) this.inc(workerLabels(slot), bytes);
      },
    });
    new Gauge<WorkerLabels>({
      name: 'chantier_forwarded_bitrate_bps',
      help: 'RTP bitrate the SFU sends to participants now (mediasoup\'s own estimate), by worker',
      labelNames: ['worker', 'pid'],
      registers,
      async collect() {
        const forwarded = await readForwarded();
        this.reset();
        for (const [slot, { bitrate }] of forwarded) this.set(workerLabels(slot), bitrate);
      },
    });

    new Gauge<'state'>({
      name: 'chantier_ws_sessions',
      help: 'Signaling sessions by state: new (before hello), ready (helloed), joined (in a meeting; in grace included)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        const counts = new Map<string, number>(SESSION_STATES.map((s) => [s, 0]));
        for (const session of sources().sessions) {
          if (counts.has(session.state)) counts.set(session.state, (counts.get(session.state) ?? 0) + 1);
        }
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });

    this.#joinDuration = new Histogram<'outcome'>({
      name: 'chantier_join_duration_seconds',
      help: 'From a join request\'s arrival to its answer (outcome ok or error)',
      labelNames: ['outcome'],
      buckets: JOIN_BUCKETS_S,
      registers,
    });
    this.#joinPhase = new Histogram<'phase'>({
      name: 'chantier_join_phase_seconds',
      help: 'The phases of a join on the server: queue, media, records (after the answer), send_connected, recv_connected, first_produce (from the answer)',
      labelNames: ['phase'],
      buckets: JOIN_PHASE_BUCKETS_S,
      registers,
    });
    this.#errors = new Counter<'type' | 'code'>({
      name: 'chantier_request_errors_total',
      help: 'WebSocket requests answered with an error, by request type ("unknown" when not a valid one) and error code',
      labelNames: ['type', 'code'],
      registers,
    });
  }

  /** Per live worker: forwarded RTP bytes so far (monotonic) and the bitrate now. */
  async #readForwarded(sfu: Sfu): Promise<Map<WorkerSlot, { bytes: number; bitrate: number }>> {
    const slots = sfu.pool.slots;
    const reads: Promise<{ slot: WorkerSlot; id: string; bytes: number; bitrate: number }>[] = [];
    for (const room of sfu.rooms.values()) {
      if (room.closed) continue;
      for (const peer of room.peers.values()) {
        if (!slots.includes(peer.slot)) continue;
        for (const transport of peer.transports.values()) {
          if ((transport.appData as { direction?: unknown }).direction !== 'recv' || transport.closed) continue;
          reads.push(
            transport.getStats().then(([stats]) => ({
              slot: peer.slot,
              id: transport.id,
              bytes: stats?.rtpBytesSent ?? 0,
              bitrate: stats?.rtpSendBitrate ?? 0,
            })),
          );
        }
      }
    }
    const samples: Sample[] = [];
    const bitrate = new Map<WorkerSlot, number>(slots.map((s) => [s, 0]));
    for (const r of await Promise.allSettled(reads)) {
      // A transport closed during the scrape: its last value seen is kept (RetiringTotals).
      if (r.status !== 'fulfilled') continue;
      samples.push({ id: r.value.id, group: String(r.value.slot.worker.pid), value: r.value.bytes });
      bitrate.set(r.value.slot, (bitrate.get(r.value.slot) ?? 0) + r.value.bitrate);
    }
    const totals = this.#forwarded.update(samples, slots.map((s) => String(s.worker.pid)));
    return new Map(slots.map((slot) => [slot, { bytes: totals.get(String(slot.worker.pid)) ?? 0, bitrate: bitrate.get(slot) ?? 0 }]));
  }

  /**
   * A WebSocket request was answered (ws/dispatch.ts): `type` undefined when
   * the frame was no valid request, `code` set when refused.
   */
  observeAnswer(type: RequestType | undefined, seconds: number, code: ErrorCode | undefined): void {
    if (type === 'join') this.#joinDuration.observe({ outcome: code ? 'error' : 'ok' }, seconds);
    if (code) this.#errors.inc({ type: type ?? 'unknown', code });
  }

  /** A phase of a join took this long (see JOIN_PHASES). */
  observeJoinPhase(phase: JoinPhase, seconds: number): void {
    this.#joinPhase.observe({ phase }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text, every gauge read now. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
