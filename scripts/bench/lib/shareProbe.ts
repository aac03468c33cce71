/**
 * One share probed finely (issue 21's hypotheses, scripts/bench/README.md "screenshare"): the PSNR,
 * the sender's outbound-rtp (frames, keyframes, QP, bytes, target, encode time) every ~0.4 s for
 * `seconds`, then the next sheet for as long. A variant is JSON: minFps (track applyConstraints),
 * maxFps (the encoding's maxFramerate), hint (contentHint), startKbps (x-google-start-bitrate rewritten),
 * codec, planTab (share a tab of its own showing the plan, not the meeting's tab), cameraOff (the
 * sharer's camera stopped before sharing). Ends with a summary line: time to 30 dB after the first
 * frame and after the page change, the screen's frames encoded per second and QP over the first
 * 3 s of each, and each browser's CPU. Not a benchmark module (lib/ is never run by npm run bench):
 *   flock /tmp/chantier-heavy.lock node --import tsx scripts/bench/lib/shareProbe.ts '{"maxFps":10}'
 */
import { framePsnr, joinAsSharer, joinMeeting, openPlanTab, screenStats, showPlan, showNextSheet, startSharing, waitForFullResolution, type PlanView } from '../../../test/screenShare.js';
import { startProbeMeeting } from './probeMeeting.js';

const variant = JSON.parse(process.argv[2] ?? '{}') as {
  minFps?: number; hint?: string; startKbps?: number; maxFps?: number; scale?: boolean; codec?: string; seconds?: number;
  planTab?: boolean; cameraOff?: boolean;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RECORD_PCS = `(() => {
  const O = window.RTCPeerConnection; window.__pcs = [];
  const v = ${JSON.stringify(variant)};
  window.RTCPeerConnection = class extends O {
    constructor(...a) { super(...a); window.__pcs.push(this); }
    addTransceiver(t, init) {
      if (v.maxFps && typeof t !== 'string' && t.kind === 'video' && init && init.sendEncodings && init.sendEncodings.length === 1) init.sendEncodings[0].maxFramerate = v.maxFps;
      return super.addTransceiver(t, init);
    }
    setRemoteDescription(d) {
      if (v.startKbps && d && d.sdp) d = { type: d.type, sdp: d.sdp.replace(/x-google-start-bitrate=\\d+/g, 'x-google-start-bitrate=' + v.startKbps) };
      return super.setRemoteDescription(d);
    }
  };
  const md = navigator.mediaDevices; const orig = md.getDisplayMedia.bind(md);
  md.getDisplayMedia = async (o) => { const s = await orig(o); const t = s.getVideoTracks()[0];
    if (v.minFps) await t.applyConstraints({ frameRate: { min: v.minFps, max: 30 } });
    if (v.hint !== undefined) { t.contentHint = v.hint; Object.defineProperty(t, 'contentHint', { get: () => v.hint, set: () => {} }); }
    return s; };
})();`;

async function senderStats(page: import('puppeteer-core').Page) {
  return page.evaluate(async () => {
    for (const pc of (window as any).__pcs as RTCPeerConnection[]) {
      const r = await pc.getStats();
      let out: any = null;
      r.forEach((s: any) => { if (s.type === 'outbound-rtp' && s.kind === 'video' && s.frameWidth >= 1900) out = s; });
      if (out) return { enc: out.framesEncoded, key: out.keyFramesEncoded, qp: out.qpSum, bytes: out.bytesSent, target: out.targetBitrate, fps: out.framesPerSecond, lim: out.qualityLimitationReason, impl: out.encoderImplementation, mode: out.scalabilityMode, huge: out.hugeFramesSent, ptime: out.totalEncodeTime };
    }
    return null;
  });
}

const meeting = await startProbeMeeting({ planTab: variant.planTab ?? false });
try {
  const { place } = meeting;
  const sharer = await joinAsSharer(meeting.sharerBrowser, place, 'Sharer', {
    beforeApp: [RECORD_PCS],
    localStorage: variant.codec ? { 'chantier.screenCodec': variant.codec } : {},
    planTab: variant.planTab ?? false,
  });
  const viewer = await joinMeeting(meeting.viewerBrowser, place, 'Viewer');
  await viewer.page.waitForSelector(`[data-testid="tile"][data-peer-id="${sharer.peerId}"]`, { timeout: 15_000 });
  if (variant.cameraOff) {
    await sharer.page.click('[data-testid="camera-toggle"]');
    await sharer.page.waitForSelector(`[data-testid="camera-toggle"][aria-pressed="false"]`, { timeout: 5_000 });
  }
  const planPage = variant.planTab ? await openPlanTab(sharer) : sharer.page;
  if (!variant.planTab) await showPlan(sharer.page);
  const cpuSince = meeting.cpuMark();
  const clicked = Date.now();
  await startSharing(sharer);
  const first = await waitForFullResolution(viewer.page, sharer.peerId, clicked, 15_000);
  const t0 = Date.now();
  console.log(`first frame ${first.elapsedMs} ms`, JSON.stringify(variant));
  let view: PlanView = 'plan';
  let prev: any = null;
  const total = (variant.seconds ?? 8) * 1000;
  let changed = false;
  let changedAt = 0;
  const legible: { first: number | null; change: number | null } = { first: null, change: null };
  /** Sender counters at the first frame and at the change, and 3 s after each. */
  const marks: Record<string, any> = {};
  const firstCount = await senderStats(sharer.page);
  marks.first = firstCount;
  while (Date.now() - t0 < total * 2) {
    if (!changed && Date.now() - t0 > total) {
      marks.change = await senderStats(sharer.page);
      await showNextSheet(planPage);
      view = 'next-sheet';
      changed = true;
      changedAt = Date.now();
      console.log('--- next sheet');
    }
    const at = Date.now() - t0;
    const psnr = await framePsnr(viewer.page, view);
    const s = await senderStats(sharer.page);
    if (!marks.first3 && at >= 3000) marks.first3 = s;
    if (changed && !marks.change3 && Date.now() - changedAt >= 3000) marks.change3 = s;
    if (psnr >= 30 && !changed && legible.first === null) legible.first = Date.now() - t0;
    if (psnr >= 30 && changed && legible.change === null) legible.change = Date.now() - changedAt;
    const r = await screenStats(viewer.page, sharer.peerId);
    const dEnc = prev ? s!.enc - prev.enc : 0;
    const dBytes = prev ? s!.bytes - prev.bytes : 0;
    console.log(`${(at / 1000).toFixed(2)}s psnr ${psnr.toFixed(1)} enc+${dEnc} (${s?.enc}) key ${s?.key} sentKB+${(dBytes / 1000).toFixed(1)} avgqp ${s && prev && dEnc ? ((s.qp - prev.qp) / dEnc).toFixed(0) : '-'} target ${((s?.target ?? 0) / 1000).toFixed(0)}k encms ${s && prev && dEnc ? (((s.ptime - prev.ptime) * 1000) / dEnc).toFixed(0) : '-'} lim ${s?.lim} ${s?.impl} ${s?.mode ?? ''} dec ${r?.framesDecoded} rxKB ${((r?.bytesReceived ?? 0) / 1000).toFixed(0)}`);
    prev = s;
    // Back to back until legible, then every 0.4 s.
    if ((changed ? legible.change : legible.first) !== null) await sleep(Math.max(0, 400 - (Date.now() - t0 - at)));
  }
  const cpu = cpuSince();
  const rate = (a: any, b: any) => (a && b ? `${((b.enc - a.enc) / 3).toFixed(1)} f/s, QP ${b.enc > a.enc ? ((b.qp - a.qp) / (b.enc - a.enc)).toFixed(0) : '-'}` : '?');
  console.log(
    `SUMMARY ${JSON.stringify(variant)} first frame ${(first.elapsedMs / 1000).toFixed(2)} s; ` +
      `30 dB after first frame ${legible.first === null ? 'never' : (legible.first / 1000).toFixed(2) + ' s'}; ` +
      `after page change ${legible.change === null ? 'never' : (legible.change / 1000).toFixed(2) + ' s'}; ` +
      `screen first 3 s: ${rate(marks.first, marks.first3)}; after change: ${rate(marks.change, marks.change3)}; ` +
      cpu,
  );
} finally {
  await meeting.close();
}
