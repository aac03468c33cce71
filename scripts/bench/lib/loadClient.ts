/**
 * The signaling benchmark's clients, as a load generator (lib/wsLoad.ts) holds
 * them: a Chantier meeting socket and a Janus VideoRoom participant, each a
 * RawWs (lib/rawWs.ts) with its requests outstanding. Lean on purpose, unlike
 * test/TestClient.ts (which validates every message against the protocol's
 * schemas): an answer is read only as far as the next step needs (its id and
 * ok; of the hello's data only the router's RTP capabilities, parsed once per
 * distinct value), of the notifications only the type and the benchmark's chat
 * texts, so that the generator costs as little CPU as it can next to the
 * server. Every wait is bounded: one sweep a second per generator fails what
 * is overdue (no timer per request).
 */
import { performance } from 'node:perf_hooks';
import { RawWs, type RawWsListener } from './rawWs.js';
import type { LoadClientSpec, Traffic } from './wsLoadProtocol.js';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across the processes of one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

export const REQUEST_TIMEOUT_MS = 30_000;
export const CONNECT_TIMEOUT_MS = 30_000;
/** Chat texts the benchmark sends: "bench <send time ms> <sender>"; other chat messages are not counted. */
const BENCH_TEXT = /"text":"bench (\d+(?:\.\d+)?) /;
const NOTIFICATION_PREFIX = Buffer.from('{"kind":"ntf","type":"');
const RESPONSE_PREFIX = Buffer.from('{"kind":"res","id":');
const OK_TRUE = Buffer.from(',"ok":true');
const CHAT_MESSAGE = 'chatMessage';
const CAPABILITIES_KEY = Buffer.from('"routerRtpCapabilities":');
const QUOTE = 0x22;

export class RequestError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
  deadline: number;
}

/** Counts chat deliveries while a chat step runs. */
export interface ChatSink {
  delivered: number;
  latencies: number[];
  lastAt: number;
}

export const emptyTraffic = (): Traffic => ({ frames: 0, bytes: 0, notifications: {}, notificationBytes: {} });

/** A client socket with its outstanding requests (key → pending) and a bound on its opening. */
abstract class BenchSocket<K, T> extends RawWs {
  readonly pending = new Map<K, Pending<T>>();
  openDeadline = 0;

  protected track(key: K, send: string): Promise<T> {
    if (!this.send(send)) return Promise.reject(new RequestError('socket not open'));
    return new Promise<T>((resolve, reject) => this.pending.set(key, { resolve, reject, deadline: now() + REQUEST_TIMEOUT_MS }));
  }

  settle(key: K, outcome: T | Error): void {
    const pending = this.pending.get(key);
    if (!pending) return;
    this.pending.delete(key);
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  /** Every request still waiting fails (the socket is gone). */
  failAll(code: string): void {
    for (const pending of this.pending.values()) pending.reject(new RequestError(code));
    this.pending.clear();
  }

  /** Fails what is overdue at `at`. */
  sweep(at: number): void {
    if (this.state === 'connecting' && this.openDeadline > 0 && at > this.openDeadline) this.terminate('connect timeout');
    for (const [key, pending] of this.pending) {
      if (pending.deadline > at) continue;
      this.pending.delete(key);
      pending.reject(new RequestError('request timeout'));
    }
  }
}

/** A Chantier meeting socket; an answer resolves with its bytes (`{"kind":"res","id":N,"ok":true,...}`). */
export class LoadClient extends BenchSocket<number, Buffer> {
  /** The join's `rtpCapabilities` as JSON, once the hello answered (shared by the clients of one router). */
  capabilitiesJson: string | null = null;
  #nextId = 1;

  constructor(readonly spec: LoadClientSpec) {
    super();
  }

  /** `dataJson`: the request's data, already JSON. */
  request(type: string, dataJson: string): Promise<Buffer> {
    const id = this.#nextId++;
    return this.track(id, `{"kind":"req","id":${id},"type":"${type}","data":${dataJson}}`);
  }
}

/**
 * What every Chantier client of a generator reports to: traffic counted,
 * answers matched to their requests by id, chat deliveries timed.
 */
export class ChantierListener implements RawWsListener<LoadClient> {
  traffic: Traffic = emptyTraffic();
  sink: ChatSink | null = null;

  message(client: LoadClient, payload: Buffer): void {
    const traffic = this.traffic;
    traffic.frames++;
    traffic.bytes += payload.length;
    if (startsWith(payload, NOTIFICATION_PREFIX, 0)) {
      const start = NOTIFICATION_PREFIX.length;
      const type = payload.toString('latin1', start, payload.indexOf(QUOTE, start));
      traffic.notifications[type] = (traffic.notifications[type] ?? 0) + 1;
      traffic.notificationBytes[type] = (traffic.notificationBytes[type] ?? 0) + payload.length;
      const sink = this.sink;
      if (sink === null || type !== CHAT_MESSAGE) return;
      const sent = BENCH_TEXT.exec(payload.toString())?.[1];
      if (sent === undefined) return;
      const at = now();
      sink.delivered++;
      sink.latencies.push(at - Number(sent));
      sink.lastAt = at;
      return;
    }
    if (!startsWith(payload, RESPONSE_PREFIX, 0)) return;
    let i = RESPONSE_PREFIX.length;
    let id = 0;
    for (let c = payload[i]!; c >= 0x30 && c <= 0x39; c = payload[++i]!) id = id * 10 + (c - 0x30);
    if (startsWith(payload, OK_TRUE, i)) client.settle(id, payload);
    else client.settle(id, new RequestError(errorCode(payload)));
  }

  closed(client: LoadClient): void {
    client.failAll('socket closed');
  }
}

function startsWith(payload: Buffer, prefix: Buffer, at: number): boolean {
  return payload.length >= at + prefix.length && payload.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}

function errorCode(payload: Buffer): string {
  try {
    const message = JSON.parse(payload.toString()) as { error?: { code?: unknown } };
    return typeof message.error?.code === 'string' ? message.error.code : 'error';
  } catch {
    return 'unparsable answer';
  }
}

/** The JSON value starting at `start` (an object or array), as text; null if it does not end. */
export function jsonValueAt(payload: Buffer, start: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = start; i < payload.length; i++) {
    const c = payload[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (--depth === 0) return payload.toString('utf8', start, i + 1);
    }
  }
  return null;
}

/**
 * The join's `rtpCapabilities` for a hello answer: what a browser with the
 * router's codecs says it can receive (the router's own codecs and header
 * extensions), as JSON. The router's capabilities are parsed once per
 * distinct value (`cache`), not per hello.
 */
export function joinCapabilities(helloAnswer: Buffer, cache: Map<string, string>): string | null {
  const at = helloAnswer.indexOf(CAPABILITIES_KEY);
  if (at < 0) return null;
  const router = jsonValueAt(helloAnswer, at + CAPABILITIES_KEY.length);
  if (router === null) return null;
  let device = cache.get(router);
  if (device === undefined) {
    const caps = JSON.parse(router) as { codecs?: unknown[]; headerExtensions?: unknown[] };
    device = JSON.stringify({ codecs: caps.codecs ?? [], headerExtensions: caps.headerExtensions ?? [] });
    cache.set(router, device);
  }
  return device;
}

/** Janus's answer to a request (only the fields looked at). */
export interface JanusMessage {
  janus?: string;
  transaction?: string;
  data?: { id?: number };
  error?: { code?: number; reason?: string };
  plugindata?: { data?: { videoroom?: string; error_code?: number; error?: string } };
}

/**
 * One participant on Janus's WebSocket API (subprotocol janus-protocol): a
 * session with the VideoRoom plugin attached, then a publisher in its room
 * without media (no offer), as a Chantier client joins without media.
 * Keepalives (one timer per generator, `keepalive()`) keep the session (60 s
 * timeout) through the steps.
 */
export class JanusClient extends BenchSocket<string, JanusMessage> {
  sessionId = 0;
  handleId = 0;
  #next = 1;

  constructor(readonly spec: LoadClientSpec) {
    super();
  }

  /** After open(): create the session and attach the plugin. */
  async attach(): Promise<void> {
    const created = await this.#request({ janus: 'create' });
    this.sessionId = created.data?.id ?? 0;
    const attached = await this.#request({ janus: 'attach', session_id: this.sessionId, plugin: 'janus.plugin.videoroom' });
    this.handleId = attached.data?.id ?? 0;
    if (!this.sessionId || !this.handleId) throw new RequestError('janus: no session or handle id');
  }

  async join(): Promise<void> {
    const answer = await this.#request({
      janus: 'message',
      session_id: this.sessionId,
      handle_id: this.handleId,
      body: { request: 'join', ptype: 'publisher', room: this.spec.janusRoom, display: this.spec.displayName },
    });
    const data = answer.plugindata?.data;
    if (data?.videoroom !== 'joined') throw new RequestError(`janus join: ${data?.error_code ?? answer.janus ?? '?'}`);
  }

  keepalive(): void {
    if (this.sessionId) this.send(JSON.stringify({ janus: 'keepalive', session_id: this.sessionId, transaction: 'k' }));
  }

  /** Resolves with the answer carrying the request's transaction (an 'ack' is skipped: the event follows). */
  #request(message: Record<string, unknown>): Promise<JanusMessage> {
    const transaction = `t${this.#next++}`;
    return this.track(transaction, JSON.stringify({ ...message, transaction }));
  }
}

export const janusListener: RawWsListener<JanusClient> = {
  message(client, payload) {
    let message: JanusMessage;
    try {
      message = JSON.parse(payload.toString()) as JanusMessage;
    } catch {
      return;
    }
    if (message.janus === 'ack' || !message.transaction) return;
    client.settle(message.transaction, message.janus === 'error' ? new RequestError(`janus ${message.error?.code ?? 'error'}`) : message);
  },
  closed(client) {
    client.failAll('socket closed');
  },
};
