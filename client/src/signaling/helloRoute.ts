/**
 * Where a fresh hello goes in a cluster: the entry first, then the other
 * nodes known, following WRONG_NODE redirects to the meeting's node.
 */
import type { ResponseData } from '@chantier/signaling/protocol';
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import { MAX_REDIRECTS, type ConnectionTiming } from './connectionOptions';
import { nodeSocketUrl, type NodeDirectory } from './nodes';
import { SignalingError } from './SignalingError';

const log = createLogger('connection');

type Hello = ResponseData<'hello'>;

/** What the route needs from its Connection. */
export interface HelloRoute {
  nodes: NodeDirectory;
  timing: ConnectionTiming;
  /** One socket to one node and its hello (closed again on failure). */
  helloAt(url: string): Promise<Hello>;
  /** Still opening (not closed meanwhile). */
  connecting(): boolean;
  /** Waits before the next round (cut short when the network is back). */
  pause(ms: number): Promise<void>;
}

/**
 * A fresh hello: at the entry, then at the other nodes known; a WRONG_NODE
 * answer is followed to the node it names (MAX_REDIRECTS hops). A node
 * unreachable (CONNECTION_LOST, TIMEOUT) passes to the next; any other
 * refusal ends it. Alone (one node, no redirect) it tries once, as before
 * clusters; in a cluster it tries again for clusterRetryMs.
 */
export async function helloSomewhere(route: HelloRoute): Promise<Hello> {
  const deadline = Date.now() + route.timing.clusterRetryMs;
  for (let round = 0; ; round++) {
    let lastError: unknown = new SignalingError('CONNECTION_LOST', 'no node to say hello to');
    let redirected = false;
    const candidates = route.nodes.forHello();
    for (const start of candidates) {
      let url = start;
      for (let hops = 0; ; hops++) {
        try {
          return await route.helloAt(url);
        } catch (error) {
          lastError = error;
          const code = errorCodeOf(error);
          if (code === 'WRONG_NODE') {
            redirected = true;
            const next = nodeSocketUrl((error as SignalingError).details?.url ?? '');
            if (next && hops < MAX_REDIRECTS) {
              log.info(`the meeting is on ${next}: redirected`);
              url = next;
              continue;
            }
            log.warn(`redirected ${hops} time(s) without reaching the meeting's node`);
            break;
          }
          if (code !== 'CONNECTION_LOST' && code !== 'TIMEOUT') throw error;
          log.info(`node ${url} unreachable (${code})`);
          break;
        }
      }
      if (!route.connecting()) throw lastError;
    }
    const cluster = redirected || candidates.length > 1;
    if (!cluster || Date.now() >= deadline) throw lastError;
    const { backoffMs } = route.timing;
    await route.pause(backoffMs[Math.min(round, backoffMs.length - 1)] ?? 2_000);
    if (!route.connecting()) throw lastError;
  }
}
