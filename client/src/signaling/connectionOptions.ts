/**
 * How a Connection is made and paced: its timing (heartbeat, reconnection
 * back-off, cluster retries) and its options, with the defaults; and the
 * states it goes through (here, below the modules that read them).
 */
import type { RequestData } from '@chantier/signaling/protocol';
import type { NodeDirectory } from './nodes';
import type { SignalingClient } from './SignalingClient';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'expired';

export type HelloParams = Omit<RequestData<'hello'>, 'resume' | 'protocol'>;

export interface ConnectionTiming {
  /** A ping every this often while open. */
  heartbeatMs: number;
  /** A ping unanswered for this long means the socket is dead. */
  heartbeatTimeoutMs: number;
  /** Each reconnection attempt's socket must open within this. */
  openTimeoutMs: number;
  /** And its hello be answered within this. */
  helloTimeoutMs: number;
  /** Waits before each attempt; the last one repeats. */
  backoffMs: readonly number[];
  /** Stop trying after this long (well past the server's grace period): 'closed'. */
  giveUpAfterMs: number;
  /**
   * In a cluster, a fresh hello that reached no node holding the meeting
   * (redirected to a node that died, every node unreachable) tries again for
   * this long: a dead holder's claim lapses within seconds, then a survivor
   * takes the meeting over.
   */
  clusterRetryMs: number;
}

/** WRONG_NODE redirects followed in a row before giving up on that path. */
export const MAX_REDIRECTS = 3;

export const DEFAULT_TIMING: ConnectionTiming = {
  heartbeatMs: 5_000,
  heartbeatTimeoutMs: 3_000,
  openTimeoutMs: 3_000,
  helloTimeoutMs: 5_000,
  backoffMs: [250, 500, 1_000, 2_000],
  giveUpAfterMs: 60_000,
  clusterRetryMs: 20_000,
};

export interface ConnectionOptions {
  /** The entry socket (the page's own origin's /ws). */
  url: string;
  /** The cluster's nodes as known so far (shared across connections by the room controller). */
  nodes?: NodeDirectory;
  hello: HelloParams;
  createClient?: (url: string, timeoutMs: number) => SignalingClient;
  timing?: Partial<ConnectionTiming>;
  /** Subscribes to "the network is back" (the window's 'online' event); returns the unsubscribe. */
  onOnline?: (listener: () => void) => () => void;
  requestTimeoutMs?: number;
}

/** The window's 'online' event: the network is back (outside a browser: never). */
export function defaultOnOnline(listener: () => void): () => void {
  if (typeof window === 'undefined') return () => {};
  window.addEventListener('online', listener);
  return () => window.removeEventListener('online', listener);
}
