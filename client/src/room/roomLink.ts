/**
 * What the RoomController lends the modules it delegates to (Moderation,
 * RemoteMedia, ...): the room's state, and the objects that change with every
 * connection, read at each use. Only RoomSocket.ts sets those.
 */
import type { Connection } from '../signaling/Connection';
import type { RoomState } from '../state/roomState';
import type { MediaSession } from './mediaSessionLoader';

export interface RoomLink {
  readonly state: RoomState;
  /** The meeting's media session: null until the join adopts one, and after a teardown. */
  session(): MediaSession | null;
  /** This connection's socket: null after a teardown. */
  signaling(): Connection | null;
  /** Bumped by every teardown: async work started before it sees it changed and drops its result. */
  generation(): number;
  /** Whether a peer id is this participant's (the newest hello's). */
  isSelf(peerId: string): boolean;
}
