/**
 * A fuzz lane: one WebSocket at a time to the server, sending the frames of
 * its own seeded generator, and checking everything the server sends back:
 * each response is a well-formed envelope, an error with a known code (or,
 * for the rare valid request, a success whose data matches the request's
 * response schema), each notification matches its schema, and each close
 * carries a documented code. A socket the server closes is opened again (and
 * set up again: hello, join) and the lane goes on.
 *
 * Kinds: `joined` (a real token, in the meeting with the browsers), `meeting`
 * (hello on the meeting's socket, never joined), `project` (hello on a
 * project page's socket), `anonymous` (no hello), `flood` (no window: bursts
 * past the per-socket rate limit, answered RATE_LIMITED, then closed 1008).
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import WebSocket from 'ws';
import {
  ErrorBody,
  Notifications,
  PROTOCOL_VERSION,
  Requests,
  WsCloseCode,
  type NotificationType,
  type RequestType,
} from '../../signaling/src/protocol/index.js';
import { FuzzGenerator, type Category, type FuzzContext } from './generator.js';

const responseChecks = Object.fromEntries(
  Object.entries(Requests).map(([t, d]) => [t, TypeCompiler.Compile(d.response as TSchema)]),
) as Record<RequestType, TypeCheck<TSchema>>;
const notificationChecks = Object.fromEntries(
  Object.entries(Notifications).map(([t, s]) => [t, TypeCompiler.Compile(s as TSchema)]),
) as Record<NotificationType, TypeCheck<TSchema>>;
const errorCheck = TypeCompiler.Compile(ErrorBody);

/** The close codes docs/PROTOCOL.md documents (WsCloseCode). */
export const DOCUMENTED_CLOSE_CODES: ReadonlySet<number> = new Set(Object.values(WsCloseCode));

export type LaneKind = 'joined' | 'meeting' | 'project' | 'anonymous' | 'flood';

export interface LaneSpec {
  name: string;
  kind: LaneKind;
  seed: number;
  /** Fuzz frames to send in all. */
  quota: number;
  /** Access token for hello (joined, meeting, project). */
  token?: string;
  /** Frames in flight at most (not for flood). */
  window: number;
  /** Frames per second at most (not for flood). */
  ratePerSecond: number;
  /** flood: frames per burst. */
  burst?: number;
  /** The generator's category weights, when not the default mix. */
  weights?: Partial<Record<Category, number>>;
}

/** Figures of one lane (and, summed, of the run). */
export class LaneStats {
  sent = 0;
  sentBytes = 0;
  replies = 0;
  successes = 0;
  notifications = 0;
  connections = 0;
  /** Frames sent on sockets that closed before answering them (the server closed them: 1009, 1008, 4001...). */
  unansweredAtClose = 0;
  readonly codes = new Map<string, number>();
  readonly closes = new Map<number, number>();
  readonly categories = new Map<Category, number>();
  readonly violations: string[] = [];
  /** Sockets that stopped answering while open. */
  stalls = 0;
  setupFailures = 0;

  add(other: LaneStats): void {
    this.sent += other.sent;
    this.sentBytes += other.sentBytes;
    this.replies += other.replies;
    this.successes += other.successes;
    this.notifications += other.notifications;
    this.connections += other.connections;
    this.unansweredAtClose += other.unansweredAtClose;
    this.stalls += other.stalls;
    this.setupFailures += other.setupFailures;
    for (const [k, v] of other.codes) this.codes.set(k, (this.codes.get(k) ?? 0) + v);
    for (const [k, v] of other.closes) this.closes.set(k, (this.closes.get(k) ?? 0) + v);
    for (const [k, v] of other.categories) this.categories.set(k, (this.categories.get(k) ?? 0) + v);
    this.violations.push(...other.violations);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Ids of the lane's own set-up requests, far from the generator's. */
const SETUP_ID_BASE = 8_000_000_000;

/** One socket of a lane. */
class Connection {
  sent = 0;
  replies = 0;
  closed = false;
  closeCode: number | undefined;
  closingByUs = false;
  readonly typesById = new Map<number, Set<string>>();
  /** Categories of the last frames sent, to say what a close followed. */
  readonly lastCategories: string[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #setupReplies = new Map<number, (message: { ok: boolean; data?: unknown; error?: { code: string } }) => void>();

  constructor(
    readonly ws: WebSocket,
    private readonly lane: FuzzLane,
  ) {
    ws.on('message', (raw, isBinary) => this.#onMessage(raw as Buffer, isBinary));
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      lane.settle(this);
      this.#wake();
    });
    ws.on('error', () => {});
  }

  get inFlight(): number {
    return this.sent - this.replies;
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Resolves when something arrives or the socket closes, or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  send(frame: string | Buffer, binary: boolean, id: number | undefined, type: string | undefined): boolean {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(frame, { binary });
    this.sent++;
    if ((id === undefined || type === undefined) && !binary && frame.length < 8192) {
      // A mutated frame may still be a request: which one, for checking a success answer.
      try {
        const parsed = JSON.parse(frame.toString()) as { id?: unknown; type?: unknown };
        if (typeof parsed.id === 'number' && typeof parsed.type === 'string') {
          id = parsed.id;
          type = parsed.type;
        }
      } catch {
        // not JSON: answered with an id-less error
      }
    }
    if (id !== undefined && type !== undefined) {
      // Ids are reused on purpose (duplicateId): an answer may be to any request that carried it.
      const types = this.typesById.get(id) ?? new Set<string>();
      types.add(type);
      this.typesById.set(id, types);
    }
    return true;
  }

  request(type: RequestType, data: unknown, seq: number, timeoutMs = 15_000): Promise<{ ok: boolean; data?: unknown; error?: { code: string } }> {
    const id = SETUP_ID_BASE + seq;
    const text = JSON.stringify({ kind: 'req', id, type, data });
    this.lane.captured.push(text);
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        this.#setupReplies.delete(id);
        reject(new Error(`${this.lane.spec.name}: ${why} (${type})`));
      };
      const timer = setTimeout(() => fail('no answer'), timeoutMs);
      this.#setupReplies.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.ws.once('close', (code) => fail(`socket closed (${code})`));
      if (!this.send(text, false, id, type)) fail('socket closed before sending');
    });
  }

  #onMessage(raw: Buffer, isBinary: boolean): void {
    const stats = this.lane.stats;
    const violation = (what: string): void => {
      if (stats.violations.length < 50) stats.violations.push(`${this.lane.spec.name}: ${what}: ${raw.toString('utf8').slice(0, 300)}`);
    };
    if (isBinary) return violation('a binary frame from the server');
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return violation('not JSON');
    }
    if (message === null || typeof message !== 'object') return violation('not an object');
    if (message.kind === 'ntf') {
      stats.notifications++;
      const check = Object.hasOwn(notificationChecks, String(message.type)) ? notificationChecks[message.type as NotificationType] : undefined;
      if (!check) return violation('unknown notification');
      if (!check.Check(message.data)) return violation(`notification ${String(message.type)} off its schema`);
      return;
    }
    if (message.kind !== 'res') return violation('neither a response nor a notification');
    this.replies++;
    stats.replies++;
    const id = message.id;
    const setup = typeof id === 'number' ? this.#setupReplies.get(id) : undefined;
    if (message.ok === false) {
      if (!(id === null || (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0))) violation('error with a bad id');
      if (!errorCheck.Check(message.error)) violation('error without a known code');
      else {
        const code = (message.error as { code: string }).code;
        stats.codes.set(code, (stats.codes.get(code) ?? 0) + 1);
      }
      if (setup) {
        this.#setupReplies.delete(id as number);
        setup(message as never);
      }
    } else if (message.ok === true) {
      stats.successes++;
      if (typeof id !== 'number') return violation('success without an id');
      const types = [...(this.typesById.get(id) ?? [])].filter((t) => Object.hasOwn(responseChecks, t)) as RequestType[];
      const fits = types.length > 0
        ? types.some((t) => responseChecks[t].Check(message.data))
        : Object.values(responseChecks).some((c) => c.Check(message.data));
      if (!fits) violation(`success off the response schema of ${types.join('/') || 'any request'}`);
      if (setup) {
        this.#setupReplies.delete(id);
        setup(message as never);
      }
    } else violation('response without ok');
    this.#wake();
  }
}

export class FuzzLane {
  readonly stats = new LaneStats();
  readonly generator: FuzzGenerator;
  /** Frames of this lane's real set-up requests (shared with the generator for mutation). */
  readonly captured: string[];
  #connection: Connection | undefined;
  #setupSeq = 0;
  #tokens = 0;
  #tokensAt = Date.now();
  peerId: string | undefined;

  constructor(
    readonly spec: LaneSpec,
    readonly url: string,
    readonly ctx: FuzzContext,
  ) {
    this.generator = new FuzzGenerator(spec.seed, ctx, spec.weights);
    this.captured = ctx.captured;
  }

  /** Sends until `target` fuzz frames have gone out in all (or the deadline), then waits for the answers. */
  async run(target: number, deadline: number): Promise<void> {
    while (this.stats.sent < target && Date.now() < deadline) {
      const conn = await this.#open(deadline);
      if (!conn) break;
      if (this.spec.kind === 'flood') {
        await this.#floodBurst(conn, target, deadline);
        continue;
      }
      if (conn.inFlight >= this.spec.window) {
        const before = conn.replies;
        await conn.changed(15_000);
        if (!conn.closed && conn.replies === before && conn.inFlight >= this.spec.window) {
          this.stats.stalls++;
          this.stats.violations.push(`${this.spec.name}: ${conn.inFlight} frames unanswered for 15 s on an open socket`);
          this.#drop(conn);
        }
        continue;
      }
      if (!this.#takeRate()) {
        await sleep(5);
        continue;
      }
      this.#sendOne(conn);
    }
    await this.drain();
  }

  /** Waits (15 s at most) until the open socket has answered everything sent on it. */
  async drain(): Promise<void> {
    const conn = this.#connection;
    if (!conn || conn.closed) return;
    const until = Date.now() + 15_000;
    while (!conn.closed && conn.inFlight > 0 && Date.now() < until) await conn.changed(500);
    if (!conn.closed && conn.inFlight > 0) {
      this.stats.stalls++;
      this.stats.violations.push(`${this.spec.name}: ${conn.inFlight} frames never answered on an open socket`);
    }
  }

  /** Closes the lane's socket the way a client that leaves does (1000). */
  async close(): Promise<void> {
    const conn = this.#connection;
    if (!conn || conn.closed) return;
    conn.closingByUs = true;
    conn.ws.close(1000);
    const until = Date.now() + 5_000;
    while (!conn.closed && Date.now() < until) await conn.changed(200);
  }

  #sendOne(conn: Connection): void {
    const message = this.generator.next();
    if (!conn.send(message.frame, message.binary, message.id, message.type)) return;
    conn.lastCategories.push(message.category);
    if (conn.lastCategories.length > 3) conn.lastCategories.shift();
    this.stats.sent++;
    this.stats.sentBytes += message.size;
    this.stats.categories.set(message.category, (this.stats.categories.get(message.category) ?? 0) + 1);
  }

  async #floodBurst(conn: Connection, target: number, deadline: number): Promise<void> {
    const n = Math.min(this.spec.burst ?? 1000, target - this.stats.sent);
    for (let i = 0; i < n && !conn.closed; i++) this.#sendOne(conn);
    // Until answered or closed (1008 after too many refusals in a row), then a breath.
    const until = Math.min(deadline, Date.now() + 10_000);
    while (!conn.closed && conn.inFlight > 0 && Date.now() < until) await conn.changed(500);
    await sleep(300);
  }

  #takeRate(): boolean {
    const now = Date.now();
    const rate = this.spec.ratePerSecond;
    this.#tokens = Math.min(rate / 10, this.#tokens + ((now - this.#tokensAt) / 1000) * rate);
    this.#tokensAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #drop(conn: Connection): void {
    conn.closingByUs = true;
    conn.ws.terminate();
  }

  /** Books a closed socket's figures (once, when it closes): its close code, its unanswered frames. */
  settle(conn: Connection): void {
    if (!conn.closingByUs) {
      const code = conn.closeCode ?? -1;
      this.stats.closes.set(code, (this.stats.closes.get(code) ?? 0) + 1);
      if (!DOCUMENTED_CLOSE_CODES.has(code)) {
        this.stats.violations.push(`${this.spec.name}: closed with undocumented code ${code} after ${conn.lastCategories.join(', ')}`);
      }
    }
    this.stats.unansweredAtClose += Math.max(0, conn.inFlight);
  }

  /** The lane's open, set-up socket: the current one, or a new one. */
  async #open(deadline: number): Promise<Connection | undefined> {
    const current = this.#connection;
    if (current && !current.closed) return current;
    this.#connection = undefined;
    for (let attempt = 0; Date.now() < deadline && attempt < 50; attempt++) {
      try {
        const conn = await this.#connect();
        await this.#setUp(conn);
        this.#connection = conn;
        return conn;
      } catch {
        this.stats.setupFailures++;
        await sleep(200);
      }
    }
    return undefined;
  }

  async #connect(): Promise<Connection> {
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/ws`, { maxPayload: 4 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    this.stats.connections++;
    return new Connection(ws, this);
  }

  async #setUp(conn: Connection): Promise<void> {
    const { kind, token } = this.spec;
    if (kind === 'anonymous' || kind === 'flood') return;
    try {
      const hello = await conn.request(
        'hello',
        { protocol: PROTOCOL_VERSION, token, projectId: this.ctx.projectId, ...(kind === 'project' ? {} : { roomId: this.ctx.roomId }) },
        ++this.#setupSeq,
      );
      if (!hello.ok) throw new Error(`${this.spec.name}: hello refused: ${hello.error?.code}`);
      const helloData = hello.data as { peerId: string; routerRtpCapabilities?: unknown };
      this.peerId = helloData.peerId;
      if (!this.ctx.ids.includes(helloData.peerId)) this.ctx.ids.push(helloData.peerId);
      if (helloData.routerRtpCapabilities) this.ctx.fixtures.rtpCapabilities = helloData.routerRtpCapabilities;
      if (kind !== 'joined') return;
      const joined = await conn.request('join', { rtpCapabilities: helloData.routerRtpCapabilities, displayName: this.spec.name }, ++this.#setupSeq);
      if (!joined.ok) throw new Error(`${this.spec.name}: join refused: ${joined.error?.code}`);
      for (const direction of ['send', 'recv'] as const) {
        const transport = await conn.request('createTransport', { direction }, ++this.#setupSeq);
        if (!transport.ok) throw new Error(`${this.spec.name}: createTransport refused: ${transport.error?.code}`);
        const id = (transport.data as { transportId: string }).transportId;
        this.ctx.mediaIds.push(id);
        if (this.ctx.mediaIds.length > 64) this.ctx.mediaIds.shift();
      }
      if (this.captured.length > 64) this.captured.splice(0, this.captured.length - 64);
    } catch (error) {
      // Set-up requests count as frames of this socket: settled like the others.
      this.#drop(conn);
      throw error;
    }
  }
}
