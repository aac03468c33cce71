/**
 * What the meeting's socket does beneath the meeting: reconnecting (a banner,
 * the tiles stay), resumed on a new socket (same peer, same media), closed
 * (the end screens) or the room closed; and starting over with a fresh hello
 * and join when a resume is impossible. The RoomController owns the socket
 * and the lifecycle this drives (its end, fail and rejoin).
 */
import type { NotificationData, ResponseData } from '@chantier/signaling/protocol';
import type { AppErrorCode } from '../errors';
import { createLogger } from '../log';
import type { Connection, ConnectionClosed, ConnectionState } from '../signaling/Connection';
import type { Phase } from '../state/roomState';
import type { Admission } from './Admission';
import type { RemoteMedia } from './RemoteMedia';
import type { RoomLink } from './roomLink';
import type { TurnCredentials } from './TurnCredentials';

const log = createLogger('room');

type Hello = ResponseData<'hello'>;

/** The controller's lifecycle, which the socket's events drive. */
export interface ReconnectionHost {
  /** A resume's hello: the one held from now on. */
  resumed(hello: Hello): void;
  /** A fresh hello; `joinAgain`: then straight into the meeting, without the lobby. */
  startAfresh(joinAgain: boolean): void;
  end(phase: Extract<Phase, 'left' | 'ended' | 'disconnected'>, reason?: string): void;
  fail(code: AppErrorCode): void;
}

export interface ReconnectionParts {
  admission: Admission;
  turn: TurnCredentials;
  remote: Pick<RemoteMedia, 'consumeMissing'>;
}

export class Reconnection {
  constructor(
    private readonly link: RoomLink,
    private readonly host: ReconnectionHost,
    private readonly parts: ReconnectionParts,
  ) {}

  /** Listens to the socket's states, resumes and close, and to roomClosed; returns the ways to stop. */
  subscribe(signaling: Connection): Array<() => void> {
    return [
      signaling.onClose((closed) => this.handleSocketClosed(closed)),
      signaling.onState((connection) => this.onConnectionState(connection)),
      signaling.onResumed((hello) => this.onResumed(hello)),
      signaling.onNotification('roomClosed', (data) => this.onRoomClosed(data)),
    ];
  }

  private onConnectionState(connection: ConnectionState): void {
    // The phase stays as it is while reconnecting: the tiles stay, a banner says it.
    this.link.state.connection.value = connection === 'reconnecting' ? 'reconnecting' : 'ok';
    if (connection === 'expired') this.startOver('the server no longer has our session');
  }

  /** The session was taken back on a new socket: same peer, same media. */
  private onResumed(hello: Hello): void {
    const phase = this.link.state.phase.value;
    this.host.resumed(hello);
    if ((phase === 'joined' || phase === 'joining') && !hello.resumed?.joined) {
      this.startOver('resumed, but no longer joined');
      return;
    }
    const signaling = this.link.signaling();
    if (phase === 'waiting' && signaling) {
      log.info(`resumed as ${hello.peerId} while waiting in the lobby`);
      const generation = this.link.generation();
      this.parts.admission.knockAgain(signaling, () => generation !== this.link.generation());
      return;
    }
    log.info(`resumed as ${hello.peerId}`);
    // Before afterResume: a transport it restarts gathers with these.
    this.parts.turn.offer(hello.iceServers, 'resume');
    const session = this.link.session();
    if (!session) return;
    session.afterResume();
    // A consume whose answer was lost with the old socket: ask again (the
    // replayed notifications that follow take care of what changed meanwhile).
    this.parts.remote.consumeMissing(session);
  }

  /**
   * The fallback when a resume is impossible (grace period over, transport
   * gone on the server): a fresh hello and join, straight back into the room
   * when we were in it.
   */
  startOver(why: string): void {
    const phase = this.link.state.phase.value;
    if (phase !== 'joined' && phase !== 'joining' && phase !== 'lobby' && phase !== 'waiting') return;
    log.warn(`starting over with a fresh hello and join: ${why}`);
    this.host.startAfresh(phase !== 'lobby');
  }

  private handleSocketClosed(closed: ConnectionClosed): void {
    if (closed.byClient) return;
    const phase = this.link.state.phase.value;
    // During hello, the hello's own rejection reports the error.
    if (phase === 'connecting') return;
    switch (closed.kind) {
      case 'left':
        this.host.end('left');
        return;
      case 'room-closed':
        this.host.end('ended', this.link.state.endedReason.value ?? 'unknown');
        return;
      case 'replaced':
        this.host.end('ended', 'replaced');
        return;
      case 'removed':
        // No resume, no rejoin: the removed screen has no way back in.
        this.host.end('ended', 'removed');
        return;
      case 'hello-refused':
        this.host.fail(this.link.state.error.value ?? 'UNAUTHORIZED');
        return;
      case 'lost':
        log.warn(`connection lost (${closed.code})`);
        this.host.end('disconnected');
        return;
    }
  }

  private onRoomClosed({ reason }: NotificationData<'roomClosed'>): void {
    log.info(`room closed (${reason})`);
    this.host.end('ended', reason);
  }
}
