/**
 * What the signaling benchmark (scripts/bench/signaling.ts) and its load
 * generator processes (lib/wsLoad.ts) say to each other over Node's IPC
 * channel (advanced serialization: typed arrays travel as they are).
 */

/** One simulated participant: a meeting socket of one project's meeting. */
export interface LoadClientSpec {
  userId: string;
  displayName: string;
  projectId: string;
  roomId: string;
}

export type LoadCommand =
  | { type: 'init'; url: string; jwtSecret: string; clients: LoadClientSpec[] }
  /** Open every socket and say hello, `concurrency` at a time. */
  | { type: 'connect'; concurrency: number }
  /** Every client joins its meeting (no media), `concurrency` at a time. */
  | { type: 'join'; concurrency: number }
  /**
   * Chat into the projects for `durationMs`: 'closed' keeps `inFlight`
   * messages outstanding (each sent when one is acknowledged: the most the
   * server takes); 'paced' sends `perSecond` messages a second whatever the
   * answers (never more than `inFlight` outstanding: beyond, a send is skipped
   * and counted).
   */
  | { type: 'chat'; mode: 'closed' | 'paced'; durationMs: number; inFlight: number; perSecond: number; quietMs: number; maxDrainMs: number }
  | { type: 'close' };

/** Latencies in milliseconds (0.01 ms resolution), of the requests or deliveries counted. */
export interface StepReport {
  ok: number;
  failed: number;
  /** Error code (or transport error) → count. */
  errors: Record<string, number>;
  latenciesMs: Float64Array;
  /** This process's CPU time (user + system) over the step, in seconds. */
  cpuSeconds: number;
}

export interface ChatReport extends StepReport {
  /** Chat messages this process's clients received during the step (its own messages included). */
  delivered: number;
  deliveryLatenciesMs: Float64Array;
  /** Paced sends skipped because `inFlight` were still outstanding. */
  skipped: number;
  /** From the first send to the last acknowledgement, ms. */
  sendWindowMs: number;
}

export type LoadReply =
  | { type: 'ready' }
  | { type: 'connected'; report: StepReport }
  | { type: 'joined'; report: StepReport }
  | { type: 'chatted'; report: ChatReport }
  | { type: 'closed' }
  | { type: 'failed'; error: string };
