/**
 * The edge of the WebSocket protocol: every incoming frame is parsed,
 * validated against the protocol's schemas and checked against the session's
 * state before any handler sees it. Errors become coded responses; the socket
 * stays open (except after a refused hello). Fastify's error handler does not
 * run here, so everything is caught in this module.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { RawData } from 'ws';
import { toClientError } from '../errors.js';
import type { HandlerContext, HandlerDef } from '../handlers/types.js';
import { handlers } from '../handlers/index.js';
import {
  ErrorCode,
  RequestEnvelope,
  Requests,
  WsCloseCode,
  type ErrorBody,
  type RequestType,
} from '../protocol/index.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../protocol/jsonDepth.js';
import type { Session } from './Session.js';

const checkEnvelope = TypeCompiler.Compile(RequestEnvelope);
/**
 * Each request type's checker, compiled on its first use rather than all at
 * start: a node that never sees most types (a project page asks for a few)
 * keeps neither their generated code nor the time it took.
 */
const checkData = new Map<RequestType, TypeCheck<TSchema>>();

function checkerOf(type: RequestType): TypeCheck<TSchema> {
  let check = checkData.get(type);
  if (!check) {
    check = TypeCompiler.Compile(Requests[type].request as TSchema);
    checkData.set(type, check);
  }
  return check;
}

function isRequestType(type: string): type is RequestType {
  return Object.hasOwn(Requests, type);
}

function firstError(check: TypeCheck<TSchema>, value: unknown): string {
  const e = check.Errors(value).First();
  return e ? `${e.path || '/'}: ${e.message}` : 'invalid';
}

/** After this many rate-limited frames in a row the socket is closed (1008). */
const MAX_CONSECUTIVE_LIMITED = 100;

export type ContextFactory = (session: Session) => HandlerContext;

/** Told of every answer to a request (metrics/Metrics.ts): what it was, how long it took, its error code if refused. */
export interface AnswerObserver {
  observeAnswer(type: RequestType | undefined, seconds: number, code: ErrorBody['code'] | undefined): void;
}

export async function dispatch(
  makeContext: ContextFactory,
  session: Session,
  raw: RawData,
  isBinary: boolean,
  observer?: AnswerObserver,
): Promise<void> {
  if (session.state === 'closed') return;
  const arrived = performance.now();
  /** The request's type once known to be one; labels what is observed. */
  let known: RequestType | undefined;
  const observe = (code: ErrorBody['code'] | undefined): void => {
    try {
      observer?.observeAnswer(known, (performance.now() - arrived) / 1000, code);
    } catch (error) {
      session.log.warn({ err: error }, 'answer not observed');
    }
  };
  const fail = (id: number | null, body: ErrorBody): void => {
    session.fail(id, body);
    observe(body.code);
  };
  // Every frame costs a token, garbage included; the refusal is sent once the
  // frame is parsed, so that it carries the request's id when there is one.
  const allowed = session.limiter.take();
  if (!allowed && ++session.limitedInARow > MAX_CONSECUTIVE_LIMITED) {
    session.close(WsCloseCode.POLICY_VIOLATION, 'rate limit');
    return;
  }
  const refuse = (id: number | null, body: ErrorBody): void =>
    fail(id, allowed ? body : { code: ErrorCode.RATE_LIMITED, message: 'too many messages' });

  if (isBinary) {
    refuse(null, { code: ErrorCode.BAD_REQUEST, message: 'binary frames are not part of the protocol' });
    return;
  }
  const text = rawToString(raw);
  // Before parsing: a text nested past this is no request of the protocol,
  // and some nest past what JSON.stringify (logs, Redis, the SFU) can take.
  if (nestsDeeperThan(text)) {
    refuse(null, { code: ErrorCode.BAD_REQUEST, message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` });
    return;
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    refuse(null, { code: ErrorCode.BAD_REQUEST, message: 'not JSON' });
    return;
  }
  if (!checkEnvelope.Check(message)) {
    const id = idOf(message);
    refuse(id, { code: ErrorCode.BAD_REQUEST, message: `bad envelope: ${firstError(checkEnvelope, message)}` });
    return;
  }
  const { id, type } = message;
  if (isRequestType(type)) known = type;
  if (!allowed) {
    refuse(id, { code: ErrorCode.RATE_LIMITED, message: 'too many messages' });
    return;
  }
  session.limitedInARow = 0;
  if (!isRequestType(type)) {
    fail(id, { code: ErrorCode.UNKNOWN_REQUEST, message: `unknown request type "${type.slice(0, 64)}"` });
    return;
  }
  const data = message.data ?? {};
  const check = checkerOf(type);
  if (!check.Check(data)) {
    fail(id, { code: ErrorCode.BAD_REQUEST, message: `${type}: ${firstError(check, data)}` });
    return;
  }
  const def = handlers[type] as HandlerDef<RequestType>;
  const refusal = stateRefusal(session, type, def.requires);
  if (refusal) {
    fail(id, refusal);
    return;
  }

  const context = makeContext(session);
  // Per address, over all of its sockets (per-socket limits are above).
  const wait = context.app.ipLimits.take(type, session.ip);
  if (wait > 0) {
    fail(id, { code: ErrorCode.RATE_LIMITED, message: `too many ${type} requests from this address; retry in ${Math.ceil(wait / 1000)} s` });
    return;
  }
  // A hello may fail after it began to set the session up (Redis unavailable
  // while recording presence): the socket is closed all the same.
  const helloOnNew = type === 'hello' && session.state === 'new';
  try {
    const result = await def.handle(context, data as never);
    session.respond(id, result);
    observe(undefined);
  } catch (error) {
    const clientError = toClientError(error);
    if (clientError) {
      session.log.debug({ type, id, code: clientError.code, msg: clientError.message }, 'request refused');
      fail(id, { code: clientError.code, message: clientError.message, ...(clientError.details ? { details: clientError.details } : {}) });
    } else {
      session.log.error({ err: error, type, id }, 'request failed');
      fail(id, { code: ErrorCode.INTERNAL, message: 'internal error' });
    }
    // A refused hello (a refused resume included) closes the socket: the
    // client starts over on a new one (docs/PROTOCOL.md, "Resume").
    // (The handler may have changed the state that TypeScript narrowed above.)
    if (helloOnNew && (session.state as Session['state']) !== 'closed') {
      session.log.info({ code: clientError?.code ?? ErrorCode.INTERNAL }, 'hello refused');
      session.close(WsCloseCode.HELLO_REFUSED, clientError?.code ?? ErrorCode.INTERNAL);
    }
  } finally {
    // After the response (or the refusal) is on the socket: e.g. a resume's replay.
    for (const task of context.afterResponse) task();
  }
}

function stateRefusal(session: Session, type: RequestType, requires: HandlerDef<RequestType>['requires']): ErrorBody | undefined {
  if (requires === 'none') return undefined;
  if (session.state === 'new') return { code: ErrorCode.HELLO_REQUIRED, message: `send hello before ${type}` };
  if (requires === 'joined' && session.state !== 'joined') {
    return { code: ErrorCode.NOT_JOINED, message: `join before ${type}` };
  }
  if ((type === 'join' || type === 'knock') && session.state === 'joined') {
    return { code: ErrorCode.ALREADY_JOINED, message: 'already joined' };
  }
  return undefined;
}

function idOf(message: unknown): number | null {
  if (message && typeof message === 'object' && 'id' in message) {
    const id = (message as { id: unknown }).id;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  }
  return null;
}

function rawToString(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}
