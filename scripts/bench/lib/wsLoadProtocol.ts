/**
 * What the signaling benchmark (scripts/bench/signaling.ts) and its load
 * generator processes (lib/wsLoad.ts) say to each other over Node's IPC
 * channel (advanced serialization: typed arrays travel as they are).
 */
import type { LoopFigures } from './loopFigures.js';

/** One simulated participant: a meeting socket of one project's meeting. */
export interface LoadClientSpec {
  userId: string;
  displayName: string;
  projectId: string;
  roomId: string;
  /** An access token of this user for the project (role member). */
  token: string;
  /** The same meeting as a Janus VideoRoom room (the comparison's). */
  janusRoom: number;
}

export type LoadCommand =
  | { type: 'init'; url: string; clients: LoadClientSpec[] }
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
  /** What the clients received since the last 'traffic' (asked after each step has settled). */
  | { type: 'traffic' }
  /** gently: a close handshake (code 1000) each, so that the server ends the sessions at once; else the sockets are cut. */
  | { type: 'close'; gently?: boolean }
  /**
   * Janus, driven the same way over its WebSocket API (subprotocol
   * janus-protocol): open + create session + attach the VideoRoom plugin,
   * then join as a publisher without media; 'close' ends them too.
   */
  | { type: 'janusConnect'; wsUrl: string; concurrency: number }
  | { type: 'janusJoin'; concurrency: number };

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

/** What the server sent a process's clients: frames, characters, notifications by type. */
export interface Traffic {
  frames: number;
  bytes: number;
  notifications: Record<string, number>;
  /** Characters of notifications, by type. */
  notificationBytes: Record<string, number>;
}

export interface ChatReport extends StepReport {
  /** Chat messages this process's clients received during the step (its own messages included). */
  delivered: number;
  deliveryLatenciesMs: Float64Array;
  /** Paced sends skipped because `inFlight` were still outstanding. */
  skipped: number;
  /** From the first send to the last acknowledgement, ms. */
  sendWindowMs: number;
  /** This process's event loop and GC over the step and its drain. */
  loop: LoopFigures;
}

export type LoadReply =
  | { type: 'ready' }
  | { type: 'connected'; report: StepReport }
  | { type: 'joined'; report: StepReport }
  | { type: 'chatted'; report: ChatReport }
  | { type: 'traffic'; received: Traffic }
  | { type: 'closed' }
  | { type: 'janusConnected'; report: StepReport }
  | { type: 'janusJoined'; report: StepReport }
  | { type: 'failed'; error: string };
