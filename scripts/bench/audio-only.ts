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
 * Cost on 2 cores: the listener and sender 1 are pages of one Chromium (a
 * context each), with a small camera file instead of the 640x360 fake
 * camera: 320x180 at 15 fps (testsrc2, y4m), so simulcast sends 160x90 and
 * 320x180. Senders 2 to 9 are bots (lib/chantierBot.ts: the real signaling,
 * a werift peer, no encoder) that only send: the recorded clip's Opus and
 * its two lowest VP8 layers (160x90, 320x180), their microphones with audio
 * levels and DTX as a browser's (lib/botVoice.ts). Eight send-only Chromium
 * pages encoding video kept the machine at load ~30 and their stalls made
 * the new talker's tail (session 12: 641 and 908 ms with the server done in
 * ~130); bots cost a fraction. The microphones are a continuous tone: every
 * sender "talks" all the time, so Opus DTX never lowers the audio — the
 * upper bound of what audio-only costs. The server forwards to two
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
import { BotVoice, loadSpeech, TALKING_DBOV } from './lib/botVoice.js';
import { startChantierBot, type ChantierBot } from './lib/chantierBot.js';
import { loadClip, Replayer, VIDEO_LAYERS } from './lib/simulcastClip.js';
import { machineBusySeconds, treeCpuSeconds } from './cpu.js';
import { newTalkerDelay, serverPeer, serverRoom, setCamerasSending, voicesOf, type NewTalker, type Talker } from './lib/voicePhases.js';
import { sleep, withTimeout } from './stats.js';
import type { BenchResult } from './types.js';

export const name = 'audio-only';
export const description = 'downstream of an audio-only participant in a 10-person call, against the same participant receiving video';

const SENDERS = 9;
/** Senders 2 to 9: bots sending these many of the clip's video layers (160x90, 320x180: what the pages' 320x180 camera sends). */
const BOT_VIDEO_LAYERS = 2;
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
  options: { cameraOff?: boolean },
): Promise<MeetingPage> {
  if (!options.cameraOff) {
    return joinMeeting(browser, place, who, { viewport: VIEWPORT, beforeApp: [KEEP_PEER_CONNECTIONS] });
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

/** A bot sender: it talks (or not), and its camera can stop. */
type BotSender = Talker & { setCamera(on: boolean): void };

/** Senders 2 to SENDERS: bots talking (a tone) with their cameras on; kept in `bots` to be closed. */
async function startBots(app: TestApp, place: MeetingPlace, replayer: Replayer, bots: ChantierBot[]): Promise<BotSender[]> {
  const speech = await loadSpeech();
  const botPlace = {
    url: app.url,
    projectId: place.projectId,
    token: (userId: string, displayName: string) => app.token({ userId, displayName, projectId: place.projectId }),
  };
  const talkers: BotSender[] = [];
  for (let i = 2; i <= SENDERS; i++) {
    const voice = new BotVoice(speech, true);
    const name = `Sender ${i}`;
    const bot = await startChantierBot(botPlace, place.roomId, name, replayer, i * 1_700, '127.0.0.1', { videoLayers: BOT_VIDEO_LAYERS, voice });
    bots.push(bot);
    talkers.push({ name, peerId: bot.peerId, setTalking: (on) => voice.setTalking(on), setCamera: (on) => bot.setCamera(on) });
    process.stderr.write(`[bench] audio-only: sender ${i}/${SENDERS} (a bot) joined\n`);
  }
  return talkers;
}

async function measure(app: TestApp, browser: TestBrowser, replayer: Replayer, bots: ChantierBot[]): Promise<Measured> {
  const place: MeetingPlace = { app, projectId: 'bench', roomId: `audio-only-${Date.now()}` };
  const senders: MeetingPage[] = [await join(browser, place, 'Sender 1', {})];
  process.stderr.write(`[bench] audio-only: sender 1/${SENDERS} (a page) joined\n`);
  const talkers = await startBots(app, place, replayer, bots);
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
    const room = serverRoom(app.app.sfu, listener.peerId);
    const { held, flowing } = voicesOf(peer);
    voices = { held: held.length, flowing: flowing.length };
    for (const t of talkers) await t.setTalking(false);
    await setMicEnabled(listener.page, false);
    process.stderr.write('[bench] audio-only: the eight bots silent and the listener muted (DTX)\n');
    await sleep(SWITCH_SETTLE_MS);
    oneTalking = (await observe([listener.page], browser))[0] ?? null;
    for (let i = 0; i < NEW_TALKERS; i++) newTalkers.push(await newTalkerDelay(peer, room, listener.page, talkers));
    await setCamerasSending(senders.map((s) => s.page), false);
    for (const t of talkers) t.setCamera(false);
    process.stderr.write('[bench] audio-only: the nine cameras stopped\n');
    await sleep(SWITCH_SETTLE_MS);
    for (let i = 0; i < NEW_TALKERS; i++) newTalkersNoVideo.push(await newTalkerDelay(peer, room, listener.page, talkers));
  }
  return { mode: mode ?? 'not available in this client', full: full!, audioOnly, sender: sender!, voices, oneTalking, newTalkers, newTalkersNoVideo };
}

export async function run(): Promise<BenchResult> {
  const dir = mkdtempSync(joinPath(tmpdir(), 'chantier-bench-audio-only-'));
  const redis = await startEmbeddedRedis({ dir, log: silentLogger, ephemeral: true });
  let app: TestApp | null = null;
  let browser: TestBrowser | null = null;
  const bots: ChantierBot[] = [];
  let replayer: Replayer | null = null;
  try {
    const files = makeCaptureFiles(dir);
    replayer = new Replayer(await loadClip());
    app = await startTestApp({ MEDIASOUP_WORKERS: '1' }, `unix://${redis.socketPath}`);
    browser = await launchBrowser([
      `--use-file-for-fake-video-capture=${files.video}`,
      `--use-file-for-fake-audio-capture=${files.audio}`,
    ]);
    const m = await withTimeout(measure(app, browser, replayer, bots), RUN_TIMEOUT_MS, 'audio-only run');
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
        `one Chromium, 2 pages (sender 1 and the listener, a context each); camera: ${CAMERA.width}x${CAMERA.height} at ${CAMERA.fps} fps from a y4m file ` +
          '(simulcast 160x90 and 320x180); microphone: a continuous 440 Hz tone, so no DTX (upper bound of audio)',
        `senders 2-${SENDERS}: bots (werift, no encoder) sending a recorded tone as the client's microphone does (Opus mono 20 kb/s, 40-ms packets; ` +
          `level ${TALKING_DBOV} dBov in the audio-level extension) ` +
          `and VP8 ${VIDEO_LAYERS.slice(0, BOT_VIDEO_LAYERS).map((l) => `${l.width}x${l.height}@${l.kbps}k`).join(' + ')}; they receive nothing`,
        'total: bytes received by the ICE transports (SRTP payload: media, retransmissions, bandwidth probes, RTCP); ' +
          'audio/video: inbound-rtp payload + RTP header bytes; neither counts IP/UDP headers',
        `pages ${VIEWPORT.width}x${VIEWPORT.height}; video streams: those that decoded frames in the window (the client receives video for the tiles in view)`,
        `each window ${WINDOW_MS / 1000} s after a ${WARM_UP_MS / 1000} s warm-up (audio-only: ${SWITCH_SETTLE_MS / 1000} s after the switch); one run`,
        'browser CPU: the whole Chromium (both pages), % of one core; other: the rest of the machine meanwhile (the bots run in this process)',
        ...(m.voices ? [`while nine talked the server forwarded the listener ${m.voices.flowing} voices and held ${m.voices.held} (FORWARDED_VOICES: ${app.config.sfu.forwardedVoices})`] : []),
        'one talking: the eight bots go silent (Opus DTX\'s pattern: a 1-byte packet every 400 ms at -127 dBov) and the listener mutes ' +
          `its microphone in the page (track.enabled = false: Opus DTX), measured ${SWITCH_SETTLE_MS / 1000} s later; ` +
          'new talker: a bot whose voice the server held starts again, time from its first voiced packet (sent) to that voice\'s ' +
          'first packet at the listener, dated by the page\'s stats (lib/voicePhases.ts); ' +
          `then again with the nine cameras stopped (${SWITCH_SETTLE_MS / 1000} s later): the audio-only listener gets no video ` +
          '(until session 13 the eight were Chromium pages: load ~30 and 100-500 ms stalls of the pages made the tail)',
      ],
      data: m,
    };
  } finally {
    replayer?.stop();
    for (const bot of bots) await bot.close().catch(() => undefined);
    await browser?.close();
    await app?.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
