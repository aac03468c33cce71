/**
 * A load generator process of the signaling benchmark (forked by
 * scripts/bench/signaling.ts, commands and replies in lib/wsLoadProtocol.ts):
 * it holds some of the benchmark's WebSocket clients and drives them step by
 * step. Lean on purpose, unlike test/TestClient.ts (which validates every
 * message against the protocol's schemas): responses are parsed, and of the
 * notifications only the benchmark's chat messages are looked into, so that
 * the generator costs as little CPU as it can next to the server.
 * Every wait is bounded.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../../signaling/src/protocol/index.js';
import { measureLoop } from './loopFigures.js';
import type { ChatReport, LoadClientSpec, LoadCommand, LoadReply, StepReport, Traffic } from './wsLoadProtocol.js';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across the processes of one machine. */
const now = (): number => performance.timeOrigin + performance.now();

const REQUEST_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 30_000;
/** Chat texts the benchmark sends: "bench <send time ms> <sender>"; other chat messages are not counted. */
const BENCH_TEXT = /"text":"bench (\d+(?:\.\d+)?) /;
const NOTIFICATION_PREFIX = '{"kind":"ntf","type":"';

class RequestError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Counts chat deliveries while a chat step runs. */
interface ChatSink {
  delivered: number;
  latencies: number[];
  lastAt: number;
}

/** Waits (bounded) for `ws` to open; when it closes, every request still waiting fails. */
function opened(ws: WebSocket, pending: Map<unknown, Pending>): Promise<void> {
  ws.on('close', () => {
    for (const p of pending.values()) {
      clearTimeout(p.timer);
      p.reject(new RequestError('socket closed'));
    }
    pending.clear();
  });
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RequestError('connect timeout')), CONNECT_TIMEOUT_MS);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(new RequestError(`socket error: ${error.message.slice(0, 60)}`));
    });
  });
}

class LoadClient {
  ws: WebSocket | null = null;
  routerRtpCapabilities: unknown = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(
    readonly spec: LoadClientSpec,
    private readonly sink: { current: ChatSink | null },
    private readonly traffic: { current: Traffic },
  ) {}

  open(url: string): Promise<void> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
    this.ws = ws;
    ws.on('message', (raw: Buffer) => this.#onMessage(raw.toString()));
    return opened(ws, this.#pending);
  }

  request(type: string, data: unknown): Promise<unknown> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new RequestError('socket not open'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new RequestError('request timeout'));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ kind: 'req', id, type, data }));
    });
  }

  close(): void {
    this.ws?.terminate();
  }

  #onMessage(text: string): void {
    const traffic = this.traffic.current;
    traffic.frames++;
    traffic.bytes += text.length;
    if (text.startsWith(NOTIFICATION_PREFIX)) {
      const end = text.indexOf('"', NOTIFICATION_PREFIX.length);
      const type = text.slice(NOTIFICATION_PREFIX.length, end);
      traffic.notifications[type] = (traffic.notifications[type] ?? 0) + 1;
      traffic.notificationBytes[type] = (traffic.notificationBytes[type] ?? 0) + text.length;
      const sink = this.sink.current;
      if (!sink || !text.startsWith('chatMessage"', NOTIFICATION_PREFIX.length)) return;
      const sent = BENCH_TEXT.exec(text)?.[1];
      if (sent === undefined) return;
      const at = now();
      sink.delivered++;
      sink.latencies.push(at - Number(sent));
      sink.lastAt = at;
      return;
    }
    let message: { kind?: string; id?: unknown; ok?: boolean; data?: unknown; error?: { code?: string } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.kind !== 'res' || typeof message.id !== 'number') return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.data);
    else pending.reject(new RequestError(message.error?.code ?? 'error'));
  }
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function newReport(): { ok: number; failed: number; errors: Record<string, number>; latencies: number[] } {
  return { ok: 0, failed: 0, errors: {}, latencies: [] };
}

function countError(errors: Record<string, number>, error: unknown): void {
  const code = error instanceof RequestError ? error.code : error instanceof Error ? error.message.slice(0, 60) : String(error);
  errors[code] = (errors[code] ?? 0) + 1;
}

/** Runs `task` on every item, `concurrency` at a time; records each one's latency or error. */
async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<Omit<StepReport, 'cpuSeconds' | 'received'>> {
  const report = newReport();
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      const t0 = now();
      try {
        await task(items[i]!);
        report.ok++;
        report.latencies.push(now() - t0);
      } catch (error) {
        report.failed++;
        countError(report.errors, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
  return { ok: report.ok, failed: report.failed, errors: report.errors, latenciesMs: Float64Array.from(report.latencies) };
}

/** What a browser with Opus and VP8/VP9/H264 says it can receive: the router's own codecs. */
function deviceCapabilities(router: unknown): unknown {
  const caps = (router ?? {}) as { codecs?: unknown[]; headerExtensions?: unknown[] };
  return { codecs: caps.codecs ?? [], headerExtensions: caps.headerExtensions ?? [] };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Generator {
  clients: LoadClient[] = [];
  url = '';
  readonly sink: { current: ChatSink | null } = { current: null };
  readonly traffic: { current: Traffic } = { current: { frames: 0, bytes: 0, notifications: {}, notificationBytes: {} } };
  #sequence = 0;

  janus: JanusClient[] = [];

  init(command: Extract<LoadCommand, { type: 'init' }>): void {
    this.url = command.url;
    this.clients = command.clients.map((spec) => new LoadClient(spec, this.sink, this.traffic));
  }

  /** What was received since the last call. */
  takeTraffic(): Traffic {
    const taken = this.traffic.current;
    this.traffic.current = { frames: 0, bytes: 0, notifications: {}, notificationBytes: {} };
    return taken;
  }

  async connect(concurrency: number): Promise<StepReport> {
    const cpu = cpuSeconds();
    const report = await pool(this.clients, concurrency, async (client) => {
      await client.open(this.url);
      const answer = (await client.request('hello', {
        protocol: PROTOCOL_VERSION,
        token: client.spec.token,
        projectId: client.spec.projectId,
        roomId: client.spec.roomId,
      })) as { routerRtpCapabilities?: unknown };
      client.routerRtpCapabilities = answer.routerRtpCapabilities ?? null;
    });
    return { ...report, cpuSeconds: cpuSeconds() - cpu };
  }

  async join(concurrency: number): Promise<StepReport> {
    const cpu = cpuSeconds();
    const ready = this.clients.filter((c) => c.routerRtpCapabilities !== null);
    const report = await pool(ready, concurrency, async (client) => {
      await client.request('join', {
        rtpCapabilities: deviceCapabilities(client.routerRtpCapabilities),
        displayName: client.spec.displayName,
      });
    });
    return { ...report, cpuSeconds: cpuSeconds() - cpu };
  }

  async chat(command: Extract<LoadCommand, { type: 'chat' }>): Promise<ChatReport> {
    const cpu = cpuSeconds();
    // A delivery's latency counts this process's own stalls too: measured, to tell them from the server's.
    const loop = measureLoop();
    const sink: ChatSink = { delivered: 0, latencies: [], lastAt: now() };
    this.sink.current = sink;
    const senders = this.clients.filter((c) => c.ws?.readyState === WebSocket.OPEN);
    const report = newReport();
    let skipped = 0;
    let inFlight = 0;
    let firstSend = Number.NaN;
    let lastAck = Number.NaN;
    let turn = 0;
    const sendOne = async (): Promise<void> => {
      const client = senders[turn++ % senders.length]!;
      const t0 = now();
      if (Number.isNaN(firstSend)) firstSend = t0;
      const id = `bench${process.pid}x${++this.#sequence}`; // 8+ characters, as chatSend requires
      inFlight++;
      try {
        await client.request('chatSend', { clientMessageId: id, text: `bench ${t0.toFixed(2)} ${id}` });
        report.ok++;
        lastAck = now();
        report.latencies.push(lastAck - t0);
      } catch (error) {
        report.failed++;
        countError(report.errors, error);
      } finally {
        inFlight--;
      }
    };
    const end = now() + command.durationMs;
    if (senders.length > 0 && command.mode === 'closed') {
      await Promise.all(
        Array.from({ length: command.inFlight }, async () => {
          while (now() < end) await sendOne();
        }),
      );
    } else if (senders.length > 0) {
      const interval = 1000 / command.perSecond;
      const outstanding = new Set<Promise<void>>();
      for (let due = now(); due < end; due += interval) {
        const wait = due - now();
        if (wait > 1) await sleep(wait);
        if (inFlight >= command.inFlight) {
          skipped++;
          continue;
        }
        const sending = sendOne();
        outstanding.add(sending);
        void sending.finally(() => outstanding.delete(sending));
      }
      await Promise.all(outstanding);
    }
    // Deliveries of the last messages (of every generator) still arrive: wait for quiet, bounded.
    const drainEnd = now() + command.maxDrainMs;
    while (now() - sink.lastAt < command.quietMs && now() < drainEnd) await sleep(50);
    this.sink.current = null;
    return {
      ok: report.ok,
      failed: report.failed,
      errors: report.errors,
      latenciesMs: Float64Array.from(report.latencies),
      cpuSeconds: cpuSeconds() - cpu,
      delivered: sink.delivered,
      deliveryLatenciesMs: Float64Array.from(sink.latencies),
      skipped,
      sendWindowMs: lastAck - firstSend,
      loop: loop(),
    };
  }

  async janusConnect(wsUrl: string, concurrency: number): Promise<StepReport> {
    const cpu = cpuSeconds();
    this.janus = this.clients.map((client) => new JanusClient(client.spec));
    const report = await pool(this.janus, concurrency, (client) => client.open(wsUrl));
    return { ...report, cpuSeconds: cpuSeconds() - cpu };
  }

  async janusJoin(concurrency: number): Promise<StepReport> {
    const cpu = cpuSeconds();
    const report = await pool(
      this.janus.filter((c) => c.handleId !== 0),
      concurrency,
      (client) => client.join(),
    );
    return { ...report, cpuSeconds: cpuSeconds() - cpu };
  }

  close(): void {
    for (const client of this.clients) client.close();
    for (const client of this.janus) client.close();
  }
}

/** Janus's answer to a request (only the fields looked at). */
interface JanusMessage {
  janus?: string;
  transaction?: string;
  data?: { id?: number };
  error?: { code?: number; reason?: string };
  plugindata?: { data?: { videoroom?: string; error_code?: number; error?: string } };
}

/**
 * One participant on Janus's WebSocket API: a session with the VideoRoom
 * plugin attached, then a publisher in its room without media (no offer), as
 * a Chantier client joins without media. Keepalives keep the session (60 s
 * timeout) through the steps.
 */
class JanusClient {
  ws: WebSocket | null = null;
  sessionId = 0;
  handleId = 0;
  #keepalive: NodeJS.Timeout | undefined;
  #next = 1;
  readonly #pending = new Map<string, Pending>();

  constructor(readonly spec: LoadClientSpec) {}

  async open(wsUrl: string): Promise<void> {
    const ws = new WebSocket(wsUrl, 'janus-protocol', { perMessageDeflate: false });
    this.ws = ws;
    ws.on('message', (raw: Buffer) => this.#onMessage(raw.toString()));
    ws.on('close', () => clearInterval(this.#keepalive));
    await opened(ws, this.#pending);
    const created = await this.#request({ janus: 'create' });
    this.sessionId = created.data?.id ?? 0;
    this.#keepalive = setInterval(() => this.#send({ janus: 'keepalive', session_id: this.sessionId, transaction: 'k' }), 25_000);
    this.#keepalive.unref();
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

  close(): void {
    clearInterval(this.#keepalive);
    this.ws?.terminate();
  }

  #send(message: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Resolves with the answer carrying the request's transaction (an 'ack' is skipped: the event follows). */
  #request(message: Record<string, unknown>): Promise<JanusMessage> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new RequestError('socket not open'));
    const transaction = `t${this.#next++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(transaction);
        reject(new RequestError('request timeout'));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(transaction, { resolve: resolve as (data: unknown) => void, reject, timer });
      ws.send(JSON.stringify({ ...message, transaction }));
    });
  }

  #onMessage(text: string): void {
    let message: JanusMessage;
    try {
      message = JSON.parse(text) as JanusMessage;
    } catch {
      return;
    }
    if (message.janus === 'ack' || !message.transaction) return;
    const pending = this.#pending.get(message.transaction);
    if (!pending) return;
    this.#pending.delete(message.transaction);
    clearTimeout(pending.timer);
    if (message.janus === 'error') pending.reject(new RequestError(`janus ${message.error?.code ?? 'error'}`));
    else pending.resolve(message);
  }
}

function reply(message: LoadReply): void {
  process.send?.(message);
}

const generator = new Generator();
process.on('message', (raw: unknown) => {
  const command = raw as LoadCommand;
  const step = async (): Promise<LoadReply> => {
    switch (command.type) {
      case 'init':
        generator.init(command);
        return { type: 'ready' };
      case 'connect':
        return { type: 'connected', report: await generator.connect(command.concurrency) };
      case 'join':
        return { type: 'joined', report: await generator.join(command.concurrency) };
      case 'chat':
        return { type: 'chatted', report: await generator.chat(command) };
      case 'traffic':
        return { type: 'traffic', received: generator.takeTraffic() };
      case 'close':
        generator.close();
        return { type: 'closed' };
      case 'janusConnect':
        return { type: 'janusConnected', report: await generator.janusConnect(command.wsUrl, command.concurrency) };
      case 'janusJoin':
        return { type: 'janusJoined', report: await generator.janusJoin(command.concurrency) };
    }
  };
  step().then(reply, (error: unknown) => reply({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
// The benchmark gone (killed, crashed), or stopping this generator (SIGTERM): stop too, leaving no
// socket behind. A normal exit, so that a CPU profile (SIGNALING_GENERATOR_NODE_FLAGS) is written.
const stop = (): void => {
  generator.close();
  process.exit(0);
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
