/**
 * What an audio-only participant receives in a 10-person call: 9 senders
 * with camera and microphone, and a 10th participant (camera off) whose
 * downstream is measured twice over the same call, first receiving
 * everything (the video receiver of the comparison: same remotes, same
 * moment), then audio-only (the client's setAudioOnly, when this client
 * has it). Downstream = bytes received by the page's ICE transports (SRTP
 * media, retransmissions, the server's bandwidth probes, RTCP); its audio
 * part = the audio inbound-rtp streams' payload and RTP header bytes.
 *
 * Cost on 2 cores: ten pages in ONE Chromium (one browser process, a
 * context per participant), and a small camera file instead of the 640x360
 * fake camera: 320x180 at 15 fps (testsrc2, y4m), so simulcast sends
 * 160x90 and 320x180. The microphone is a continuous 440 Hz tone (WAV):
 * every sender "talks" all the time, so Opus DTX never lowers the audio —
 * the upper bound of what audio-only costs. Senders 2 to 9 only send: a
 * page script removes the server's ICE candidates from their receive
 * transport's offer, so it never connects and the server forwards them
 * nothing (a first try where all nine decoded 8 videos each took minutes to
 * join on 2 cores and timed out). So the server forwards to two
 * participants only, the listener and sender 1; what the listener receives
 * does not depend on it. The browser's CPU is printed.
 * Loopback only; every wait bounded.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { Page } from 'puppeteer-core';
import { silentLogger } from '../../sfu/src/logger.js';
import { startEmbeddedRedis } from '../../signaling/src/redis/embedded.js';
import { startTestApp, type TestApp } from '../../test/app.js';
import { launchBrowser, type TestBrowser } from '../../test/browser.js';
import { KEEP_PEER_CONNECTIONS, pageMedia, type PageMedia } from '../../test/netlab/pageMedia.js';
import { setMicEnabled } from '../../test/pageMicrophone.js';
import { joinMeeting, type MeetingPage, type MeetingPlace } from '../../test/screenShare.js';
import { machineBusySeconds, treeCpuSeconds } from './cpu.js';
import { newTalkerDelay, serverPeer, setCamerasSending, voicesOf, type NewTalker } from './lib/voicePhases.js';
import { sleep, withTimeout } from './stats.js';
import type { BenchResult } from './types.js';

export const name = 'audio-only';
export const description = 'downstream of an audio-only participant in a 10-person call, against the same participant receiving video';

const SENDERS = 9;
const WARM_UP_MS = 10_000;
const WINDOW_MS = 15_000;
const SWITCH_SETTLE_MS = 5_000;
const MEDIA_TIMEOUT_MS = 90_000;
const RUN_TIMEOUT_MS = 360_000;
const CAMERA = { width: 320, height: 180, fps: 15 };
/** New talkers timed per run (lib/voicePhases.ts). */
const NEW_TALKERS = 5;
/** Issue 21's targets for an audio-only listener. */
const TARGETS = { nineTalkingKbps: 100, oneTalkingKbps: 40, newTalkerMs: 300 };
/**
 * A laptop's window: the client receives video only for tiles in view
 * (viewport adaptation), so the number of video streams received is what
 * this grid shows; the tables say how many.
 */
const VIEWPORT = { width: 1600, height: 900 };

/**
 * For send-only participants: drops the ICE candidates from every remote
 * offer. mediasoup-client's receive transport is the only one whose remote
 * description is an offer (the server offers what it sends), so the send
 * transport connects and the receive transport never does.
 */
const SEND_ONLY = `(() => {
  const proto = RTCPeerConnection.prototype;
  const native = proto.setRemoteDescription;
  proto.setRemoteDescription = function (description) {
    if (description && description.type === 'offer' && typeof description.sdp === 'string') {
      const sdp = description.sdp.split('\\r\\n').filter((line) => !line.startsWith('a=candidate:')).join('\\r\\n');
      return native.call(this, { type: 'offer', sdp });
    }
    return native.apply(this, arguments);
  };
})();`;

interface Window {
  seconds: number;
  totalKbps: number;
  audioKbps: number;
  videoKbps: number;
  audioStreams: number;
  videoStreams: number;
  /** The whole browser (all ten pages), share of one core. */
  browserCpu: number;
  otherCpu: number;
}

interface Measured {
  mode: string;
  full: Window;
  audioOnly: Window | null;
  /** Sender 1 over the first window: a participant with its camera on, receiving 8 videos and 9 voices (the listener's mic too). */
  sender: Window;
  /** The listener's voices as the server forwarded them while nine talked. */
  voices: { held: number; flowing: number } | null;
  /** Audio-only, sender 1 talking, the other eight and the listener muted (DTX). */
  oneTalking: Window | null;
  newTalkers: NewTalker[];
  /** The same, the nine cameras stopped (the machine's load without the video the audio-only listener does not get). */
  newTalkersNoVideo: NewTalker[];
}

function makeCaptureFiles(dir: string): { video: string; audio: string } {
  const video = joinPath(dir, 'camera.y4m');
  const audio = joinPath(dir, 'tone.wav');
  const ffmpeg = (args: string[]): void => {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { timeout: 60_000 });
  };
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${CAMERA.width}x${CAMERA.height}:rate=${CAMERA.fps}`, '-t', '4', '-pix_fmt', 'yuv420p', video]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '4', '-ac', '1', audio]);
  return { video, audio };
}

async function join(
  browser: TestBrowser,
  place: MeetingPlace,
  who: string,
  options: { cameraOff?: boolean; sendOnly?: boolean },
): Promise<MeetingPage> {
  if (!options.cameraOff) {
    return joinMeeting(browser, place, who, {
      viewport: VIEWPORT,
      beforeApp: options.sendOnly ? [KEEP_PEER_CONNECTIONS, SEND_ONLY] : [KEEP_PEER_CONNECTIONS],
    });
  }
  const context = await browser.browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport(VIEWPORT);
  await page.evaluateOnNewDocument(KEEP_PEER_CONNECTIONS);
  const token = await place.app.token({ displayName: who, projectId: place.projectId, userId: `u-${who}` });
  await page.goto(`${place.app.url}/p/${place.projectId}/r/${place.roomId}#token=${token}`);
  await page.waitForSelector('[data-testid="join-button"]', { timeout: 30_000 });
  const camera = await page.waitForSelector('[data-testid="camera-toggle-lobby"]', { timeout: 10_000 });
  if ((await camera!.evaluate((el) => el.getAttribute('aria-pressed'))) !== 'false') await camera!.click();
  await page.click('[data-testid="join-button"]');
  await page.waitForSelector('[data-testid="room"]', { timeout: 30_000 });
  const self = await page.waitForSelector('[data-testid="tile"][data-self="true"]');
  const peerId = await self!.evaluate((el) => el.getAttribute('data-peer-id') ?? '');
  return { name: who, page, context, peerId };
}

/** Waits (bounded) until `page` receives audio from `audio` streams and decodes video from at least `video`. */
async function waitForStreams(page: Page, who: string, audio: number, video: number): Promise<void> {
  const deadline = Date.now() + MEDIA_TIMEOUT_MS;
  for (;;) {
    const media = await pageMedia(page);
    const a = media.inbound.filter((s) => s.kind === 'audio' && s.packetsReceived > 0).length;
    const v = media.inbound.filter((s) => s.kind === 'video' && s.framesDecoded > 0).length;
    if (a >= audio && v >= video) return;
    if (Date.now() > deadline) {
      const state = await page.evaluate(
        `(() => { const c = window.__chantier; return JSON.stringify({ phase: c?.state.phase.value, connection: c?.state.connection?.value, media: c?.state.mediaConnection?.value, tiles: document.querySelectorAll('[data-testid="tile"]').length, pcs: (window.__pcs || []).map((pc) => pc.connectionState) }); })()`,
      );
      throw new Error(`${who}: media from ${a}/${audio} audio, ${v}/${video} video streams after ${MEDIA_TIMEOUT_MS / 1000} s; ${String(state)}; ${media.inbound.length} inbound entries`);
    }
    await sleep(500);
  }
}

/** Switches to audio-only through the client, if it can; returns how, or null. */
async function switchToAudioOnly(page: Page): Promise<string | null> {
  return page.evaluate(async () => {
    const controller = (window as unknown as { __chantier?: Record<string, unknown> }).__chantier;
    const setAudioOnly = controller?.setAudioOnly;
    if (typeof setAudioOnly !== 'function') return null;
    await (setAudioOnly as (on: boolean) => Promise<void>).call(controller, true);
    return 'setAudioOnly(true)';
  });
}

interface Snapshot {
  media: PageMedia;
  browserCpu: number;
  selfCpu: number;
  machineCpu: number;
}

async function snapshot(page: Page, browser: TestBrowser): Promise<Snapshot> {
  return {
    media: await pageMedia(page),
    browserCpu: treeCpuSeconds(browser.browser.process()?.pid ?? -1),
    selfCpu: treeCpuSeconds(process.pid),
    machineCpu: machineBusySeconds(),
  };
}

function windowOf(a: Snapshot, b: Snapshot): Window {
  const seconds = (b.media.at - a.media.at) / 1000;
  const earlier = new Map(a.media.inbound.map((s) => [s.key, s]));
  const bytes = (kind: 'audio' | 'video'): number =>
    b.media.inbound
      .filter((s) => s.kind === kind)
      .reduce((sum, s) => {
        const e = earlier.get(s.key);
        return sum + s.bytesReceived + s.headerBytesReceived - (e ? e.bytesReceived + e.headerBytesReceived : 0);
      }, 0);
  const rising = (kind: 'audio' | 'video'): number =>
    b.media.inbound.filter((s) => s.kind === kind && s.packetsReceived > (earlier.get(s.key)?.packetsReceived ?? 0) && s.bytesReceived > (earlier.get(s.key)?.bytesReceived ?? 0) && (kind === 'audio' || s.frameWidth > 0)).length;
  const kbps = (n: number): number => (n * 8) / seconds / 1000;
  return {
    seconds,
    totalKbps: kbps(b.media.transportBytesReceived - a.media.transportBytesReceived),
    audioKbps: kbps(bytes('audio')),
    videoKbps: kbps(bytes('video')),
    audioStreams: rising('audio'),
    videoStreams: rising('video'),
    browserCpu: (b.browserCpu - a.browserCpu) / seconds,
    // The browser is a child of this process: the rest of the machine is what neither used.
    otherCpu: (b.machineCpu - a.machineCpu - (b.selfCpu - a.selfCpu)) / seconds,
  };
}

async function observe(pages: Page[], browser: TestBrowser): Promise<Window[]> {
  const start = await Promise.all(pages.map((p) => snapshot(p, browser)));
  await sleep(WINDOW_MS);
  const end = await Promise.all(pages.map((p) => snapshot(p, browser)));
  return start.map((s, i) => windowOf(s, end[i]!));
}

async function measure(app: TestApp, browser: TestBrowser): Promise<Measured> {
  const place: MeetingPlace = { app, projectId: 'bench', roomId: `audio-only-${Date.now()}` };
  const senders: MeetingPage[] = [];
  for (let i = 1; i <= SENDERS; i++) {
    senders.push(await join(browser, place, `Sender ${i}`, { sendOnly: i > 1 }));
    process.stderr.write(`[bench] audio-only: sender ${i}/${SENDERS} joined\n`);
  }
  const listener = await join(browser, place, 'Listener', { cameraOff: true });
  // The listener: every voice, and video from at least one sender (how many
  // depends on the tiles in view). Sender 1, the reference row: some of each.
  await waitForStreams(listener.page, 'listener', SENDERS, 1);
  process.stderr.write('[bench] audio-only: the listener receives every voice\n');
  await waitForStreams(senders[0]!.page, 'sender 1', 1, 1);
  await sleep(WARM_UP_MS);
  const [full, sender] = await observe([listener.page, senders[0]!.page], browser);
  const mode = await switchToAudioOnly(listener.page);
  let audioOnly: Window | null = null;
  let voices: Measured['voices'] = null;
  let oneTalking: Window | null = null;
  const newTalkers: Measured['newTalkers'] = [];
  const newTalkersNoVideo: Measured['newTalkers'] = [];
  if (mode) {
    await sleep(SWITCH_SETTLE_MS);
    audioOnly = (await observe([listener.page], browser))[0] ?? null;
    const peer = serverPeer(app.app.sfu, listener.peerId);
    const { held, flowing } = voicesOf(peer);
    voices = { held: held.length, flowing: flowing.length };
    for (const s of [...senders.slice(1), listener]) await setMicEnabled(s.page, false);
    process.stderr.write('[bench] audio-only: eight senders and the listener muted (DTX)\n');
    await sleep(SWITCH_SETTLE_MS);
    oneTalking = (await observe([listener.page], browser))[0] ?? null;
    for (let i = 0; i < NEW_TALKERS; i++) newTalkers.push(await newTalkerDelay(peer, listener.page, senders.slice(1)));
    await setCamerasSending(senders.map((s) => s.page), false);
    process.stderr.write('[bench] audio-only: the nine cameras stopped\n');
    await sleep(SWITCH_SETTLE_MS);
    for (let i = 0; i < NEW_TALKERS; i++) newTalkersNoVideo.push(await newTalkerDelay(peer, listener.page, senders.slice(1)));
  }
  return { mode: mode ?? 'not available in this client', full: full!, audioOnly, sender: sender!, voices, oneTalking, newTalkers, newTalkersNoVideo };
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(joinPath(tmpdir(), 'chantier-bench-audio-only-'));
  const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
  let app: TestApp | null = null;
  let browser: TestBrowser | null = null;
  try {
    const files = makeCaptureFiles(dir);
    app = await startTestApp({ MEDIASOUP_WORKERS: '1' }, `unix://${redis.socketPath}`);
    browser = await launchBrowser([
      `--use-file-for-fake-video-capture=${files.video}`,
      `--use-file-for-fake-audio-capture=${files.audio}`,
    ]);
    const m = await withTimeout(measure(app, browser), RUN_TIMEOUT_MS, 'audio-only run');
    const row = (label: string, w: Window): Array<string | number> => [
      label,
      w.totalKbps,
      w.audioKbps,
      w.videoKbps,
      w.audioStreams,
      w.videoStreams,
      w.browserCpu * 100,
      w.otherCpu * 100,
    ];
    const rows = [row('listener, receiving video (camera off)', m.full)];
    if (m.audioOnly) rows.push(row('listener, audio-only', m.audioOnly));
    if (m.oneTalking) rows.push(row('listener, audio-only, one talking, eight silent (DTX)', m.oneTalking));
    rows.push(row('sender 1 (camera on; 8 videos and 9 voices to receive)', m.sender));
    const ratio = (a: number, b: number): number => (b > 0 ? a / b : Number.NaN);
    const verdict = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    const newTalkerRow = (label: string, talkers: NewTalker[]): Array<string | number> => {
      const delays = talkers.map((t) => t.ms);
      const heard = delays.filter((d): d is number => d !== null).sort((a, b) => a - b);
      const worst = heard.length === delays.length && heard.length > 0 ? heard[heard.length - 1]! : Number.POSITIVE_INFINITY;
      return [
        `new talker heard, ${label} (worst of ${delays.length}; all: ${delays.map((d) => (d === null ? 'none in 3 s' : `${d} ms`)).join(', ')})`,
        worst,
        `<= ${TARGETS.newTalkerMs} ms`,
        verdict(worst <= TARGETS.newTalkerMs),
      ];
    };
    const targets = m.audioOnly && m.oneTalking
      ? [
          ['nine talking: total received', m.audioOnly.totalKbps, `<= ${TARGETS.nineTalkingKbps} kb/s`, verdict(m.audioOnly.totalKbps <= TARGETS.nineTalkingKbps)],
          ['one talking, eight silent (DTX): total received', m.oneTalking.totalKbps, `<= ${TARGETS.oneTalkingKbps} kb/s`, verdict(m.oneTalking.totalKbps <= TARGETS.oneTalkingKbps)],
          newTalkerRow('nine cameras on', m.newTalkers),
          newTalkerRow('cameras stopped', m.newTalkersNoVideo),
        ]
      : [['audio-only mode', 'not available in this client', '', 'MISSED']];
    return {
      tables: [
        {
          title: `Issue 21 targets: audio-only listener in a ${SENDERS + 1}-person call (the loudest voices only)`,
          columns: ['figure', 'measured', 'target', 'verdict'],
          rows: targets,
          headline: true,
        },
        {
          title: `Downstream in a ${SENDERS + 1}-person call (${SENDERS} senders with camera and microphone), over ${WINDOW_MS / 1000} s`,
          columns: ['participant', 'total kb/s', 'audio kb/s', 'video kb/s', 'audio streams', 'video streams', 'browser CPU %', 'other CPU %'],
          rows,
        },
        {
          title: 'New talker: each phase, ms from the sender\'s start (lib/talkerTrace.ts)',
          columns: ['talker', 'at worker', 'tap (Node)', 'resume asked', 'resumed', 'forwarded (worker)', 'forward seen in Node', 'heard (page)', 'poll noticed (packets)', 'first levels dBov', 'packets at worker (ms:bytes)', 'sent to listener', 'loop delay max/p99 ms'],
          rows: [...m.newTalkers, ...m.newTalkersNoVideo].map((t, i) => [
            `${t.who}${i >= m.newTalkers.length ? ' (cameras stopped)' : ''}`,
            ...[t.phases.atWorker, t.phases.tap, t.phases.resumeAsked, t.phases.resumed, t.phases.forwarded, t.phases.forwardedInNode, t.ms].map((v) => (v === null ? 'none' : v)),
            t.noticedMs === null ? 'none' : `${t.noticedMs} (${t.noticedPackets})`,
            t.tapLevels.join(' '),
            t.arrivals.map(([at, bytes]) => `${at}:${bytes}`).join(' '),
            t.sends.join(' '),
            `${t.loopDelayMaxMs.toFixed(1)}/${t.loopDelayP99Ms.toFixed(1)}`,
          ]),
        },
        {
          title: 'Audio-only against receiving video (same listener, same call)',
          columns: ['figure', 'audio-only', 'with video', 'ratio'],
          rows: m.audioOnly
            ? [
                ['total kb/s', m.audioOnly.totalKbps, m.full.totalKbps, ratio(m.audioOnly.totalKbps, m.full.totalKbps)],
                ['audio kb/s', m.audioOnly.audioKbps, m.full.audioKbps, ratio(m.audioOnly.audioKbps, m.full.audioKbps)],
                ['audio share of total', ratio(m.audioOnly.audioKbps, m.audioOnly.totalKbps), ratio(m.full.audioKbps, m.full.totalKbps), Number.NaN],
              ]
            : [['audio-only mode', 'not available in this client', m.full.totalKbps, Number.NaN]],
        },
      ],
      notes: [
        ...(m.full.videoStreams === 0 || m.full.audioStreams < SENDERS
          ? [
              `WARNING: in the "with video" window the listener decoded video from ${m.full.videoStreams} and heard ` +
                `${m.full.audioStreams}/${SENDERS} senders: the machine could not carry the call, the ratio means little`,
            ]
          : []),
        `audio-only switched by: ${m.mode}`,
        `one Chromium, ${SENDERS + 1} pages (a context each); camera: ${CAMERA.width}x${CAMERA.height} at ${CAMERA.fps} fps from a y4m file ` +
          '(simulcast 160x90 and 320x180); microphone: a continuous 440 Hz tone, so no DTX (upper bound of audio)',
        'total: bytes received by the ICE transports (SRTP payload: media, retransmissions, bandwidth probes, RTCP); ' +
          'audio/video: inbound-rtp payload + RTP header bytes; neither counts IP/UDP headers',
        `pages ${VIEWPORT.width}x${VIEWPORT.height}; video streams: those that decoded frames in the window (the client receives video for the tiles in view)`,
        `each window ${WINDOW_MS / 1000} s after a ${WARM_UP_MS / 1000} s warm-up (audio-only: ${SWITCH_SETTLE_MS / 1000} s after the switch); one run`,
        'browser CPU: the whole Chromium (all ten pages), % of one core; other: the rest of the machine meanwhile',
        ...(m.voices ? [`while nine talked the server forwarded the listener ${m.voices.flowing} voices and held ${m.voices.held} (FORWARDED_VOICES: ${app.config.sfu.forwardedVoices})`] : []),
        'one talking: senders 2-9 and the listener mute their microphone in the page (track.enabled = false: Opus DTX), ' +
          `measured ${SWITCH_SETTLE_MS / 1000} s later; new talker: a sender whose voice the server held starts again, ` +
          'time from then to its first packet at the listener, dated by the page\'s stats (lib/voicePhases.ts); ' +
          `then again with the nine cameras stopped (${SWITCH_SETTLE_MS / 1000} s later): the audio-only listener gets no video, ` +
          'and on this machine ten pages encoding video starve the sender, the worker and the listener\'s page of CPU ' +
          '(the phases table: 100-400 ms stalls in any of them make the tail); on real devices each has its own',
      ],
      data: m,
    };
  } finally {
    await browser?.close();
    await app?.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
