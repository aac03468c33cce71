/**
 * A plan shared to a viewer behind the net lab's weak link (issue 21, item
 * 4): the viewer's Chromium in the lab's namespace behind 300 kbit/s, 75 ms
 * each way (150 ms RTT) and 5 % random loss each way; the sharer on the root
 * side (real tab capture of the 1920x1080 plan). Both join on an unshaped
 * link, the link turns weak, and once the viewer's estimates have settled
 * the sharer clicks Share: time to the first full-size picture on the
 * viewer's stage and to a legible one, from the click, measured on what the
 * stage shows: the video, or the still picture the viewer gets when its
 * downlink cannot carry the video (issue 21). Needs root (network namespace).
 */
import type { Page } from 'puppeteer-core';
import { launchBrowser } from '../../../test/browser.js';
import { startLabMeeting } from '../../../test/netlab/labMeeting.js';
import { KEEP_PEER_CONNECTIONS } from '../../../test/netlab/pageMedia.js';
import { joinAsSharer, sendStats, showPlan, startSharing, TAB_CAPTURE_FLAGS } from '../../../test/screenShare.js';
import { timeToLegible } from './legibility.js';
import { followStillChain, type StillPhase } from './stillTimeline.js';

export const WEAK_LINK = { rateKbit: 300, delayMs: 75, lossPct: 5 } as const;
const SETTLE_MS = 8_000;
const FIRST_FRAME_TIMEOUT_MS = 30_000;
const LEGIBLE_TIMEOUT_MS = 40_000;

/** The SFU's log lines on who gets the screen as video or as a still (as the weak-link browser test prints them). */
const SFU_DECISIONS = /"msg":"(screen consumed|screen held[^"]*|video limited by downlink|screen stills wanted[^"]*)"/;

export interface WeakLinkRun {
  /** The SFU's decisions from the click on: ms after it, the log line's message and figures. */
  decisions: string[];
  /** The click, epoch ms (to line the run up with samples taken beside it). */
  clickedAt: number;
  /** From the click to the first 1920x1080 picture on the viewer's stage (video frame or still); null if none within the bound. */
  firstFrameMs: number | null;
  /** What the stage showed when the run ended: the video, a still picture, or nothing. */
  shown: 'video' | 'still' | null;
  /** The still pictures the viewer fetched (bytes each, as transferred), in order. */
  stillBytes: number[];
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
  /** The chain from the click to the still, step by step (stillTimeline.ts). */
  phases: StillPhase[];
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

/** The screen's inbound-rtp: the one of the sharer's screen track (shown on the stage, or behind its still). */
async function viewerVideoCounters(page: Page, sharerPeerId: string): Promise<ViewerVideoCounters | null> {
  return page.evaluate(async (peerId: string) => {
    type Participants = { value: Array<{ peerId: string; screenTrack: MediaStreamTrack | null }> };
    const controller = (window as unknown as { __chantier?: { state: { participants: Participants } } }).__chantier;
    const trackId = controller?.state.participants.value.find((p) => p.peerId === peerId)?.screenTrack?.id;
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
  }, sharerPeerId);
}

const PLAN_SIZE = { width: 1920, height: 1080 };

/**
 * Polls the viewer's stage until it shows a full-size picture of the share
 * (a decoded video frame or a loaded still); ms from `since`, null if not
 * within the bound.
 */
async function waitForStagePicture(page: Page, since: number, timeoutMs: number): Promise<number | null> {
  while (Date.now() - since < timeoutMs) {
    const size = await page
      .evaluate(() => {
        const still = document.querySelector<HTMLImageElement>('[data-testid="stage-still"]');
        if (still?.complete && still.naturalWidth > 0) return [still.naturalWidth, still.naturalHeight];
        const video = document.querySelector<HTMLVideoElement>('[data-testid="stage-video"]');
        return video ? [video.videoWidth, video.videoHeight] : [0, 0];
      })
      .catch(() => [0, 0]);
    if (size[0] === PLAN_SIZE.width && size[1] === PLAN_SIZE.height) return Date.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

/** What the viewer's stage shows now, and the stills it fetched (Resource Timing of the still route). */
async function stageShows(page: Page): Promise<{ shown: WeakLinkRun['shown']; stillBytes: number[] }> {
  return page.evaluate(() => {
    const shown = document.querySelector('[data-testid="stage-still"]') ? 'still' : document.querySelector('[data-testid="stage-video"]') ? 'video' : null;
    const stillBytes = performance
      .getEntriesByType('resource')
      .filter((e) => /\/screens\/[^/]+\/still(\?|$)/.test(e.name)) // the GET made as the share begins has ?wait=true
      .map((e) => (e as PerformanceResourceTiming).encodedBodySize)
      .filter((bytes) => bytes > 0); // not the warm-up HEAD (StillReceiver.prepare)
    return { shown, stillBytes } as { shown: 'video' | 'still' | null; stillBytes: number[] };
  });
}

/** The kept log lines from `since` on, one short line each. */
function decisionsSince(lines: string[], since: number): string[] {
  const noise = new Set(['level', 'time', 'pid', 'hostname', 'component', 'roomId', 'home', 'worker', 'msg', 'consumerId']);
  return lines.flatMap((line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    if (typeof entry.time !== 'number' || entry.time < since) return [];
    const figures = Object.fromEntries(Object.entries(entry).filter(([key]) => !noise.has(key)));
    return [`+${entry.time - since} ms ${String(entry.msg)} ${JSON.stringify(figures)}`];
  });
}

export async function measureWeakLinkShare(redisUrl: string, run: number): Promise<WeakLinkRun> {
  const m = await startLabMeeting({ projectId: 'bench', roomId: `weak-share-${run}`, redisUrl, keepLog: SFU_DECISIONS });
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
      const chain = await followStillChain(sharer.page, viewer.page);
      const clicked = Date.now();
      await startSharing(sharer, 30_000); // a loaded host: the produce answers late (the weak-link browser test guards 30 s too)
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
      // Never at full size within the bound: legibility below stays null too.
      const firstFrameMs = await waitForStagePicture(viewer.page, clicked, FIRST_FRAME_TIMEOUT_MS);
      const legible = firstFrameMs === null ? { ms: null, samples: [] } : await timeToLegible(viewer.page, 'plan', clicked, LEGIBLE_TIMEOUT_MS);
      const after = await m.lab.stats();
      const phases = await chain.finish(clicked).catch((error: unknown) => {
        process.stderr.write(`[bench] still chain not read: ${String(error)}\n`);
        return [];
      });
      const stage = await stageShows(viewer.page).catch(() => ({ shown: null, stillBytes: [] }));
      const counters = await viewerVideoCounters(viewer.page, sharer.peerId).catch((error: unknown) => {
        process.stderr.write(`[bench] viewer counters not read: ${String(error)}\n`);
        return null;
      });
      clearInterval(sampler);
      const seconds = (Date.now() - clicked) / 1000;
      const sentAtEnd = await screenSent();
      return {
        decisions: decisionsSince(m.keptLog(), clicked),
        clickedAt: clicked,
        firstFrameMs,
        ...stage,
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
        phases,
      };
    } finally {
      await sharerBrowser.close();
    }
  } finally {
    await m.close();
  }
}
