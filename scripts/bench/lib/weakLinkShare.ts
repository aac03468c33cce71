/**
 * A plan shared to a viewer behind the net lab's weak link (issue 21, item
 * 4): the viewer's Chromium in the lab's namespace behind 300 kbit/s, 75 ms
 * each way (150 ms RTT) and 5 % random loss each way; the sharer on the root
 * side (real tab capture of the 1920x1080 plan). Both join on an unshaped
 * link, the link turns weak, and once the viewer's estimates have settled
 * the sharer clicks Share: time to the first full-size frame and to a
 * legible picture, from the click. Needs root (network namespace).
 */
import type { Page } from 'puppeteer-core';
import { launchBrowser } from '../../../test/browser.js';
import { startLabMeeting } from '../../../test/netlab/labMeeting.js';
import { KEEP_PEER_CONNECTIONS } from '../../../test/netlab/pageMedia.js';
import { joinAsSharer, sendStats, showPlan, startSharing, TAB_CAPTURE_FLAGS, waitForFullResolution } from '../../../test/screenShare.js';
import { timeToLegible } from './legibility.js';

export const WEAK_LINK = { rateKbit: 300, delayMs: 75, lossPct: 5 } as const;
const SETTLE_MS = 8_000;
const FIRST_FRAME_TIMEOUT_MS = 30_000;
const LEGIBLE_TIMEOUT_MS = 40_000;

export interface WeakLinkRun {
  /** From the click to the first 1920x1080 frame decoded by the viewer; null if none within the bound. */
  firstFrameMs: number | null;
  /** From the click to the first sample at 30 dB; null if not within the bound. */
  legibleMs: number | null;
  /** The viewer's samples (ms from the click, dB). */
  samples: Array<{ atMs: number; psnr: number }>;
  /** What crossed the link towards the viewer while the share was measured. */
  downKbps: number;
  downLossDropped: number;
  downQueueDropped: number;
  /** The viewer's inbound screen at the end (null if its stage never played it): what it asked the sharer for and decoded. */
  viewer: ViewerVideoCounters | null;
  /** The sharer's screen encoding over the run: what it sent (kb/s), its encoder's last target, frames encoded. */
  sharer: { sentKbps: number; targetKbps: number | null; framesEncoded: number } | null;
  /** The sharer's screen every ~2 s: s from the click, encoder target kb/s, kb/s sent since the last, frames encoded, what limits it. */
  sharerSeries: Array<{ atS: number; targetKbps: number | null; sentKbps: number; frames: number; limit: string | null; bweKbps: number | null; cameraTargetKbps: number | null }>;
}

/** From the viewer's inbound-rtp of the screen (window.__pcs, test/netlab/pageMedia.ts). */
export interface ViewerVideoCounters {
  pliCount: number;
  firCount: number;
  nackCount: number;
  keyFramesDecoded: number;
  framesDecoded: number;
  framesReceived: number;
  framesDropped: number;
  packetsReceived: number;
  packetsLost: number;
  frameWidth: number;
}

/** The screen's inbound-rtp: the one whose track plays on the viewer's stage (its camera tiles are other tracks). */
async function viewerVideoCounters(page: Page): Promise<ViewerVideoCounters | null> {
  return page.evaluate(async () => {
    const video = document.querySelector<HTMLVideoElement>('[data-testid="stage-video"]');
    const trackId = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0]?.id;
    if (!trackId) return null;
    let screen: Record<string, number> | null = null;
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs ?? []) {
      for (const s of (await pc.getStats()).values()) {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && s.trackIdentifier === trackId) screen = s as Record<string, number>;
      }
    }
    if (!screen) return null;
    // No named function in here: tsx's keepNames would wrap it in __name, which the page lacks.
    const keys = ['pliCount', 'firCount', 'nackCount', 'keyFramesDecoded', 'framesDecoded', 'framesReceived', 'framesDropped', 'packetsReceived', 'packetsLost', 'frameWidth'] as const;
    return Object.fromEntries(keys.map((key) => [key, Number(screen![key] ?? 0)])) as unknown as ViewerVideoCounters;
  });
}

export async function measureWeakLinkShare(redisUrl: string, run: number): Promise<WeakLinkRun> {
  const m = await startLabMeeting({ projectId: 'bench', roomId: `weak-share-${run}`, redisUrl });
  try {
    const sharerBrowser = await launchBrowser(TAB_CAPTURE_FLAGS, { fakeUi: false, secureOrigins: [m.app.url] });
    try {
      const sharer = await joinAsSharer(sharerBrowser, m.place, 'Sharer', { beforeApp: [KEEP_PEER_CONNECTIONS] });
      const viewer = await m.join(m.labBrowser, 'Viewer');
      await viewer.page.waitForSelector(`[data-testid="tile"][data-peer-id="${sharer.peerId}"]`, { timeout: 15_000 });
      await m.lab.set(WEAK_LINK);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      await showPlan(sharer.page);
      const before = await m.lab.stats();
      const clicked = Date.now();
      await startSharing(sharer);
      const screenSent = async (): Promise<{ bytes: number; target: number | null; frames: number } | null> => {
        const screen = (await sendStats(sharer.page).catch(() => [])).find((x) => x.source === 'screen');
        return screen ? { bytes: screen.bytesSent, target: screen.targetBitrate, frames: screen.framesEncoded } : null;
      };
      const sentAtClick = await screenSent();
      const sharerSeries: WeakLinkRun['sharerSeries'] = [];
      let last = { at: clicked, bytes: sentAtClick?.bytes ?? 0 };
      const sampler = setInterval(() => {
        const bwe = sharer.page.evaluate(async () => {
          let best = 0;
          for (const pc of (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? []) {
            for (const s of (await pc.getStats()).values()) {
              if (s.type === 'candidate-pair' && s.nominated && typeof s.availableOutgoingBitrate === 'number') best = Math.max(best, s.availableOutgoingBitrate);
            }
          }
          return best > 0 ? Math.round(best / 1000) : null;
        });
        void Promise.all([sendStats(sharer.page), bwe])
          .then(([all, bweKbps]) => {
            const screen = all.find((x) => x.source === 'screen');
            if (!screen) return;
            const now = Date.now();
            sharerSeries.push({
              atS: Math.round((now - clicked) / 100) / 10,
              targetKbps: screen.targetBitrate === null ? null : Math.round(screen.targetBitrate / 1000),
              sentKbps: Math.round(((screen.bytesSent - last.bytes) * 8) / (now - last.at)),
              frames: screen.framesEncoded,
              limit: screen.qualityLimitationReason,
              bweKbps,
              cameraTargetKbps: all.filter((x) => x.source === 'camera').reduce((sum, x) => sum + (x.targetBitrate ?? 0), 0) / 1000,
            });
            last = { at: now, bytes: screen.bytesSent };
          })
          .catch(() => {});
      }, 2_000);
      let firstFrameMs: number | null = null;
      try {
        firstFrameMs = (await waitForFullResolution(viewer.page, sharer.peerId, clicked, FIRST_FRAME_TIMEOUT_MS)).elapsedMs;
      } catch {
        // never at full size within the bound: legibility below stays null too
      }
      const legible = firstFrameMs === null ? { ms: null, samples: [] } : await timeToLegible(viewer.page, 'plan', clicked, LEGIBLE_TIMEOUT_MS);
      const after = await m.lab.stats();
      const counters = await viewerVideoCounters(viewer.page).catch((error: unknown) => {
        process.stderr.write(`[bench] viewer counters not read: ${String(error)}\n`);
        return null;
      });
      clearInterval(sampler);
      const seconds = (Date.now() - clicked) / 1000;
      const sentAtEnd = await screenSent();
      return {
        firstFrameMs,
        legibleMs: legible.ms,
        samples: legible.samples,
        downKbps: ((after.down.deliveredBytes - before.down.deliveredBytes) * 8) / seconds / 1000,
        downLossDropped: after.down.lossDropped - before.down.lossDropped,
        downQueueDropped: after.down.queueDropped - before.down.queueDropped,
        viewer: counters,
        sharer: sentAtEnd && {
          sentKbps: ((sentAtEnd.bytes - (sentAtClick?.bytes ?? 0)) * 8) / seconds / 1000,
          targetKbps: sentAtEnd.target === null ? null : sentAtEnd.target / 1000,
          framesEncoded: sentAtEnd.frames,
        },
        sharerSeries,
      };
    } finally {
      await sharerBrowser.close();
    }
  } finally {
    await m.close();
  }
}
