/**
 * The signaling benchmark's load generator processes (lib/wsLoad.ts), seen
 * from the benchmark: one command at a time to each, every wait bounded; and
 * the CPU each party (the server's Node, its worker, Redis, the generators,
 * the rest of the machine) used over a step run on every generator at once.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineBusySeconds, treeCpuSeconds } from '../cpu.js';
import { withTimeout } from '../stats.js';
import type { LoadCommand, LoadReply, StepReport } from './wsLoadProtocol.js';

const here = dirname(fileURLToPath(import.meta.url));

export const STEP_TIMEOUT_MS = 90_000;

/**
 * SIGNALING_GENERATOR_NODE_FLAGS: Node flags of the load generators (a knob for
 * looking into them, e.g. "--cpu-prof --cpu-prof-dir=/tmp/gen": a CPU profile of each).
 */
const GENERATOR_NODE_FLAGS = process.env.SIGNALING_GENERATOR_NODE_FLAGS?.trim().split(/\s+/).filter(Boolean) ?? [];

/** CPU seconds so far of each party. */
export interface CpuSample {
  at: number;
  serverNode: number;
  worker: number;
  redis: number;
  generators: number;
  machine: number;
}

export interface CpuShare {
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

/** A generator process and a way to send it one command and wait for its answer. */
export class Generator {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #waiting: ((reply: LoadReply) => void) | null = null;

  constructor() {
    this.#child = fork(join(here, 'wsLoad.ts'), [], {
      execArgv: ['--import', 'tsx', ...GENERATOR_NODE_FLAGS],
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
export interface Target {
  pid: number;
  workerPids(): number[];
  redisPid: number;
}

export function cpuSample(target: Target, generators: readonly Generator[]): CpuSample {
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

export function cpuShare(a: CpuSample, b: CpuSample): CpuShare {
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

/** One step on every generator at once; the CPU of each party over the step. */
export async function step<T extends StepReport>(
  server: Target,
  generators: readonly Generator[],
  run: (g: Generator) => Promise<T>,
): Promise<{ reports: T[]; wallMs: number; cpu: CpuShare }> {
  const before = cpuSample(server, generators);
  const reports = await Promise.all(generators.map(run));
  const after = cpuSample(server, generators);
  return { reports, wallMs: after.at - before.at, cpu: cpuShare(before, after) };
}
