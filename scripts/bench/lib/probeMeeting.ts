/**
 * What the one-off share probes (shareProbe.ts, pageChangeProbe.ts) run on: an embedded Redis in a
 * temp dir, the app with one mediasoup worker, a sharer's and a viewer's Chromium; `close()` stops
 * them all and removes the dir, and `cpuSince()` reads each browser's and the rest of the machine's
 * share of a core since a mark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../sfu/src/logger.js';
import { startEmbeddedRedis } from '../../../signaling/src/redis/embedded.js';
import { startTestApp, type TestApp } from '../../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../../test/browser.js';
import { launchSharerBrowser, type MeetingPlace } from '../../../test/screenShare.js';
import { machineBusySeconds, treeCpuSeconds } from '../cpu.js';

export interface ProbeMeeting {
  app: TestApp;
  place: MeetingPlace;
  sharerBrowser: TestBrowser;
  viewerBrowser: TestBrowser;
  /** A CPU mark: now. Its result, later: "CPU % sharer S viewer V other O" since the mark. */
  cpuMark(): () => string;
  close(): Promise<void>;
}

export async function startProbeMeeting(options: { planTab: boolean }): Promise<ProbeMeeting> {
  const dir = mkdtempSync(join(tmpdir(), 'probe-redis-'));
  const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
  const app = await startTestApp({ MEDIASOUP_WORKERS: '1' }, `unix://${redis.socketPath}`);
  const [sharerBrowser, viewerBrowser] = await Promise.all([launchSharerBrowser({ planTab: options.planTab }), launchBrowser()]);
  const pidOf = (b: TestBrowser): number => b.browser.process()!.pid!;
  return {
    app,
    place: { app, projectId: 'probe', roomId: 'probe' },
    sharerBrowser,
    viewerBrowser,
    cpuMark() {
      const at = Date.now();
      const sharer = treeCpuSeconds(pidOf(sharerBrowser));
      const viewer = treeCpuSeconds(pidOf(viewerBrowser));
      const machine = machineBusySeconds();
      const self = treeCpuSeconds(process.pid);
      return () => {
        const seconds = (Date.now() - at) / 1000;
        const share = (busy: number) => ((busy / seconds) * 100).toFixed(0);
        const other = machineBusySeconds() - machine - (treeCpuSeconds(process.pid) - self);
        return `CPU % sharer ${share(treeCpuSeconds(pidOf(sharerBrowser)) - sharer)} viewer ${share(treeCpuSeconds(pidOf(viewerBrowser)) - viewer)} other ${share(other)}`;
      };
    },
    async close() {
      await Promise.all([sharerBrowser.close(), viewerBrowser.close()]);
      await app.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
