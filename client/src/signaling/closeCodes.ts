import { WsCloseCode } from '@chantier/signaling/protocol';

/** What a socket close means for the user. */
export type CloseKind = 'hello-refused' | 'left' | 'room-closed' | 'replaced' | 'removed' | 'lost';

/**
 * The server closes with 4000-4999 for reasons the client can explain; any
 * other code (1006 network drop, 1001 going away, 1002/1008 protocol errors,
 * 4004 hello timeout) is a lost connection.
 */
export function classifyClose(code: number): CloseKind {
  switch (code) {
    case WsCloseCode.HELLO_REFUSED:
      return 'hello-refused';
    case WsCloseCode.LEFT:
      return 'left';
    case WsCloseCode.ROOM_CLOSED:
      return 'room-closed';
    case WsCloseCode.REPLACED:
      return 'replaced';
    // Final: never resumed (only 'lost' is), never rejoined on its own.
    case WsCloseCode.REMOVED:
      return 'removed';
    default:
      return 'lost';
  }
}
