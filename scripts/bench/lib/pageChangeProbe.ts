/**
 * A page change of a shared plan timed step by step (issue 21, scripts/bench/README.md "screenshare"):
 * the plan in a tab of its own, shared through the real client; once sharp and still, the sharer turns
 * the page `changes` times (every `stillS` seconds; `refineFps` replaces the app's minimum frame rate, `maxBitrate` the screen's cap). Around each change, every 100 ms in the pages
 * themselves: the frames the capture delivered (media-source), the frames encoded, their average QP and
 * bytes (outbound-rtp), the capture's frame-rate constraints the app applied (applyConstraints
 * wrapped), the frames the viewer decoded and presented (requestVideoFrameCallback), and the PSNR sampled
 * back to back from here. Prints one table per change, relative to the draw, and a summary line.
 * Not a benchmark module (lib/ is never run by npm run bench):
 *   flock /tmp/chantier-heavy.lock node --import tsx scripts/bench/lib/pageChangeProbe.ts '{"changes":4}'
 */
import type { Page } from 'puppeteer-core';
import { BITRATE_OVERRIDE_KEY } from '../../../client/src/room/screenTuning.js';
import { framePsnr, joinAsSharer, joinMeeting, openPlanTab, showNextSheet, startSharing, waitForFullResolution, type PlanView } from '../../../test/screenShare.js';
import { drawPlan, lumaPsnr, pageSource, PLAN_HEIGHT, PLAN_WIDTH } from '../../../test/plan.js';
import { timeToLegible } from './legibility.js';
import { startProbeMeeting } from './probeMeeting.js';

const options = JSON.parse(process.argv[2] ?? '{}') as { changes?: number; stillS?: number; afterS?: number; refineFps?: number; maxBitrate?: number; newSheets?: boolean };
const CHANGES = options.newSheets ? Math.min(options.changes ?? 3, 3) : (options.changes ?? 4);
const STILL_MS = (options.stillS ?? 8) * 1000;
const AFTER_MS = (options.afterS ?? 3) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sharer's meeting tab, before the app: peer connections kept, applyConstraints logged (and, with
 * `refineFps`, the app's minimum frame rate replaced by it), a 100-ms sampler.
 */
const SHARER_TRACE = `(() => {
  const refineFps = ${JSON.stringify(options.refineFps ?? null)};
  const O = window.RTCPeerConnection; const pcs = [];
  window.RTCPeerConnection = class extends O { constructor(...a) { super(...a); pcs.push(this); } };
  const constraints = []; window.__constraints = constraints;
  const apply = MediaStreamTrack.prototype.applyConstraints;
  MediaStreamTrack.prototype.applyConstraints = function (c) {
    const fr = c && c.frameRate;
    if (refineFps && fr && typeof fr === 'object' && fr.min) { fr.min = refineFps; fr.max = Math.max(fr.max || 30, refineFps); }
    constraints.push({ at: Date.now(), min: fr && typeof fr === 'object' ? fr.min ?? null : null });
    return apply.call(this, c);
  };
  const samples = []; window.__samples = samples;
  setInterval(async () => {
    for (const pc of pcs) {
      const r = await pc.getStats(); let out = null; let src = null;
      r.forEach((s) => { if (s.type === 'outbound-rtp' && s.kind === 'video' && s.frameWidth >= 1900) out = s; });
      if (!out) continue;
      r.forEach((s) => { if (s.type === 'media-source' && s.id === out.mediaSourceId) src = s; });
      samples.push({ at: Date.now(), captured: src ? src.frames : null, enc: out.framesEncoded, qp: out.qpSum, bytes: out.bytesSent, target: out.targetBitrate, encS: out.totalEncodeTime });
      return;
    }
  }, 100);
})();`;

/** Viewer: a 100-ms sampler of the screen's inbound-rtp, and every frame the stage presents. */
async function traceViewer(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const samples = []; window.__samples = samples; const shown = []; window.__shown = shown;
    const pcs = window.__pcs;
    setInterval(async () => {
      const video = document.querySelector('[data-testid="stage-video"]');
      if (video && video !== window.__watched && video.requestVideoFrameCallback) {
        window.__watched = video;
        const each = (now, meta) => { shown.push({ at: Date.now(), frames: meta.presentedFrames }); if (window.__watched === video) video.requestVideoFrameCallback(each); };
        video.requestVideoFrameCallback(each);
      }
      const stats = await window.__chantier.getReceiveStats();
      const s = stats.find((x) => x.source === 'screen');
      if (s) samples.push({ at: Date.now(), dec: s.framesDecoded, bytes: s.bytesReceived });
    }, 100);
  })()`);
}

/** Sheet k (1-3): the plan mirrored across (1), upside down (2), both (3). */
const flips = (k: number): [number, number] => [k === 1 || k === 3 ? -1 : 1, k === 2 || k === 3 ? -1 : 1];

/** Draws sheet k of the set in the plan's tab (newSheets). */
async function showSheet(page: Page, k: number): Promise<void> {
  await page.evaluate((f: [number, number]) => {
    const overlay = document.querySelector<HTMLCanvasElement>('[data-testid="test-plan"]')!;
    const w = window as unknown as { __original?: HTMLCanvasElement };
    if (!w.__original) {
      w.__original = document.createElement('canvas');
      w.__original.width = overlay.width;
      w.__original.height = overlay.height;
      w.__original.getContext('2d')!.drawImage(overlay, 0, 0);
    }
    const ctx = overlay.getContext('2d')!;
    ctx.save();
    ctx.translate(f[0] < 0 ? overlay.width : 0, f[1] < 0 ? overlay.height : 0);
    ctx.scale(f[0], f[1]);
    ctx.drawImage(w.__original, 0, 0);
    ctx.restore();
  }, flips(k));
}

/** Luma PSNR of the viewer's stage video against sheet k, drawn by the viewer. */
function sheetPsnr(viewer: Page, k: number): Promise<number> {
  return viewer.evaluate(
    (sources: { draw: string; psnr: string }, width: number, height: number, f: [number, number]) => {
      const draw = new Function(`return (${sources.draw})`)() as (ctx: OffscreenCanvasRenderingContext2D, w: number, h: number) => void;
      const psnr = new Function(`return (${sources.psnr})`)() as (a: Uint8ClampedArray, b: Uint8ClampedArray) => number;
      const video = document.querySelector<HTMLVideoElement>('[data-testid="stage-video"]');
      if (!video || video.videoWidth !== width || video.videoHeight !== height) throw new Error('no full-size stage video');
      const frame = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
      frame.drawImage(video, 0, 0);
      const plan = new OffscreenCanvas(width, height);
      draw(plan.getContext('2d')!, width, height);
      const reference = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true })!;
      reference.translate(f[0] < 0 ? width : 0, f[1] < 0 ? height : 0);
      reference.scale(f[0], f[1]);
      reference.drawImage(plan, 0, 0);
      return psnr(frame.getImageData(0, 0, width, height).data, reference.getImageData(0, 0, width, height).data);
    },
    { draw: pageSource(drawPlan), psnr: pageSource(lumaPsnr) },
    PLAN_WIDTH,
    PLAN_HEIGHT,
    flips(k),
  );
}

interface SharerSample { at: number; captured: number | null; enc: number; qp: number; bytes: number; target: number; encS: number }
interface ViewerSample { at: number; dec: number; bytes: number }

const meeting = await startProbeMeeting({ planTab: true });
try {
  const { place } = meeting;
  const sharer = await joinAsSharer(meeting.sharerBrowser, place, 'Sharer', {
    beforeApp: [SHARER_TRACE],
    planTab: true,
    localStorage: options.maxBitrate ? { [BITRATE_OVERRIDE_KEY]: String(options.maxBitrate) } : {},
  });
  const viewer = await joinMeeting(meeting.viewerBrowser, place, 'Viewer');
  await viewer.page.waitForSelector(`[data-testid="tile"][data-peer-id="${sharer.peerId}"]`, { timeout: 15_000 });
  const planPage = await openPlanTab(sharer);
  const clicked = Date.now();
  await startSharing(sharer);
  const first = await waitForFullResolution(viewer.page, sharer.peerId, clicked, 15_000);
  const firstAt = clicked + first.elapsedMs;
  const firstLegible = await timeToLegible(viewer.page, 'plan', firstAt, 15_000);
  await traceViewer(viewer.page);
  const cpuSince = meeting.cpuMark();
  const results: Array<number | null> = [];
  const phases: string[] = [];
  let view: PlanView = 'plan';
  for (let i = 0; i < CHANGES; i++) {
    await sleep(STILL_MS);
    const before = Date.now();
    if (options.newSheets) await showSheet(planPage, i + 1);
    else await showNextSheet(planPage);
    const drawn = Date.now();
    view = view === 'plan' ? 'next-sheet' : 'plan';
    const measure = () => (options.newSheets ? sheetPsnr(viewer.page, i + 1) : framePsnr(viewer.page, view));
    const psnr: Array<{ at: number; psnr: number }> = [];
    let legibleAt: number | null = null;
    while (Date.now() - before < AFTER_MS + (legibleAt === null ? 2000 : 0)) {
      let value: number;
      try {
        value = await measure();
      } catch {
        await sleep(50);
        continue;
      }
      const at = Date.now();
      psnr.push({ at, psnr: value });
      if (value >= 30 && legibleAt === null) legibleAt = at;
      if (legibleAt !== null && at - before > AFTER_MS) break;
    }
    results.push(legibleAt === null ? null : legibleAt - before);
    const s = (await sharer.page.evaluate('window.__samples.splice(0)')) as SharerSample[];
    const c = (await sharer.page.evaluate('window.__constraints')) as Array<{ at: number; min: number | null }>;
    const v = (await viewer.page.evaluate('window.__samples.splice(0)')) as ViewerSample[];
    const shown = (await viewer.page.evaluate('window.__shown.splice(0)')) as Array<{ at: number; frames: number }>;
    const rel = (t: number) => ((t - before) / 1000).toFixed(2);
    // The first sample whose frames since the previous one came coarse (a new picture), the first at QP ≤ 160 (~30 dB).
    const atQp = (test: (qp: number) => boolean) => s.find((x, k) => k > 0 && x.at > before && x.enc > s[k - 1]!.enc && test((x.qp - s[k - 1]!.qp) / (x.enc - s[k - 1]!.enc)))?.at;
    const coarse = atQp((qp) => qp > 80);
    const fine = coarse === undefined ? undefined : s.find((x, k) => k > 0 && x.at > coarse && x.enc > s[k - 1]!.enc && (x.qp - s[k - 1]!.qp) / (x.enc - s[k - 1]!.enc) <= 160)?.at;
    const minAt = c.find((x) => x.at > before && x.min !== null)?.at;
    const show = (t: number | undefined | null) => (t === undefined || t === null ? '—' : rel(t));
    phases.push(`coarse frame encoded ${show(coarse)}, min applied ${show(minAt)}, QP ≤ 160 encoded ${show(fine)}, 30 dB seen ${show(legibleAt)}`);
    console.log(`\n=== change ${i + 1}: drawn in ${drawn - before} ms; 30 dB at ${legibleAt === null ? 'never' : rel(legibleAt) + ' s'}`);
    console.log(`constraints: ${c.filter((x) => x.at > before - STILL_MS).map((x) => `${rel(x.at)} min=${x.min}`).join(', ') || 'none in the window'} (last before: ${JSON.stringify(c.filter((x) => x.at <= before).at(-1) ?? null)})`);
    console.log(`viewer frames shown at: ${shown.filter((x) => x.at > before - 1000).map((x) => rel(x.at)).join(' ')}`);
    console.log(`psnr: ${psnr.map((p) => `${rel(p.at)}:${p.psnr.toFixed(1)}`).join(' ')}`);
    console.log('t(s)   | cap enc  qp   KB   target encms | dec');
    const from = before - 1000;
    for (let t = from; t < before + AFTER_MS; t += 100) {
      const inS = (a: { at: number }) => a.at >= t && a.at < t + 100;
      const s1 = s.filter((x) => x.at < t).at(-1);
      const s2 = s.filter(inS).at(-1);
      const v1 = v.filter((x) => x.at < t).at(-1);
      const v2 = v.filter(inS).at(-1);
      const sCol = s1 && s2 ? `${String((s2.captured ?? 0) - (s1.captured ?? 0)).padStart(3)} ${String(s2.enc - s1.enc).padStart(3)} ${s2.enc > s1.enc ? ((s2.qp - s1.qp) / (s2.enc - s1.enc)).toFixed(0).padStart(4) : '   -'} ${((s2.bytes - s1.bytes) / 1000).toFixed(1).padStart(5)} ${(s2.target / 1000).toFixed(0).padStart(5)}k ${s2.enc > s1.enc ? (((s2.encS - s1.encS) * 1000) / (s2.enc - s1.enc)).toFixed(0).padStart(4) : '   -'}` : '            -                ';
      const vCol = v1 && v2 ? String(v2.dec - v1.dec).padStart(3) : '  -';
      const marks = [...c.filter(inS).map((x) => `min=${x.min}`), ...psnr.filter(inS).map((p) => `psnr ${p.psnr.toFixed(1)}`)].join(' ');
      console.log(`${rel(t).padStart(6)} | ${sCol} | ${vCol} ${marks}`);
    }
  }
  const cpu = cpuSince();
  phases.forEach((p, k) => console.log(`PHASES change ${k + 1} (s after the draw): ${p}`));
  console.log(
    `SUMMARY first frame ${(first.elapsedMs / 1000).toFixed(2)} s, 30 dB ${firstLegible.ms === null ? 'never' : (firstLegible.ms / 1000).toFixed(2)} s after it; ` +
      `page changes → 30 dB: ${results.map((r) => (r === null ? 'never' : (r / 1000).toFixed(2))).join(', ')} s; ` +
      cpu,
  );
} finally {
  await meeting.close();
}
