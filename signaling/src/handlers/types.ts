import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { RequestData, RequestType, ResponseData } from '../protocol/index.js';
import type { RoomRegistry } from '../rooms/RoomRegistry.js';
import type { Session } from '../ws/Session.js';

/** What a handler may use besides its session. */
export interface HandlerContext {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly rooms: RoomRegistry;
  readonly session: Session;
}

/** Which session state a request needs; checked by the dispatcher before the handler runs. */
export type Requirement = 'none' | 'ready' | 'joined';

export interface HandlerDef<T extends RequestType> {
  readonly requires: Requirement;
  readonly handle: (ctx: HandlerContext, data: RequestData<T>) => Promise<ResponseData<T>>;
}

/** One entry per request type: a missing one is a compile error. */
export type HandlerTable = { readonly [T in RequestType]: HandlerDef<T> };
