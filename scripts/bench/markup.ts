/**
 * Markup (issue 17) on loopback: how fast a stroke being drawn reaches 10
 * viewers, how fast a finished mark does, how many bytes a stroke costs on
 * the wire, and the server's CPU (Node process and Redis) per 1,000 markup
 * operations.
 *
 * Set-up: Chantier as an OS process with its own redis-server
 * (lib/benchServer.ts), one mediasoup worker; a presenter and VIEWERS
 * viewers as WebSocket clients (test/TestClient.ts) in this process, joined
 * in one meeting where a two-page plan is presented. Times are taken in this
 * process (one clock): sent just before the frame leaves, received when the
 * viewer's socket hands it over.
 * - Strokes: STROKES strokes drawn as a client does, a markupStroke chunk of
 *   POINTS_PER_CHUNK points every CHUNK_MS (pen: each chunk appends), then
 *   markupAdd with the whole stroke (the finished mark).
 * - CPU: every participant adds marks and streams strokes at OPS_PER_SECOND
 *   each (under the per-person budget of 40/s), for CPU_OPS operations, the
 *   server's and Redis's CPU over that window; idle CPU over as long is
 *   given beside it.
 * Prints figures, asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { treeCpuSeconds } from './cpu.js';
import { startBenchServer, type BenchServer } from './lib/benchServer.js';
import { summarize } from './lib/quantiles.js';
import { sleep, withTimeout } from './stats.js';
import type { BenchResult, Table } from './types.js';
import { joinMeeting, uploadDocument } from '../../test/meetingClient.js';
import { planPdf } from '../../test/pdf.js';
import type { TestClient } from '../../test/TestClient.js';
import type { MarkInput } from '../../signaling/src/protocol/index.js';

export const name = 'markup';
export const description = 'markup on loopback: stroke and mark latency to 10 viewers, bytes per stroke, server CPU per 1,000 operations';

const VIEWERS = 10;
const STROKES = 40;
const CHUNKS_PER_STROKE = 20;
const POINTS_PER_CHUNK = 8;
const CHUNK_MS = 50;
const OPS_PER_SECOND = 25;
const CPU_OPS = 3000;
const PROJECT = `bench-markup-${randomBytes(3).toString('hex')}`;
const ROOM = 'reunion';

interface Participant {
  c: TestClient;
  userId: string;
}

async function participant(server: BenchServer, userId: string): Promise<Participant> {
  const token = await server.token({ userId, projectId: PROJECT, displayName: userId, role: 'member' });
  return { c: (await joinMeeting(server.url, token, PROJECT, ROOM)).c, userId };
}

async function uploadPlan(server: BenchServer): Promise<string> {
  return uploadDocument(server.url, PROJECT, await server.token({ userId: 'presenter', projectId: PROJECT }), 'plan-bench.pdf', planPdf(2));
}

/** A wavy stroke's points, chunk by chunk; each chunk's first x is unique (it names the chunk in the latency table). */
function strokeChunks(stroke: number): number[][] {
  const chunks: number[][] = [];
  for (let k = 0; k < CHUNKS_PER_STROKE; k++) {
    const chunk: number[] = [];
    for (let i = 0; i < POINTS_PER_CHUNK; i++) {
      const n = k * POINTS_PER_CHUNK + i;
      chunk.push(Math.round((100 + stroke * 0.01 + n * 3.17) * 100) / 100, Math.round((400 + 80 * Math.sin(n / 9) + stroke) * 100) / 100);
    }
    chunks.push(chunk);
  }
  return chunks;
}

/** Records, per viewer, when each markupStroke chunk and markupAdded mark arrived, and the bytes received. */
function listen(viewers: Participant[]): { arrivals: Map<string, number[]>; bytes: { stroke: number; added: number } } {
  const arrivals = new Map<string, number[]>();
  const bytes = { stroke: 0, added: 0 };
  for (const v of viewers) {
    v.c.ws.on('message', (raw: Buffer) => {
      const at = performance.now();
      const text = raw.toString();
      if (!text.includes('"markup')) return;
      const msg = JSON.parse(text) as { type?: string; data?: { markId?: string; points?: number[]; mark?: { markId: string } } };
      let key: string | undefined;
      if (msg.type === 'markupStroke') {
        key = `s/${msg.data!.markId}/${msg.data!.points![0]}`;
        bytes.stroke += raw.length;
      } else if (msg.type === 'markupAdded') {
        key = `a/${msg.data!.mark!.markId}`;
        bytes.added += raw.length;
      }
      if (key) arrivals.set(key, [...(arrivals.get(key) ?? []), at]);
    });
  }
  return { arrivals, bytes };
}

export async function run(): Promise<BenchResult> {
  const server = await startBenchServer({ MEDIASOUP_WORKERS: '1' });
  const clients: TestClient[] = [];
  try {
    const documentId = await uploadPlan(server);
    const presenter = await participant(server, 'presenter');
    clients.push(presenter.c);
    const viewers: Participant[] = [];
    for (let i = 0; i < VIEWERS; i++) viewers.push(await participant(server, `viewer-${i}`));
    clients.push(...viewers.map((v) => v.c));
    const { presentation } = await presenter.c.request('presentStart', { documentId });
    const presentationId = presentation.presentationId;
    await presenter.c.request('markupPolicy', { presentationId, drawers: 'all' });
    await sleep(500);

    // --- strokes as a client draws them, then the finished mark
    const { arrivals, bytes } = listen(viewers);
    const sent = new Map<string, number>();
    const sentBytes = { stroke: 0, add: 0 };
    const strokeIds: string[] = [];
    for (let s = 0; s < STROKES; s++) {
      const markId = `stroke-${s}`;
      strokeIds.push(markId);
      const chunks = strokeChunks(s);
      for (const points of chunks) {
        const data = { presentationId, markId, page: 1, tool: 'pen' as const, width: 2, points };
        sentBytes.stroke += Buffer.byteLength(JSON.stringify({ kind: 'req', id: 1, type: 'markupStroke', data }));
        sent.set(`s/${markId}/${points[0]}`, performance.now());
        void presenter.c.request('markupStroke', data);
        await sleep(CHUNK_MS);
      }
      const mark: MarkInput = { markId, page: 1, tool: 'pen', width: 2, points: chunks.flat() };
      sentBytes.add += Buffer.byteLength(JSON.stringify({ kind: 'req', id: 1, type: 'markupAdd', data: { presentationId, mark } }));
      sent.set(`a/${markId}`, performance.now());
      await presenter.c.request('markupAdd', { presentationId, mark });
    }
    await withTimeout(
      (async () => {
        while ([...sent.keys()].some((k) => (arrivals.get(k)?.length ?? 0) < VIEWERS)) await sleep(50);
      })(),
      10_000,
      'every viewer received every stroke and mark',
    ).catch(() => undefined);
    const latencies = (prefix: string): number[] =>
      [...sent.entries()].filter(([k]) => k.startsWith(prefix)).flatMap(([k, t0]) => (arrivals.get(k) ?? []).map((t) => t - t0));
    // The CPU step below streams and adds too: what one stroke cost is taken now.
    const strokeBytes = { ...bytes };
    const strokeLat = summarize(latencies('s/'));
    const addLat = summarize(latencies('a/'));
    const expectedStroke = STROKES * CHUNKS_PER_STROKE * VIEWERS;

    // --- CPU per 1,000 operations: everyone adds and streams at a steady pace
    const everyone = [presenter, ...viewers];
    const idleWindowStart = performance.now();
    const idle0 = treeCpuSeconds(server.pid) + treeCpuSeconds(server.redisPid);
    await sleep(3000);
    const idleCpuPerSecond = (treeCpuSeconds(server.pid) + treeCpuSeconds(server.redisPid) - idle0) / ((performance.now() - idleWindowStart) / 1000);

    const perCpu = async (kind: 'markupAdd' | 'markupStroke'): Promise<{ ops: number; refused: number; seconds: number; serverCpu: number; redisCpu: number }> => {
      const perPerson = Math.ceil(CPU_OPS / everyone.length);
      const s0 = treeCpuSeconds(server.pid);
      const r0 = treeCpuSeconds(server.redisPid);
      const t0 = performance.now();
      let refused = 0;
      await Promise.all(
        everyone.map(async (p, who) => {
          for (let i = 0; i < perPerson; i++) {
            const points = [100 + i, 100 + who * 10, 120 + i, 130 + who * 10, 140 + i, 110 + who * 10];
            const page = 1 + ((i + who) % 2);
            const request =
              kind === 'markupAdd'
                ? p.c.request('markupAdd', { presentationId, mark: { markId: `cpu-${who}-${i}`, page, tool: 'pen', width: 2, points } })
                : p.c.request('markupStroke', { presentationId, markId: `cpu-${who}-${i}`, page, tool: 'pen', width: 2, points });
            await request.catch(() => refused++);
            await sleep(1000 / OPS_PER_SECOND);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      return { ops: perPerson * everyone.length, refused, seconds, serverCpu: treeCpuSeconds(server.pid) - s0, redisCpu: treeCpuSeconds(server.redisPid) - r0 };
    };
    const addCpu = await perCpu('markupAdd');
    const strokeCpu = await perCpu('markupStroke');
    const listed = (await presenter.c.request('markupList', { presentationId })).marks.length;

    const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : '—');
    const cpuRow = (label: string, r: typeof addCpu): Array<string | number> => {
      const idle = idleCpuPerSecond * r.seconds;
      return [label, r.ops, r.refused, r.seconds.toFixed(1), ((r.serverCpu + r.redisCpu) * 1000 * 1000 / r.ops).toFixed(0), (r.serverCpu * 1000 * 1000 / r.ops).toFixed(0), (r.redisCpu * 1000 * 1000 / r.ops).toFixed(0), ((idle * 1000 * 1000) / r.ops).toFixed(0)];
    };
    const tables: Table[] = [
      {
        title: `Latency to ${VIEWERS} viewers on loopback (ms)`,
        columns: ['what', 'deliveries', 'expected', 'p50', 'p95', 'max'],
        rows: [
          [`stroke chunk (${POINTS_PER_CHUNK} points, every ${CHUNK_MS} ms)`, strokeLat.count, expectedStroke, ms(strokeLat.p50), ms(strokeLat.p95), ms(strokeLat.max)],
          [`finished mark (markupAdd, ${CHUNKS_PER_STROKE * POINTS_PER_CHUNK} points)`, addLat.count, STROKES * VIEWERS, ms(addLat.p50), ms(addLat.p95), ms(addLat.max)],
        ],
        headline: true,
      },
      {
        title: `Bytes per stroke (${CHUNKS_PER_STROKE * POINTS_PER_CHUNK} points, ${CHUNKS_PER_STROKE} chunks, then the mark)`,
        columns: ['direction', 'live chunks', 'finished mark', 'total'],
        rows: [
          ['sent by the drawer', Math.round(sentBytes.stroke / STROKES), Math.round(sentBytes.add / STROKES), Math.round((sentBytes.stroke + sentBytes.add) / STROKES)],
          [
            'received by each viewer',
            Math.round(strokeBytes.stroke / STROKES / VIEWERS),
            Math.round(strokeBytes.added / STROKES / VIEWERS),
            Math.round((strokeBytes.stroke + strokeBytes.added) / STROKES / VIEWERS),
          ],
        ],
      },
      {
        title: `Server CPU per 1,000 operations (${everyone.length} participants, ${OPS_PER_SECOND} ops/s each; ms of CPU)`,
        columns: ['operation', 'ops', 'refused', 's', 'server+redis', 'server', 'redis', 'idle over as long'],
        rows: [cpuRow('markupAdd (stored, fanned out)', addCpu), cpuRow('markupStroke (fanned out, not stored)', strokeCpu)],
        headline: true,
      },
    ];
    return {
      tables,
      notes: [
        'Loopback, one machine: the clients, the server and Redis share its cores; the latency includes the viewers\' own event loop in this process.',
        `Marks stored at the end: ${listed} (the CPU step's adds spread over two pages, under the 2,000-per-page limit).`,
        'Frames are JSON text; permessage-deflate is not negotiated, so the bytes are what travels.',
      ],
      data: { strokeLat, addLat, sentBytes, strokeBytes, addCpu, strokeCpu, idleCpuPerSecond, listed },
    };
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}
