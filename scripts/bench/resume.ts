/**
 * Resuming after a network cut, measured: Alice in the root namespace and
 * Chloé in a network namespace behind an emulated link (test/netlab/), both
 * with camera and microphone, through the real server and SFU. Once media
 * flows both ways, Chloé's link goes down for 5 s (every packet dropped both
 * ways, as when a radio link is lost) and comes back. From the link's return:
 *   media to Chloé     first new RTP packets received by Chloé
 *   media from Chloé   first new RTP packets Alice receives from her
 *   signaling          a chat message Chloé sends at the return is acknowledged
 *                      by the server (shown as sent): her socket carries
 *                      requests again, whether it survived or was resumed
 *   socket resumed     Chloé's signaling state back to 'ok' after 'reconnecting'
 *                      (only in runs where her client noticed the cut: it pings
 *                      every 5 s with a 3-s timeout, so a 5-s cut may pass unseen)
 *   chat of the cut    a message Chloé typed during the cut reaches Alice
 * and Chloé's client phase and signaling state during the run. Each is polled every 100 ms.
 * RUNS runs, each in a fresh room with fresh pages (same server, lab and
 * browsers); the table shows median, min and max.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../sfu/src/logger.js';
import { startEmbeddedRedis } from '../../signaling/src/redis/embedded.js';
import {
  chatCount,
  openChat,
  readTileLog,
  sendChat,
  startLabMeeting,
  startTileLog,
  type LabMeeting,
} from '../../test/netlab/labMeeting.js';
import { firstNewPackets, pageMedia } from '../../test/netlab/pageMedia.js';
import type { MeetingPage } from '../../test/screenShare.js';
import { machineBusySeconds, treeCpuSeconds } from './cpu.js';
import { sleep, spread, withTimeout } from './stats.js';
import type { BenchResult } from './types.js';

export const name = 'resume';
export const description = 'time to media and signaling after a 5-s network cut of one participant (net lab, median of 5 runs)';

const RUNS = 5;
const ATTEMPTS = 2;
const CUT_MS = 5_000;
const SETTLE_MS = 3_000;
const LIMIT_MS = 30_000;
const RUN_TIMEOUT_MS = 120_000;
/** The target for media after the link's return. */
const TARGET_MS = 3_000;

interface Run {
  toChloeMs: number | null;
  fromChloeMs: number | null;
  signalingMs: number | null;
  /** From the link's return to the client's signaling state back to 'ok', when it went 'reconnecting'. */
  resumedMs: number | null;
  cutChatMs: number | null;
  /** How many times Alice showed the message typed during the cut (1 expected). */
  cutChatCopies: number;
  /** Chloé's client phases from the cut on, with times from the link's return (negative: during the cut). */
  phases: string[];
  /** Everything else on the machine during the run, in cores. */
  otherCpu: number;
}

async function waitForMedia(page: MeetingPage): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const media = await pageMedia(page.page);
    const audio = media.inbound.some((s) => s.kind === 'audio' && s.packetsReceived > 0);
    const video = media.inbound.some((s) => s.kind === 'video' && s.framesDecoded > 0);
    if (audio && video) return;
    if (Date.now() > deadline) throw new Error(`${page.name}: no media`);
    await sleep(250);
  }
}

async function waitUntil(check: () => Promise<boolean>, since: number): Promise<number | null> {
  while (Date.now() - since < LIMIT_MS) {
    if (await check()) return Date.now() - since;
    await sleep(100);
  }
  return null;
}

async function measure(m: LabMeeting, index: number): Promise<Run> {
  const room = `resume-${index}-${Date.now()}`;
  const pages: MeetingPage[] = [];
  const machine0 = machineBusySeconds();
  const self0 = treeCpuSeconds(process.pid);
  const t0 = Date.now();
  try {
    const alice = await m.join(m.rootBrowser, 'Alice', room);
    pages.push(alice);
    const chloe = await m.join(m.labBrowser, 'Chloé', room);
    pages.push(chloe);
    await Promise.all([waitForMedia(alice), waitForMedia(chloe)]);
    await Promise.all([openChat(alice.page), openChat(chloe.page)]);
    await startTileLog(chloe.page, 100);
    await sleep(SETTLE_MS);

    const duringCut = `Coupure ${index}`;
    const atReturn = `Retour ${index}`;
    const cutAt = Date.now();
    await m.lab.down();
    await sleep(1_000);
    await sendChat(chloe.page, duringCut);
    await sleep(CUT_MS - (Date.now() - cutAt));
    await m.lab.up();
    const upAt = Date.now();
    await sendChat(chloe.page, atReturn);

    const [toChloeMs, fromChloeMs, signalingMs, cutChatMs] = await Promise.all([
      firstNewPackets(chloe.page, upAt, LIMIT_MS),
      firstNewPackets(alice.page, upAt, LIMIT_MS),
      waitUntil(async () => (await chatCount(chloe.page, atReturn, 'sent')) > 0, upAt),
      waitUntil(async () => (await chatCount(alice.page, duringCut)) > 0, upAt),
    ]);
    await sleep(1_000);
    const cutChatCopies = await chatCount(alice.page, duringCut);
    const log = await readTileLog(chloe.page);
    const phases: string[] = [];
    let resumedMs: number | null = null;
    let wasReconnecting = false;
    for (const sample of log) {
      const state = `${sample.phase}/${sample.connection}`;
      if (sample.at < cutAt || phases.at(-1)?.endsWith(` ${state}`)) continue;
      phases.push(`${((sample.at - upAt) / 1000).toFixed(1)} s ${state}`);
      if (sample.connection === 'reconnecting') wasReconnecting = true;
      else if (wasReconnecting && resumedMs === null && sample.connection === 'ok') resumedMs = sample.at - upAt;
    }
    const seconds = (Date.now() - t0) / 1000;
    const otherCpu = (machineBusySeconds() - machine0 - (treeCpuSeconds(process.pid) - self0)) / seconds;
    return { toChloeMs, fromChloeMs, signalingMs, resumedMs, cutChatMs, cutChatCopies, phases, otherCpu };
  } finally {
    await Promise.all(pages.map((p) => p.context.close().catch(() => {})));
  }
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'chantier-bench-redis-'));
  const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
  let meeting: LabMeeting | null = null;
  try {
    meeting = await startLabMeeting({ projectId: 'bench', roomId: 'resume', redisUrl: `unix://${redis.socketPath}` });
    const m = meeting;
    const runs: Run[] = [];
    for (let i = 1; i <= RUNS; i++) {
      for (let attempt = 1; ; attempt++) {
        try {
          runs.push(await withTimeout(measure(m, i), RUN_TIMEOUT_MS, `resume run ${i}`));
          break;
        } catch (error) {
          if (attempt >= ATTEMPTS) throw error;
          process.stderr.write(`[bench] resume run ${i} failed, once more: ${String(error)}\n`);
          await m.lab.up().catch(() => {});
        }
      }
      const r = runs.at(-1)!;
      process.stderr.write(
        `[bench] resume run ${i}/${RUNS}: media to ${r.toChloeMs} ms, from ${r.fromChloeMs} ms, signaling ${r.signalingMs} ms\n`,
      );
    }
    const figures: Array<[string, Array<number | null>]> = [
      ['media to the cut participant', runs.map((r) => r.toChloeMs)],
      ['media from the cut participant', runs.map((r) => r.fromChloeMs)],
      ['signaling (chat sent at return acknowledged)', runs.map((r) => r.signalingMs)],
      ['socket resumed (reconnecting → ok; runs that reconnected)', runs.filter((r) => r.phases.some((p) => p.endsWith('/reconnecting'))).map((r) => r.resumedMs)],
      ['chat typed during the cut reaches the other', runs.map((r) => r.cutChatMs)],
    ];
    const rows = figures.map(([label, values]) => {
      const s = spread(values);
      return [label, s.median / 1000, s.min / 1000, s.max / 1000, `${s.count}/${values.length}`, s.median / TARGET_MS];
    });
    return {
      tables: [
        {
          title: `After a ${CUT_MS / 1000}-s cut: seconds from the link's return (${RUNS} runs)`,
          columns: ['from the link’s return to', 'median s', 'min s', 'max s', 'reached', `median × ${TARGET_MS / 1000}-s target`],
          rows,
        },
        {
          title: 'Each run',
          columns: ['run', 'media to s', 'media from s', 'signaling s', 'resumed s', 'cut chat s', 'cut chat copies', 'other CPU %', 'phase/signaling of the cut participant (s from return)'],
          rows: runs.map((r, i) => [
            i + 1,
            (r.toChloeMs ?? Number.NaN) / 1000,
            (r.fromChloeMs ?? Number.NaN) / 1000,
            (r.signalingMs ?? Number.NaN) / 1000,
            (r.resumedMs ?? Number.NaN) / 1000,
            (r.cutChatMs ?? Number.NaN) / 1000,
            r.cutChatCopies,
            r.otherCpu * 100,
            r.phases.join(' → '),
          ]),
        },
      ],
      notes: [
        `net lab link (user-space TUN pair, test/netlab/linkemu.py), unshaped but for the cut: down drops every packet both ways for ${CUT_MS / 1000} s`,
        'Alice in the root namespace, Chloé in the namespace; one server (1 mediasoup worker), one Chromium per side; fresh room and pages per run',
        `every figure polled every 100 ms (resolution ~0.1 s), bounded at ${LIMIT_MS / 1000} s (— never reached)`,
        'reached: runs where the figure was reached; other CPU: what the rest of the machine used meanwhile (% of a core)',
      ],
      data: { runs, cutMs: CUT_MS, targetMs: TARGET_MS },
    };
  } finally {
    await meeting?.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
