/**
 * The floor under the signaling benchmark's hello: the same load generators
 * (lib/wsLoad.ts, 1,000 meeting sockets, 50 hellos outstanding each) against
 * servers that only answer (lib/helloFloorServer.ts): node:http + ws, then
 * Fastify + @fastify/websocket, then one Redis round trip more. What a hello
 * costs there is what no change of Chantier's own code can go under on this
 * machine. A probe, as weakShareProbe.ts: `node --import tsx
 * scripts/bench/probes/helloFloor.ts`, under the heavy lock.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as mediasoup from 'mediasoup';
import { silentLogger } from '../../../sfu/src/logger.js';
import { mediaCodecs } from '../../../sfu/src/codecs.js';
import { startEmbeddedRedis } from '../../../signaling/src/redis/embedded.js';
import { Generator, step } from '../lib/loadGenerators.js';
import { PROTOCOL_VERSION } from '../../../signaling/src/protocol/index.js';
import type { LoadClientSpec } from '../lib/wsLoadProtocol.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLIENTS = 1000;
const GENERATORS = 2;
const CONCURRENCY = 50;
const ROUNDS = Number(process.env.FLOOR_ROUNDS ?? 3);
const MODES = (process.env.FLOOR_MODES ?? 'ws,fastify,fastify-redis').split(',');

/** ~ a real hello answer's data: the router's capabilities for the SFU's codecs, 25 people present. */
function answerData(): string {
  const supported = mediasoup.getSupportedRtpCapabilities();
  const mimes = new Set(mediaCodecs.map((c) => c.mimeType.toLowerCase()));
  const routerRtpCapabilities = { ...supported, codecs: (supported.codecs ?? []).filter((c) => mimes.has(c.mimeType.toLowerCase())) };
  const connections = Array.from({ length: 25 }, (_, i) => ({
    connectionId: `c${i}x9Qw`,
    userId: `bench-user-${i}`,
    displayName: `Bench ${i}`,
    role: 'member',
    roomId: 'meeting-1',
    device: 'desktop',
  }));
  return JSON.stringify({
    protocol: PROTOCOL_VERSION,
    peerId: 'abcdefghi',
    projectId: 'bench-p1',
    roomId: 'meeting-1',
    routerRtpCapabilities,
    self: { userId: 'bench-user-1', displayName: 'Bench 1', role: 'member' },
    iceServers: [],
    presence: { version: 25, connections },
    unread: 0,
    resumeSecret: 'x'.repeat(22),
  });
}

async function startFloor(mode: string, redisUrl: string, data: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(here, '../lib/helloFloorServer.ts'), [mode, redisUrl, data], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-floor-'));
  const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
  const generators = Array.from({ length: GENERATORS }, () => new Generator());
  const data = answerData();
  process.stdout.write(`answer ${data.length + 40} bytes; ${CLIENTS} sockets, ${GENERATORS} generators, ${CONCURRENCY} outstanding each; 2 warm-up steps then the measured one\n`);
  const specs: LoadClientSpec[] = Array.from({ length: CLIENTS }, (_, i) => ({
    userId: `bench-user-${i}`,
    displayName: `Bench ${i}`,
    projectId: `bench-p${Math.floor(i / 50)}`,
    roomId: 'meeting-1',
    token: 'x'.repeat(200),
    janusRoom: 1,
  }));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const { child, url } = await startFloor(mode, `unix://${redis.socketPath}`, data);
        const target = { pid: child.pid!, workerPids: () => [], redisPid: mode === 'fastify-redis' ? redis.pid : -1 };
        const init = (): Promise<unknown> =>
          Promise.all(generators.map((g, gi) => g.send({ type: 'init', url, clients: specs.filter((_, i) => i % GENERATORS === gi) }, 'ready')));
        try {
          let line = '';
          for (let s = 0; s < 3; s++) {
            await init();
            const r = await step(target, generators, async (g) => (await g.send({ type: 'connect', concurrency: CONCURRENCY }, 'connected')).report);
            await Promise.all(generators.map((g) => g.send({ type: 'close', gently: true }, 'closed')));
            const ok = r.reports.reduce((n, x) => n + x.ok, 0);
            const serverMs = (((r.cpu.serverNode + r.cpu.redis) / 100) * r.wallMs) / ok;
            const genMs = (r.reports.reduce((n, x) => n + x.cpuSeconds, 0) * 1000) / ok;
            line = `${mode}: ${((ok / r.wallMs) * 1000).toFixed(0)}/s, server ${r.cpu.serverNode.toFixed(0)} % of a core, server side ${serverMs.toFixed(2)} ms/hello, generators ${genMs.toFixed(2)} ms/hello, other ${r.cpu.other.toFixed(0)} %`;
            if (s < 2) process.stdout.write(`  (warm-up ${s + 1}) ${line}\n`);
          }
          process.stdout.write(`round ${round + 1}: ${line}\n`);
        } finally {
          child.kill('SIGTERM');
        }
      }
    }
  } finally {
    await Promise.all(generators.map((g) => g.stop()));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await run();
process.exit(0);
