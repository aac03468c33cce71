import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { CloseReason, RequestData, RequestType, ResponseData } from '../protocol/index.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { Session } from '../ws/Session.js';

/** What a handler may use besides its session. */
export interface HandlerContext {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly rooms: RoomRegistry;
  readonly session: Session;
  /** The socket the request came on, for a resume to move it to another session. */
  readonly connection: ConnectionControl;
  /** Tasks the dispatcher runs right after this request's response is sent. */
  readonly afterResponse: Array<() => void>;
}

/** What a handler may do with the socket beyond answering on it (see plugins/ws.ts). */
export interface ConnectionControl {
  /**
   * From now on this socket speaks for `target` (a resumed session); the
   * session the socket was opened with is dropped without side effects.
   */
  takeOver(target: Session): void;
  /** Ends a session at once: out of its room (peerLeft `reason`) and offline. */
  end(target: Session, reason: CloseReason): Promise<void>;
}

/** Which session state a request needs; checked by the dispatcher before the handler runs. */
export type Requirement = 'none' | 'ready' | 'joined';

export interface HandlerDef<T extends RequestType> {
  readonly requires: Requirement;
  readonly handle: (ctx: HandlerContext, data: RequestData<T>) => Promise<ResponseData<T>>;
}

/** One entry per request type: a missing one is a compile error. */
export type HandlerTable = { readonly [T in RequestType]: HandlerDef<T> };
