/**
 * The ICE restarts of a MediaSession's transports: after a network change
 * (a transport failed, or disconnected and not back soon, or the signaling
 * session resumed on a new socket), and to re-allocate a relay under new TURN
 * credentials (iceServers.ts). One restart in flight per transport. Owned by
 * the MediaSession, which lends it its transports and closes it.
 */
import type { Transport } from 'mediasoup-client/types';
import { errorCodeOf } from '../errors';
import { createLogger } from '../log';
import type { SignalingChannel } from '../signaling/Connection';
import { renewTransports } from './iceServers';

const log = createLogger('media-session');

/** After a resume, a transport not connected by then gets an ICE restart. */
const RESUME_ICE_GRACE_MS = 1_500;
/** A transport 'disconnected' this long (the socket being fine) gets an ICE restart. */
const DISCONNECTED_ICE_GRACE_MS = 2_000;
/**
 * A transport that fails again before it has connected waits 1, 2, 4… s
 * (at most 30 s) before its next restart; connecting starts over. Restarting
 * at once each time made dozens of restarts in 2 s against a full TURN server
 * (each gathering new allocations that it refused: found in the deploy test).
 */
export const RESTART_BACKOFF_FIRST_MS = 1_000;
export const RESTART_BACKOFF_MAX_MS = 30_000;

/** What the MediaSession lends its ICE restarts: read at each use. */
export interface IceRestartLink {
  readonly signaling: SignalingChannel;
  /** The send and receive transports: null until made. */
  transports(): readonly (Transport | null)[];
  /** The server no longer knows a transport of ours (its restart was refused NOT_FOUND). */
  transportGone(): void;
}

export class IceRestarts {
  /** Transports with an ICE restart in flight: one at a time each. */
  private readonly restarting = new Set<Transport>();
  /** Transports to restart again once their restart in flight is over (new credentials came meanwhile). */
  private readonly restartAgain = new Set<Transport>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Restarts on failure since each transport last connected (the back-off's exponent). */
  private readonly failedRestarts = new Map<Transport, number>();
  /** Transports waiting out their back-off before a restart. */
  private readonly backingOff = new Set<Transport>();
  private closed = false;

  constructor(private readonly link: IceRestartLink) {}

  /** A transport's connection state changed: failed restarts now, disconnected if not back soon. */
  onConnectionState(transport: Transport, state: Transport['connectionState']): void {
    if (state === 'connected') this.failedRestarts.delete(transport);
    if (state === 'failed') this.restartFailed(transport);
    // Often ICE comes back by itself (the same path returns); if not, restart it.
    if (state === 'disconnected') this.restartUnlessConnected(transport, DISCONNECTED_ICE_GRACE_MS);
  }

  /**
   * Newer TURN credentials: the open transports get them, and those that go
   * through a relay restart ICE so that their allocation is made anew under
   * the new credential before the old one expires.
   */
  async renew(iceServers: RTCIceServer[]): Promise<void> {
    await renewTransports(
      this.link.transports(),
      iceServers,
      (transport) => this.restartIce(transport, 'new TURN credentials'),
      (transport, error) => log.warn(`cannot give new TURN credentials to the ${transport.direction} transport`, error),
    );
  }

  /**
   * The signaling session was resumed on a new socket: transports whose ICE
   * failed restart now, those not connected shortly after restart then.
   */
  afterResume(): void {
    for (const transport of this.link.transports()) {
      if (!transport || transport.closed) continue;
      const state = transport.connectionState;
      if (state === 'failed') this.restartFailed(transport);
      else if (state !== 'new' && state !== 'connected') this.restartUnlessConnected(transport, RESUME_ICE_GRACE_MS);
    }
  }

  /** No more restarts, and the pending ones dropped. Idempotent. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** A failed transport: restarted now the first time, after a growing wait when it fails again without connecting. */
  private restartFailed(transport: Transport): void {
    if (this.closed || this.backingOff.has(transport) || this.restarting.has(transport)) return;
    const failures = this.failedRestarts.get(transport) ?? 0;
    this.failedRestarts.set(transport, failures + 1);
    if (failures === 0) {
      this.restartIce(transport);
      return;
    }
    const wait = Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_FIRST_MS * 2 ** (failures - 1));
    log.info(`the ${transport.direction} transport failed again: ICE restart in ${wait} ms`);
    this.backingOff.add(transport);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.backingOff.delete(transport);
      if (!this.closed && !transport.closed && transport.connectionState === 'failed') this.restartIce(transport);
    }, wait);
    this.timers.add(timer);
  }

  private restartUnlessConnected(transport: Transport, afterMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.closed || transport.closed) return;
      const state = transport.connectionState;
      if (state !== 'connected' && state !== 'new') this.restartIce(transport);
    }, afterMs);
    this.timers.add(timer);
  }

  /**
   * ICE restart after a network change (Wi-Fi to 4G on a site), or to
   * re-allocate a relay under new TURN credentials; media resumes without
   * rejoining. A renewal that comes during a restart in flight restarts
   * again after it: the one in flight may have gathered with the old servers.
   */
  private restartIce(transport: Transport, why?: string): void {
    if (this.closed) return;
    if (this.restarting.has(transport)) {
      if (why) this.restartAgain.add(transport);
      return;
    }
    this.restarting.add(transport);
    log.info(`ICE restart of the ${transport.direction} transport (${transport.connectionState})${why ? `: ${why}` : ''}`);
    this.link.signaling
      // Safe to send again after a resume: the last answer's parameters are the ones applied.
      .request('restartIce', { transportId: transport.id }, { retryOnLost: true })
      .then(({ iceParameters }) => (transport.closed ? undefined : transport.restartIce({ iceParameters })))
      .catch((error: unknown) => {
        log.warn(`ICE restart of ${transport.direction} transport failed`, error);
        if (errorCodeOf(error) === 'NOT_FOUND' && !this.closed) this.link.transportGone();
      })
      .finally(() => {
        this.restarting.delete(transport);
        if (this.restartAgain.delete(transport) && !transport.closed) this.restartIce(transport, 'new TURN credentials');
      });
  }
}
