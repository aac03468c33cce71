/**
 * Janus (Debian's `janus` 1.1.2, VideoRoom plugin) beside Chantier, for
 * side-by-side benchmarks: install, start, drive, stop.
 *
 * What was learnt setting it up on these machines:
 * - Packages: `janus` (the server: /usr/bin/janus, plugins and transports
 *   under /usr/lib/<multiarch>/janus/) and `libjs-janus-gateway` (the
 *   browser library: /usr/share/javascript/janus-gateway/janus.js; not a
 *   dependency of `janus`). apt starts no service here (policy-rc.d). They
 *   are installed by `ensureJanus()` on the benchmark path only: `npm test`
 *   never needs Janus.
 * - janus.js wants webrtc-adapter's global `adapter` only for
 *   `adapter.browserDetails` (browser name/version); Debian ships no
 *   adapter.js with it, and Chromium needs no shim, so a page passes
 *   `Janus.useDefaultDependencies({ adapter: { browserDetails: … } })`.
 * - Configs go to a temp dir (`-F <dir>`): plugins_folder and
 *   transports_folder point at temp dirs holding symlinks to ONLY
 *   libjanus_videoroom.so and the HTTP and WebSocket transports (Janus loads
 *   every .so of those folders); event handlers and loggers folders are
 *   empty; admin API off on both transports; no STUN/TURN; debug_level 3
 *   (warnings); both transports bound to the namespace address, and
 *   `interface` set to it too (else Janus warns it found no address and
 *   uses 127.0.0.1 as its "local IP").
 * - Janus never gathers 127.0.0.1 (libnice skips loopback), hence the
 *   benchmark namespace (./netns.ts): it runs inside it and gathers exactly
 *   one host candidate, the namespace's veth address (UDP; ICE-TCP would
 *   need ICE Lite, so it is off, as by default).
 * - `ip netns exec <ns> janus …` execs Janus: the pid spawned is Janus's pid
 *   (CPU of the SFU = that one process and its threads).
 * - Sessions time out after 60 s without a request: the HTTP long poll of
 *   `JanusSession` counts as one, and it also sends a keepalive every 20 s.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { atExit, killNow } from './cleanup.js';
import type { BenchNetns } from './netns.js';

/** The browser library of Debian's libjs-janus-gateway. */
export const JANUS_JS = '/usr/share/javascript/janus-gateway/janus.js';
export const JANUS_BIN = '/usr/bin/janus';
const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu/janus', '/usr/lib/aarch64-linux-gnu/janus', '/usr/lib/janus', '/opt/janus/lib/janus'];
const PLUGINS = ['libjanus_videoroom.so'];
const TRANSPORTS = ['libjanus_http.so', 'libjanus_websockets.so'];
/** Fixed ports are fine: they live in the benchmark's own namespace, which nothing else uses. */
export const JANUS_HTTP_PORT = 8088;
export const JANUS_WS_PORT = 8188;

/** Installs Debian's janus and libjs-janus-gateway if missing (root or sudo; apt only). */
export function ensureJanus(): void {
  if (existsSync(JANUS_BIN) && existsSync(JANUS_JS)) return;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (args: string[]): void => {
    const [command, ...rest] = [...sudo, 'apt-get', ...args];
    execFileSync(command!, rest, { stdio: 'inherit', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  process.stdout.write('[bench] installing Debian packages janus and libjs-janus-gateway (once per machine)\n');
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', 'janus', 'libjs-janus-gateway']);
}

function janusLibDir(): string {
  const dir = LIB_DIRS.find((candidate) => existsSync(join(candidate, 'plugins', PLUGINS[0]!)));
  if (!dir) throw new Error(`Janus plugins not found under ${LIB_DIRS.join(', ')}`);
  return dir;
}

export interface JanusConfigOptions {
  /** Where the config files, plugin and transport links go. */
  dir: string;
  /** Address both transports bind to (the namespace's). */
  ip: string;
  httpPort?: number;
  wsPort?: number;
  /** 0–7; 3: warnings and errors. */
  debugLevel?: number;
}

/** The config files Janus reads from `dir` (name → content). Pure, for a unit test. */
export function renderJanusConfigs(options: JanusConfigOptions): Record<string, string> {
  const { dir, ip, httpPort = JANUS_HTTP_PORT, wsPort = JANUS_WS_PORT, debugLevel = 3 } = options;
  if (!/^[\d.]+$/.test(ip)) throw new Error(`not an IPv4 address: ${ip}`);
  const q = (value: string): string => JSON.stringify(value);
  return {
    'janus.jcfg': `general: {
  configs_folder = ${q(dir)}
  plugins_folder = ${q(join(dir, 'plugins'))}
  transports_folder = ${q(join(dir, 'transports'))}
  events_folder = ${q(join(dir, 'events'))}
  loggers_folder = ${q(join(dir, 'loggers'))}
  debug_level = ${debugLevel}
  debug_timestamps = true
  debug_colors = false
  server_name = "chantier-bench"
  interface = ${q(ip)}
  session_timeout = 60
  hide_dependencies = true
}
media: {
  rtp_port_range = "20000-40000"
}
nat: {
  nice_debug = false
  ignore_mdns = true
}
plugins: {
}
transports: {
}
loggers: {
}
events: {
  broadcast = false
}
`,
    'janus.plugin.videoroom.jcfg': `general: {
}
`,
    'janus.transport.http.jcfg': `general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = ${httpPort}
  ip = ${q(ip)}
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
cors: {
}
`,
    'janus.transport.websockets.jcfg': `general: {
  json = "plain"
  ws = true
  ws_port = ${wsPort}
  ws_ip = ${q(ip)}
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`,
  };
}

export interface JanusServer {
  /** http://<nsIp>:8088/janus (the REST API). */
  httpUrl: string;
  /** ws://<nsIp>:8188 (subprotocol janus-protocol). */
  wsUrl: string;
  /** Janus's own pid (CPU: this one process). */
  pid: number;
  /** The last lines Janus printed (warnings, errors), for failure messages. */
  logTail(): string;
  stop(): Promise<void>;
}

async function waitForInfo(httpUrl: string, exited: () => boolean, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited()) throw new Error(`janus exited during start-up:\n${log()}`);
    try {
      const response = await fetch(`${httpUrl}/info`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        const info = (await response.json()) as { janus?: string; plugins?: Record<string, unknown> };
        if (info.janus === 'server_info' && info.plugins?.['janus.plugin.videoroom']) return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`janus did not answer ${httpUrl}/info within ${timeoutMs} ms:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts Janus in the foreground inside `netns`, configs in a temp dir; resolves when its API answers. */
export async function startJanus(netns: BenchNetns, options: { debugLevel?: number } = {}): Promise<JanusServer> {
  ensureJanus();
  const lib = janusLibDir();
  const dir = mkdtempSync(join(tmpdir(), 'chantier-janus-'));
  for (const sub of ['plugins', 'transports', 'events', 'loggers']) mkdirSync(join(dir, sub));
  for (const plugin of PLUGINS) symlinkSync(join(lib, 'plugins', plugin), join(dir, 'plugins', plugin));
  for (const transport of TRANSPORTS) symlinkSync(join(lib, 'transports', transport), join(dir, 'transports', transport));
  const configs = renderJanusConfigs({ dir, ip: netns.nsIp, ...(options.debugLevel !== undefined ? { debugLevel: options.debugLevel } : {}) });
  for (const [file, content] of Object.entries(configs)) writeFileSync(join(dir, file), content);

  const [command, args] = netns.wrap(JANUS_BIN, ['-F', dir, '-C', join(dir, 'janus.jcfg'), '-o']);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('janus did not start');
  const forget = atExit(() => {
    killNow(pid);
    rmSync(dir, { recursive: true, force: true });
  });
  let tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    tail = [...tail, ...chunk.toString().split('\n').filter((line) => line.trim() !== '')].slice(-40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const httpUrl = `http://${netns.nsIp}:${JANUS_HTTP_PORT}/janus`;
  const logTail = (): string => tail.join('\n');
  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    }
    forget();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForInfo(httpUrl, () => exited, logTail, 20_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { httpUrl, wsUrl: `ws://${netns.nsIp}:${JANUS_WS_PORT}`, pid, logTail, stop };
}

// ------------------------------------------------------------- the REST API

/** A message of the Janus API (only the fields used here). */
export interface JanusMessage {
  janus: string;
  transaction?: string;
  session_id?: number;
  sender?: number;
  data?: { id?: number };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: Record<string, unknown> };
  jsep?: { type: 'offer' | 'answer'; sdp: string };
}

function transaction(): string {
  return randomBytes(9).toString('base64url');
}

async function post(url: string, body: Record<string, unknown>, timeoutMs = 10_000): Promise<JanusMessage> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`janus ${url}: HTTP ${response.status}`);
  const message = (await response.json()) as JanusMessage;
  if (message.janus === 'error') throw new Error(`janus: ${message.error?.code} ${message.error?.reason}`);
  return message;
}

/** What a plugin answered, or its error as an exception. */
function pluginData(message: JanusMessage): Record<string, unknown> {
  const data = message.plugindata?.data ?? {};
  if (typeof data.error === 'string') throw new Error(`videoroom: ${String(data.error_code)} ${data.error}`);
  return data;
}

/**
 * A Janus session over the REST API, from Node: attach handles, send
 * plugin requests, receive their asynchronous events through one long poll.
 * For bots and for the benchmark's own room set-up.
 */
export class JanusSession {
  private readonly pending = new Map<string, { resolve(message: JanusMessage): void; reject(error: Error): void }>();
  private readonly listeners = new Set<(message: JanusMessage) => void>();
  private closed = false;
  private readonly keepalive: NodeJS.Timeout;

  private constructor(
    readonly httpUrl: string,
    readonly id: number,
  ) {
    this.keepalive = setInterval(() => {
      void post(`${this.httpUrl}/${this.id}`, { janus: 'keepalive', transaction: transaction() }).catch(() => {});
    }, 20_000);
    void this.poll();
  }

  static async create(httpUrl: string): Promise<JanusSession> {
    const created = await post(httpUrl, { janus: 'create', transaction: transaction() });
    if (typeof created.data?.id !== 'number') throw new Error('janus: create gave no session id');
    return new JanusSession(httpUrl, created.data.id);
  }

  private async poll(): Promise<void> {
    while (!this.closed) {
      try {
        const response = await fetch(`${this.httpUrl}/${this.id}?maxev=10&rid=${Date.now()}`, { signal: AbortSignal.timeout(40_000) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = (await response.json()) as JanusMessage | JanusMessage[];
        for (const message of Array.isArray(body) ? body : [body]) this.dispatch(message);
      } catch (error) {
        if (this.closed) return;
        for (const waiter of this.pending.values()) waiter.reject(new Error(`janus long poll: ${String(error)}`));
        this.pending.clear();
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private dispatch(message: JanusMessage): void {
    if (message.janus === 'keepalive') return;
    const waiter = message.transaction ? this.pending.get(message.transaction) : undefined;
    if (waiter && message.janus !== 'ack') {
      this.pending.delete(message.transaction!);
      if (message.janus === 'error') waiter.reject(new Error(`janus: ${message.error?.code} ${message.error?.reason}`));
      else waiter.resolve(message);
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  /** Every event not answering a request (webrtcup, media, hangup, publishers joining…). */
  onEvent(listener: (message: JanusMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async attach(plugin = 'janus.plugin.videoroom'): Promise<JanusHandle> {
    const attached = await post(`${this.httpUrl}/${this.id}`, { janus: 'attach', plugin, transaction: transaction() });
    if (typeof attached.data?.id !== 'number') throw new Error('janus: attach gave no handle id');
    return new JanusHandle(this, attached.data.id);
  }

  /** @internal A request whose answer comes as an asynchronous event (after an ack). */
  async asyncRequest(handleId: number, body: Record<string, unknown>, timeoutMs: number): Promise<JanusMessage> {
    const id = transaction();
    const answer = new Promise<JanusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`janus: no answer to ${JSON.stringify(body.body ?? body.janus)} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    const first = await post(`${this.httpUrl}/${this.id}/${handleId}`, { ...body, transaction: id }).catch((error: unknown) => {
      this.pending.delete(id);
      throw error;
    });
    if (first.janus !== 'ack') {
      // Answered synchronously.
      this.pending.get(id)?.resolve(first);
      this.pending.delete(id);
    }
    return answer;
  }

  async destroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    await post(`${this.httpUrl}/${this.id}`, { janus: 'destroy', transaction: transaction() }).catch(() => {});
  }
}

/** A handle attached to the VideoRoom plugin (or another plugin). */
export class JanusHandle {
  constructor(
    readonly session: JanusSession,
    readonly id: number,
  ) {}

  /** A synchronous plugin request (create, destroy, exists, list, listparticipants…): its data. */
  async request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = await post(`${this.session.httpUrl}/${this.session.id}/${this.id}`, { janus: 'message', body, transaction: transaction() });
    return pluginData(answer);
  }

  /** An asynchronous plugin request (join, configure, start…), with an optional SDP: the event answering it. */
  async message(body: Record<string, unknown>, jsep?: { type: 'offer' | 'answer'; sdp: string }, timeoutMs = 15_000): Promise<{ data: Record<string, unknown>; jsep?: { type: 'offer' | 'answer'; sdp: string } }> {
    const answer = await this.session.asyncRequest(this.id, { janus: 'message', body, ...(jsep ? { jsep } : {}) }, timeoutMs);
    return { data: pluginData(answer), ...(answer.jsep ? { jsep: answer.jsep } : {}) };
  }

  /** A trickled ICE candidate; null: end of candidates. */
  async trickle(candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } | null): Promise<void> {
    await post(`${this.session.httpUrl}/${this.session.id}/${this.id}`, {
      janus: 'trickle',
      candidate: candidate ?? { completed: true },
      transaction: transaction(),
    });
  }

  async detach(): Promise<void> {
    await post(`${this.session.httpUrl}/${this.session.id}/${this.id}`, { janus: 'detach', transaction: transaction() }).catch(() => {});
  }
}

// --------------------------------------------------------------- VideoRoom

export interface VideoRoomOptions {
  /** Numeric room id (default: random). */
  room?: number;
  /** Most publishers at once (default 16). */
  publishers?: number;
  /** Publishers' video bitrate cap in bit/s (REMB); default 0 = none. Chantier's camera: 150 + 600 kb/s simulcast. */
  bitrate?: number;
  videocodec?: string;
  audiocodec?: string;
  description?: string;
}

/** Creates a VideoRoom room (not permanent) and returns its id. */
export async function createVideoRoom(httpUrl: string, options: VideoRoomOptions = {}): Promise<number> {
  const session = await JanusSession.create(httpUrl);
  try {
    const handle = await session.attach();
    const room = options.room ?? 1 + Math.floor(Math.random() * 2 ** 31);
    const data = await handle.request({
      request: 'create',
      room,
      description: options.description ?? 'bench',
      publishers: options.publishers ?? 16,
      bitrate: options.bitrate ?? 0,
      videocodec: options.videocodec ?? 'vp8',
      audiocodec: options.audiocodec ?? 'opus',
      fir_freq: 10,
      permanent: false,
    });
    if (data.videoroom !== 'created') throw new Error(`videoroom create: ${JSON.stringify(data)}`);
    await handle.detach();
    return room;
  } finally {
    await session.destroy();
  }
}

/** Joins `room` as a publisher with an SDP offer: the answer and the publisher's feed id. */
export async function publishToVideoRoom(
  handle: JanusHandle,
  room: number,
  display: string,
  offer: string,
): Promise<{ feedId: number; answer: string }> {
  const { data, jsep } = await handle.message(
    { request: 'joinandconfigure', room, ptype: 'publisher', display, audio: true, video: true },
    { type: 'offer', sdp: offer },
  );
  if (data.videoroom !== 'joined' || !jsep || jsep.type !== 'answer') throw new Error(`videoroom publish: ${JSON.stringify(data)}`);
  return { feedId: data.id as number, answer: jsep.sdp };
}

/** Joins `room` as a subscriber to `feeds`: Janus's SDP offer; send the answer with `startSubscription`. */
export async function subscribeInVideoRoom(handle: JanusHandle, room: number, feeds: number[]): Promise<string> {
  const { data, jsep } = await handle.message({ request: 'join', room, ptype: 'subscriber', streams: feeds.map((feed) => ({ feed })) });
  if (data.videoroom !== 'attached' || !jsep || jsep.type !== 'offer') throw new Error(`videoroom subscribe: ${JSON.stringify(data)}`);
  return jsep.sdp;
}

export async function startSubscription(handle: JanusHandle, room: number, answer: string): Promise<void> {
  const { data } = await handle.message({ request: 'start', room }, { type: 'answer', sdp: answer });
  if (data.started !== 'ok') throw new Error(`videoroom start: ${JSON.stringify(data)}`);
}

/** The publishers now in `room` (id, display). */
export async function listPublishers(httpUrl: string, room: number): Promise<Array<{ id: number; display?: string }>> {
  const session = await JanusSession.create(httpUrl);
  try {
    const handle = await session.attach();
    const data = await handle.request({ request: 'listparticipants', room });
    const participants = (data.participants ?? []) as Array<{ id: number; display?: string; publisher?: boolean }>;
    return participants.filter((p) => p.publisher).map(({ id, display }) => ({ id, ...(display !== undefined ? { display } : {}) }));
  } finally {
    await session.destroy();
  }
}
