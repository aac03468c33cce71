/**
 * The TURN credentials of one socket's session on the client: the hello's,
 * then the server's renewals (`iceServers` notification) and a resume's
 * hello, each handed to the media session if it is newer than those held
 * (iceServers.ts says why a relayed transport must restart its ICE).
 * Owned by the RoomController, reset with each connection.
 */
import type { ResponseData } from '@chantier/signaling/protocol';
import { createLogger } from '../log';
import { credentialExpiry, isFresher } from './iceServers';
import type { MediaSession } from './mediaSessionLoader';

const log = createLogger('room');

type IceServers = ResponseData<'hello'>['iceServers'];

export class TurnCredentials {
  /** The newest TURN credentials of this socket's session: the hello's, then renewals. */
  private held: IceServers = [];

  /** `target`: the session to renew, the meeting's or, before the join, the one made on the join screen. */
  constructor(private readonly target: () => MediaSession | null | undefined) {}

  /** A fresh hello's credentials (the session is made with them): held from now on. */
  hold(iceServers: IceServers): void {
    this.held = iceServers;
  }

  /** The socket went. */
  clear(): void {
    this.held = [];
  }

  /**
   * TURN credentials from a renewal or a resume's hello: kept if they expire
   * later than those held (a renewal replayed after a resume is older than
   * the resume's own), then handed to the media session, which restarts ICE
   * on its relayed transports. A resume's credentials are applied like a
   * renewal: the server's next renewal counts from that hello, possibly after
   * the credential a relay was allocated with has expired.
   */
  offer(iceServers: IceServers, from: 'renewal' | 'resume'): void {
    if (!isFresher(iceServers, this.held)) {
      log.debug(`TURN credentials of the ${from} ignored: not newer than those held`);
      return;
    }
    this.held = iceServers;
    const expiry = credentialExpiry(iceServers)!;
    log.info(`new TURN credentials (${from}), valid until ${new Date(expiry * 1000).toISOString()}`);
    this.target()
      ?.renewIceServers(iceServers)
      .catch((error: unknown) => log.warn('new TURN credentials not applied', error));
  }
}
