/**
 * A load generator process of the signaling benchmark (forked by
 * scripts/bench/signaling.ts, commands and replies in lib/wsLoadProtocol.ts):
 * it holds some of the benchmark's WebSocket clients (lib/loadClient.ts, over
 * the lean client of lib/rawWs.ts) and drives them step by step: the pacing
 * of each step and its figures are here.
 */
import { PROTOCOL_VERSION } from '../../../signaling/src/protocol/index.js';
import { ChantierListener, CONNECT_TIMEOUT_MS, emptyTraffic, JanusClient, janusListener, joinCapabilities, LoadClient, now, RequestError, type ChatSink } from './loadClient.js';
import { measureLoop } from './loopFigures.js';
import { upgradeTemplate } from './rawWs.js';
import type { ChatReport, LoadCommand, LoadReply, StepReport, Traffic } from './wsLoadProtocol.js';

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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Generator {
  clients: LoadClient[] = [];
  janus: JanusClient[] = [];
  readonly listener = new ChantierListener();
  /** Router capabilities seen → the join's capabilities, as JSON. */
  readonly #capabilities = new Map<string, string>();
  #sequence = 0;
  #template = upgradeTemplate('ws://localhost/ws');
  readonly #sweeper: NodeJS.Timeout;
  #keepalive: NodeJS.Timeout | undefined;

  constructor() {
    this.#sweeper = setInterval(() => {
      const at = now();
      for (const client of this.clients) client.sweep(at);
      for (const client of this.janus) client.sweep(at);
    }, 1000);
    this.#sweeper.unref();
  }

  init(command: Extract<LoadCommand, { type: 'init' }>): void {
    this.#template = upgradeTemplate(`${command.url.replace(/^http/, 'ws')}/ws`);
    this.clients = command.clients.map((spec) => new LoadClient(spec));
  }

  /** What was received since the last call. */
  takeTraffic(): Traffic {
    const taken = this.listener.traffic;
    this.listener.traffic = emptyTraffic();
    return taken;
  }

  async connect(concurrency: number): Promise<StepReport> {
    const cpu = cpuSeconds();
    const report = await pool(this.clients, concurrency, async (client) => {
      client.openDeadline = now() + CONNECT_TIMEOUT_MS;
      await client.open(this.#template, this.listener);
      const { token, projectId, roomId } = client.spec;
      const answer = await client.request('hello', JSON.stringify({ protocol: PROTOCOL_VERSION, token, projectId, roomId }));
      client.capabilitiesJson = joinCapabilities(answer, this.#capabilities);
    });
    return { ...report, cpuSeconds: cpuSeconds() - cpu };
  }

  async join(concurrency: number): Promise<StepReport> {
    const cpu = cpuSeconds();
    const ready = this.clients.filter((c) => c.capabilitiesJson !== null);
    const report = await pool(ready, concurrency, async (client) => {
      await client.request('join', `{"rtpCapabilities":${client.capabilitiesJson},"displayName":${JSON.stringify(client.spec.displayName)}}`);
    });
    return { ...report, cpuSeconds: cpuSeconds() - cpu };
  }

  async chat(command: Extract<LoadCommand, { type: 'chat' }>): Promise<ChatReport> {
    const cpu = cpuSeconds();
    // A delivery's latency counts this process's own stalls too: measured, to tell them from the server's.
    const loop = measureLoop();
    const sink: ChatSink = { delivered: 0, latencies: [], lastAt: now() };
    this.listener.sink = sink;
    const senders = this.clients.filter((c) => c.state === 'open');
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
        await client.request('chatSend', `{"clientMessageId":"${id}","text":"bench ${t0.toFixed(2)} ${id}"}`);
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
    this.listener.sink = null;
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
    const template = upgradeTemplate(wsUrl, 'janus-protocol');
    this.janus = this.clients.map((client) => new JanusClient(client.spec));
    this.#keepalive ??= setInterval(() => {
      for (const client of this.janus) client.keepalive();
    }, 25_000);
    this.#keepalive.unref();
    const report = await pool(this.janus, concurrency, async (client) => {
      client.openDeadline = now() + CONNECT_TIMEOUT_MS;
      await client.open(template, janusListener);
      await client.attach();
    });
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

  /** Close handshakes, then whatever has not closed within 5 s is cut. */
  async closeGently(): Promise<void> {
    for (const client of this.clients) client.close(1000);
    const deadline = now() + 5_000;
    while (this.clients.some((c) => c.state !== 'closed') && now() < deadline) await sleep(20);
    this.close();
  }

  close(): void {
    clearInterval(this.#keepalive);
    this.#keepalive = undefined;
    for (const client of this.clients) client.terminate();
    for (const client of this.janus) client.terminate();
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
        if (command.gently) await generator.closeGently();
        else generator.close();
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
