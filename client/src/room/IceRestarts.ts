/**
 * The ICE restarts of a MediaSession's transports: after a network change
 * (a transport failed, or disconnected and not back soon, or the signaling
 * session resumed on a new socket), and to re-allocate a relay under new TURN
 * credentials (iceServers.ts), or because it never connected (the watchdog
 * below). One restart in flight per transport. Owned by the MediaSession,
 * which lends it its transports and closes it.
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

/**
 * A transport not connected this long after it began connecting (its first
 * produce, consume or data channel) or after its last ICE restart gets an
 * ICE restart, with the back-off above: ICE may never say 'failed' (a
 * relay-only page whose TURN server refused every allocation gathers no
 * candidate and stays 'new': no pair to fail; found in the deploy test), and without
 * a restart it would never gather again once the server has room. Like
 * LiveKit's peer connection timeout (15 s) and Jitsi's ICE watchdog. 10 s is
 * over 4x what connecting took on the weak link (300 kbit/s, 150 ms round
 * trip, 5 % loss; test/netlab, session 15: 0.6-2.3 s from gathering to
 * 'connected', 12 transports in 6 joins): a DTLS flight lost three times in
 * a row (retransmitted after 1, 2, 4 s) still fits; and a link slower than
 * that is not restarted in a loop: the back-off adds 1, 2, 4… 30 s to each
 * new bound until it connects.
 */
export const NEVER_CONNECTED_MS = 10_000;

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
  /** Each connecting transport's watchdog: restarts it unless connected by then. */
  private readonly watchdogs = new Map<Transport, ReturnType<typeof setTimeout>>();
  /** Transports that began connecting: one not used yet stays 'new' by design, and is not watched. */
  private readonly started = new WeakSet<Transport>();
  private closed = false;

  constructor(private readonly link: IceRestartLink) {}

  /**
   * A transport began connecting (mediasoup-client's 'connect': its first
   * produce, consume or data channel): restarted unless connected in time.
   */
  onConnecting(transport: Transport): void {
    this.started.add(transport);
    this.watch(transport);
  }

  /** A transport's connection state changed: failed restarts now, disconnected if not back soon. */
  onConnectionState(transport: Transport, state: Transport['connectionState']): void {
    if (state === 'connected') {
      this.failedRestarts.delete(transport);
      this.unwatch(transport);
    }
    if (state === 'closed') this.unwatch(transport);
    if (state === 'failed') this.restartFailed(transport, 'failed');
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
      if (state === 'failed') this.restartFailed(transport, 'failed');
      else if (state !== 'new' && state !== 'connected') this.restartUnlessConnected(transport, RESUME_ICE_GRACE_MS);
    }
  }

  /** No more restarts, and the pending ones dropped. Idempotent. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const timer of this.watchdogs.values()) clearTimeout(timer);
    this.watchdogs.clear();
  }

  /**
   * A transport failed, or never connected: restarted now the first time,
   * after a growing wait when it fails again without connecting (the same
   * count for both causes, reset only by 'connected').
   */
  private restartFailed(transport: Transport, why: 'failed' | 'never connected'): void {
    if (this.closed || this.backingOff.has(transport) || this.restarting.has(transport)) return;
    // Its restart re-arms the watchdog; until then, the back-off decides.
    this.unwatch(transport);
    const failures = this.failedRestarts.get(transport) ?? 0;
    this.failedRestarts.set(transport, failures + 1);
    const reason = why === 'failed' ? undefined : `not connected ${NEVER_CONNECTED_MS} ms after connecting or restarting`;
    if (failures === 0) {
      this.restartIce(transport, reason);
      return;
    }
    const wait = Math.min(RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_FIRST_MS * 2 ** (failures - 1));
    log.info(`the ${transport.direction} transport ${why === 'failed' ? 'failed' : 'did not connect'} again: ICE restart in ${wait} ms`);
    this.backingOff.add(transport);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.backingOff.delete(transport);
      if (!this.closed && !transport.closed && transport.connectionState !== 'connected') this.restartIce(transport, reason);
    }, wait);
    this.timers.add(timer);
  }

  /** (Re)arms a transport's watchdog: NEVER_CONNECTED_MS from now, unless connected by then. */
  private watch(transport: Transport): void {
    if (this.closed || transport.closed || !this.started.has(transport)) return;
    this.unwatch(transport);
    const timer = setTimeout(() => {
      this.watchdogs.delete(transport);
      if (this.closed || transport.closed || transport.connectionState === 'connected') return;
      this.restartFailed(transport, 'never connected');
    }, NEVER_CONNECTED_MS);
    this.watchdogs.set(transport, timer);
  }

  private unwatch(transport: Transport): void {
    const timer = this.watchdogs.get(transport);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.watchdogs.delete(transport);
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
      .then(async ({ iceParameters }) => {
        if (transport.closed) return;
        await transport.restartIce({ iceParameters });
        // Each restart gets its own bound to connect in (a restart after new credentials on a connected transport finds it connected).
        if (transport.connectionState !== 'connected') this.watch(transport);
      })
      .catch((error: unknown) => {
        log.warn(`ICE restart of ${transport.direction} transport failed`, error);
        if (errorCodeOf(error) === 'NOT_FOUND') {
          if (!this.closed) this.link.transportGone();
        } else if (transport.connectionState !== 'connected') {
          // Tried again after the bound, backed off, rather than left unconnected.
          this.watch(transport);
        }
      })
      .finally(() => {
        this.restarting.delete(transport);
        if (this.restartAgain.delete(transport) && !transport.closed) this.restartIce(transport, 'new TURN credentials');
      });
  }
}
