/**
 * Fresh TURN credentials for a meeting session before the ones it holds
 * expire (issue 6). coturn refuses an allocation's Refresh, CreatePermission
 * and ChannelBind once its credential has expired, so a relayed transport
 * would die some minutes after expiry; the client re-allocates (ICE restart)
 * under each new credential it is sent.
 *
 * One renewal per meeting session: armed by every hello that hands the
 * session credentials (the first one, and each resume's), it sends the
 * `iceServers` notification at three quarters of the credential's lifetime,
 * then again three quarters of a lifetime after that, until stopped. A
 * session without a socket (grace period) keeps its renewals in the replay
 * buffer like any notification; the client keeps the newest it has seen.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { IceServer, TurnService } from '../plugins/turn.js';
import type { NotificationData } from '../protocol/index.js';

/** When the next credentials go, as a share of the lifetime of the last ones. */
export const RENEW_AT_SHARE = 3 / 4;

export function renewalDelayMs(credentialTtlS: number): number {
  return Math.round(credentialTtlS * 1000 * RENEW_AT_SHARE);
}

export interface CredentialRenewalOptions {
  /** Lifetime of a credential, seconds. */
  ttlS: number;
  /** Fresh credentials, now. */
  issue: () => IceServer[];
  /** Sends renewed credentials; not called once stopped. */
  deliver: (iceServers: IceServer[]) => void;
}

export class CredentialRenewal {
  readonly #options: CredentialRenewalOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: CredentialRenewalOptions) {
    this.#options = options;
  }

  /** Whether a renewal is scheduled. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Credentials to hand out now (in a hello's answer); the next ones follow
   * at three quarters of their lifetime, replacing any renewal scheduled.
   * Once stopped: still credentials, no renewal.
   */
  issue(): IceServer[] {
    const iceServers = this.#options.issue();
    this.#arm();
    return iceServers;
  }

  /** No renewal any more. Idempotent. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped) return;
      const iceServers = this.#options.issue();
      this.#arm();
      this.#options.deliver(iceServers);
    }, renewalDelayMs(this.#options.ttlS));
    // A renewal is no reason to keep the process alive.
    this.#timer.unref?.();
  }
}

/**
 * What helloIceServers needs of a session: declared here rather than imported from ws/Session.ts
 * (which holds its renewal), so that the two do not import each other. Session satisfies it as it is.
 */
export interface RenewableSession {
  /** Set at hello, before its answer's ICE servers are made. */
  readonly identity: { readonly userId: string } | undefined;
  /** A meeting session has a room (any value but undefined). */
  readonly room: object | undefined;
  /** Session's state: 'closed' once the session has ended. */
  readonly state: string;
  credentialRenewal: CredentialRenewal | undefined;
  readonly log: FastifyBaseLogger;
  notify(type: 'iceServers', data: NotificationData<'iceServers'>): void;
}

/**
 * The ICE servers of a hello's answer for `session` (whose identity is set).
 * A meeting session (one with a room) on a server with TURN gets them from
 * its renewal, which this (re)arms; any other gets one-off credentials.
 */
export function helloIceServers(turn: TurnService, session: RenewableSession): IceServer[] {
  const userId = session.identity!.userId;
  const ttlS = turn.credentialTtlS;
  if (!session.room || ttlS === undefined || session.state === 'closed') return turn.iceServers(userId);
  if (!session.credentialRenewal) {
    const renewal = new CredentialRenewal({
      ttlS,
      issue: () => turn.iceServers(userId),
      deliver: (iceServers) => {
        // Every end of a session stops its renewal; this is the safety net.
        if (session.state === 'closed') {
          renewal.stop();
          return;
        }
        session.log.debug({ ttlS }, 'TURN credentials renewed');
        session.notify('iceServers', { iceServers });
      },
    });
    session.credentialRenewal = renewal;
  }
  return session.credentialRenewal.issue();
}
