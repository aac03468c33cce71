/**
 * One weak-link share run (lib/weakLinkShare.ts), for probing a change
 * without the whole screenshare bench: `sudo node --import tsx
 * scripts/bench/probes/weakShareProbe.ts` (root: the net lab), under the heavy lock.
 * Prints the run as one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../sfu/src/logger.js';
import { startEmbeddedRedis } from '../../../signaling/src/redis/embedded.js';
import { TARGETS, verdict } from '../lib/legibility.js';
import { phaseTable } from '../lib/stillTimeline.js';
import { measureWeakLinkShare } from '../lib/weakLinkShare.js';

const dir = mkdtempSync(join(tmpdir(), 'chantier-weak-probe-'));
const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
try {
  const run = await measureWeakLinkShare(`unix://${redis.socketPath}`, Date.now() % 100_000);
  const { samples, phases, decisions, ...rest } = run;
  process.stdout.write(`${JSON.stringify({ ...rest, lastPsnr: samples.at(-1)?.psnr ?? null, samples: samples.filter((_, i) => i % 5 === 0) })}\n`);
  process.stdout.write(`the SFU's decisions, from the click:\n${decisions.join('\n')}\n`);
  process.stdout.write(`the chain, ms from the click:\n${phaseTable(phases, run.firstFrameMs)}\n`);
  const legibleS = run.legibleMs === null ? null : run.legibleMs / 1000;
  process.stdout.write(
    `weak link: ≥30 dB ${legibleS === null ? 'never' : `${legibleS.toFixed(2)} s`} after the click (${run.shown ?? 'nothing'} on the stage), ` +
      `target ≤ ${TARGETS.weakLinkS} s: ${verdict(legibleS, TARGETS.weakLinkS)}\n`,
  );
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
