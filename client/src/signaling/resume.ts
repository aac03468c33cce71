/**
 * Taking a session back after its socket was lost (hello.resume,
 * docs/PROTOCOL.md "Resume"): new sockets, with back-off, until one resumes
 * the session, the server says it is gone, or the time runs out.
 *
 * Apart from Connection, which owns the state and the sockets, so that the
 * attempts' order and their outcomes are read and tested on their own.
 */
import type { RequestData, ResponseData } from '@chantier/signaling/protocol';
import { errorCodeOf, isRetryable } from '../errors';
import { createLogger } from '../log';
import type { ConnectionTiming } from './connectionOptions';
import { nodeSocketUrl, type NodeDirectory } from './nodes';
import type { SignalingClient, SocketClosed } from './SignalingClient';
import type { SignalingError } from './SignalingError';

const log = createLogger('connection');

type Hello = ResponseData<'hello'>;

/** What an attempt does with its socket. */
export type ResumeSocket = Pick<SignalingClient, 'connect' | 'request' | 'close'>;

/** What a resume needs from its Connection. */
export interface ResumeHost<S extends ResumeSocket> {
  nodes: Pick<NodeDirectory, 'forResume' | 'current' | 'learn'>;
  timing: ConnectionTiming;
  /** A new socket to `url` (not connected yet), opening within timing.openTimeoutMs. */
  createSocket(url: string): S;
  /** The session to take back; null when there is none (no resume secret). */
  session(): ResumeKey | null;
  /** The hello that resumes `session`, with the hello's parameters and the last seq as they are now. */
  resumeHello(session: ResumeKey): RequestData<'hello'>;
  /** Still reconnecting (not closed or expired meanwhile). */
  reconnecting(): boolean;
  /** `socket` is being tried (its replayed notifications count already); the result ends that. */
  watch(socket: S): () => void;
  /** The session is back, on `socket`. */
  resumed(socket: S, answer: Hello): void;
  /** The server no longer has the session (RESUME_FAILED). */
  expired(): void;
  /** The connection ends for good, for this reason. */
  end(closed: SocketClosed): void;
  /** Waits before the next attempt (cut short when the network is back). */
  pause(ms: number): Promise<void>;
}

export interface ResumeKey {
  peerId: string;
  secret: string;
}

type Outcome = 'resumed' | 'again' | 'stop';

/** Attempts in turn until one settles it; started once per lost socket. */
export async function resumeSession<S extends ResumeSocket>(host: ResumeHost<S>): Promise<void> {
  const started = Date.now();
  /** Which node the next attempt tries (see attempt); from 0 at each loss, and after a WRONG_NODE. */
  const route = { step: 0 };
  for (let attempt = 0; host.reconnecting(); attempt++) {
    const { backoffMs } = host.timing;
    await host.pause(backoffMs[Math.min(attempt, backoffMs.length - 1)] ?? 2_000);
    if (!host.reconnecting()) return;
    if (Date.now() - started > host.timing.giveUpAfterMs) {
      log.warn('could not resume in time; giving up');
      host.end({ code: 1006, reason: 'could not reconnect', kind: 'lost', byClient: false });
      return;
    }
    const outcome = await tryResume(host, attempt, route);
    if (outcome === 'resumed' || outcome === 'stop') return;
  }
}

async function tryResume<S extends ResumeSocket>(host: ResumeHost<S>, attempt: number, route: { step: number }): Promise<Outcome> {
  const session = host.session();
  if (!session) return 'stop';
  // Twice at the session's node, then the entry and the other nodes in turn. A
  // survivor answers WRONG_NODE while the session's node is alive (back to it),
  // RESUME_FAILED once it is dead (then a fresh hello, and the survivor takes the meeting over).
  const candidates = host.nodes.forResume();
  const url = candidates[Math.floor(route.step++ / 2) % candidates.length]!;
  const socket = host.createSocket(url);
  const unwatch = host.watch(socket);
  try {
    await socket.connect();
    const request = host.resumeHello(session);
    const answer = await socket.request('hello', request, { timeoutMs: host.timing.helloTimeoutMs });
    if (!host.reconnecting()) {
      socket.close(1000, 'no longer needed');
      return 'stop';
    }
    host.nodes.current = url;
    host.nodes.learn(answer.nodes);
    log.info(`resumed as ${answer.peerId} after ${attempt + 1} attempt(s), from seq ${request.resume?.lastSeq}`);
    host.resumed(socket, answer);
    return 'resumed';
  } catch (error) {
    socket.close(1000, 'resume attempt failed');
    const code = errorCodeOf(error);
    if (!host.reconnecting()) return 'stop';
    if (code === 'WRONG_NODE') {
      // Another node: the session's node is alive (our network failed, not the node). Back to it.
      const next = nodeSocketUrl((error as SignalingError).details?.url ?? '');
      if (next) host.nodes.current = next;
      route.step = 0;
      log.info(`the session is on ${next ?? 'another node'}: resuming there`);
      return 'again';
    }
    if (code === 'RESUME_FAILED') {
      log.warn('the server no longer has this session');
      host.expired();
      return 'stop';
    }
    if (!isRetryable(code)) {
      log.warn(`resume refused (${code})`);
      host.end({ code: 4001, reason: code, kind: 'hello-refused', byClient: false });
      return 'stop';
    }
    log.debug(`resume attempt ${attempt + 1} failed (${code})`);
    return 'again';
  } finally {
    unwatch();
  }
}
