/**
 * The audio-only bench's loudest-voices phases (issue 21, item 2), on the
 * call audio-only.ts has set up: nine senders (sender 1 a Chromium page,
 * the eight others bots: botVoice.ts) and an audio-only listener (a
 * Chromium page), every one talking (a continuous tone).
 * - silence: every microphone but sender 1's goes silent (a page's
 *   `track.enabled = false`, a bot's DTX: a packet every 400 ms, as Opus DTX
 *   sends), and the listener's downstream is measured;
 * - new talker: a sender whose voice the server holds for the listener
 *   (pause reason 'voice') starts talking again, and the time from its first
 *   voiced packet (sent by the bot) to the first packet of that voice at the
 *   listener's RTCPeerConnection (its inbound-rtp, dated by the stats' own
 *   lastPacketReceivedTimestamp) is measured, with the server's phases
 *   between (talkerTrace.ts). Both clocks are the same machine's. It covers
 *   the network, the server's level reading and resume, and the forwarding;
 *   not the sender's encoder nor the listener's jitter buffer (a few tens of ms).
 */
import type { Page } from 'puppeteer-core';
import type { MediaPeer } from '../../../sfu/src/MediaPeer.js';
import type { MediaRoom } from '../../../sfu/src/MediaRoom.js';
import type { Sfu } from '../../../sfu/src/Sfu.js';
import { sleep } from '../stats.js';
import { traceTalker } from './talkerTrace.js';

/** The media room on the server that holds the listener's media peer. */
export function serverRoom(sfu: Sfu, peerId: string): MediaRoom {
  for (const room of sfu.rooms.values()) if (room.peers.has(peerId)) return room;
  throw new Error(`no media peer ${peerId}`);
}

/** The listener's media peer on the server. */
export function serverPeer(sfu: Sfu, peerId: string): MediaPeer {
  return serverRoom(sfu, peerId).peers.get(peerId)!;
}

/** The listener's voices as the server forwards them: held (not among the loudest) and flowing. */
export function voicesOf(listener: MediaPeer): { held: string[]; flowing: string[] } {
  const held: string[] = [];
  const flowing: string[] = [];
  for (const c of listener.consumers.values()) {
    if (c.appData.source !== 'mic') continue;
    if (listener.pauseReasons(c.id).has('voice')) held.push(c.appData.producerPeerId);
    else if (!c.paused) flowing.push(c.appData.producerPeerId);
  }
  return { held, flowing };
}

/**
 * Waits in the listener page for the first packet of `ssrc`. Polls only that
 * voice's RTCRtpReceiver (not every connection's whole report: under load a
 * full getStats every 5 ms took tens of ms itself and delayed what it
 * measured), every 10 ms, and dates the first packet by the stats' own
 * arrival time (lastPacketReceivedTimestamp: exact when the poll saw one new
 * packet, an upper bound when it saw several), so the figure is the
 * packet's, not the poll's. Resolves with both (epoch ms), or null after `timeoutMs`.
 */
function firstPacketAt(page: Page, ssrc: number, timeoutMs: number): { armed: Promise<void>; at: Promise<{ arrived: number; noticed: number; packets: number } | null> } {
  const flag = `__voiceArmed${ssrc}`;
  const at = page.evaluate(
    async (want: number, ms: number, armedFlag: string) => {
      const w = window as unknown as Record<string, unknown> & { __pcs: RTCPeerConnection[] };
      type Inbound = { type: string; ssrc?: number; packetsReceived?: number; lastPacketReceivedTimestamp?: number };
      let receiver: RTCRtpReceiver | null = null;
      for (const pc of w.__pcs) {
        for (const r of pc.getReceivers()) {
          if (r.track.kind !== 'audio') continue;
          (await r.getStats()).forEach((s: Inbound) => {
            if (s.type === 'inbound-rtp' && s.ssrc === want) receiver = r;
          });
        }
      }
      if (receiver === null) {
        w[armedFlag] = true;
        return null;
      }
      // No named function inside (nor a function held in a const): tsx
      // (esbuild's keepNames) would wrap it in a `__name` helper that exists
      // in Node, not in the page.
      let base: number | null = null;
      const end = Date.now() + ms;
      while (Date.now() < end) {
        let s: Inbound | undefined;
        (await (receiver as RTCRtpReceiver).getStats()).forEach((x: Inbound) => {
          if (x.type === 'inbound-rtp' && x.ssrc === want) s = x;
        });
        const n = s?.packetsReceived ?? 0;
        if (base === null) {
          base = n;
          w[armedFlag] = true;
        } else if (n > base) {
          const noticed = Date.now();
          // Chromium dates stats on the epoch; the spec on performance.timeOrigin.
          let last = s?.lastPacketReceivedTimestamp ?? noticed;
          if (last < 1e12) last += performance.timeOrigin;
          // The last packet's arrival: the first's when the poll saw one, a bound
          // above it when it saw several (they may come in a burst: no estimate below).
          return { arrived: Math.min(noticed, last), noticed, packets: n - base };
        }
        await new Promise((r) => setTimeout(r, 10));
      }
      return null;
    },
    ssrc,
    timeoutMs,
    flag,
  );
  const armed = page.waitForFunction(`window.${flag} === true`, { timeout: 10_000 }).then(() => undefined);
  return { armed, at };
}

/** A participant that can stop and start talking (audio-only.ts: a bot, or a page). */
export interface Talker {
  name: string;
  peerId: string;
  /** Stops talking, or starts: resolves with when (epoch ms) its voice started, its first voiced packet sent. */
  setTalking(on: boolean): Promise<number>;
}

export interface NewTalker {
  /** The sender's first voiced packet to the first packet at the listener's page, ms (null: not within 3 s). */
  ms: number | null;
  /** When the page's poll noticed it (what main's bench reported), and how many packets it had by then. */
  noticedMs: number | null;
  noticedPackets: number;
  who: string;
  /** Each phase's time from the sender's start, ms (talkerTrace.ts). */
  phases: { [K in 'atWorker' | 'tap' | 'resumeAsked' | 'resumed' | 'forwarded' | 'forwardedInNode']: number | null };
  /** The voice's first packets at the worker (ms from the start, payload bytes) and the first sent to the listener. */
  arrivals: Array<[number, number]>;
  sends: number[];
  tapLevels: number[];
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
}

/**
 * Stops (or restarts) the video the pages send, as a camera turned off at the
 * device would, without the client's button: the RTCRtpSenders' tracks are
 * taken off (replaceTrack(null): nothing is encoded) and put back.
 */
export async function setCamerasSending(pages: readonly Page[], on: boolean): Promise<void> {
  await Promise.all(
    pages.map((page) =>
      page.evaluate(async (enable: boolean) => {
        const w = window as unknown as { __pcs: RTCPeerConnection[]; __benchCameras?: Map<RTCRtpSender, MediaStreamTrack> };
        const kept = (w.__benchCameras ??= new Map());
        for (const pc of w.__pcs) {
          for (const sender of pc.getSenders()) {
            if (!enable && sender.track?.kind === 'video') {
              kept.set(sender, sender.track);
              await sender.replaceTrack(null);
            } else if (enable && kept.has(sender)) {
              await sender.replaceTrack(kept.get(sender)!);
              kept.delete(sender);
            }
          }
        }
      }, on),
    ),
  );
}

/** One new talker: a held sender starts talking; ms until the listener gets its first packet, and where they went. */
export async function newTalkerDelay(listener: MediaPeer, room: MediaRoom, listenerPage: Page, senders: readonly Talker[]): Promise<NewTalker> {
  const heldPeer = voicesOf(listener).held.find((peerId) => senders.some((s) => s.peerId === peerId));
  const sender = senders.find((s) => s.peerId === heldPeer);
  const consumer = [...listener.consumers.values()].find((c) => c.appData.source === 'mic' && c.appData.producerPeerId === heldPeer);
  const ssrc = consumer?.rtpParameters.encodings?.[0]?.ssrc;
  if (!sender || !consumer || ssrc === undefined) throw new Error('no held voice to start: the server forwards every voice to the listener');
  const producer = room.peers.get(sender.peerId)?.producers.get(consumer.producerId);
  if (!producer) throw new Error(`no producer ${consumer.producerId} of ${sender.name}`);
  const voices = room.voices;
  const trace = await traceTalker(voices, producer, consumer, voices.audibleDbov);
  const wait = firstPacketAt(listenerPage, ssrc, 3_000);
  await wait.armed;
  trace.started();
  const startedAt = await sender.setTalking(true);
  const heard = await wait.at;
  const times = await trace.finish();
  // Quiet again, long enough to count as silent (voiceSelection.ts: 600 ms) so the next talker finds a place.
  await sender.setTalking(false);
  await sleep(1_500);
  const from = (at: number | null): number | null => (at === null ? null : Math.round(at - startedAt));
  return {
    ms: heard === null ? null : Math.max(0, Math.round(heard.arrived - startedAt)),
    noticedMs: heard === null ? null : Math.max(0, heard.noticed - startedAt),
    noticedPackets: heard?.packets ?? 0,
    who: sender.name,
    arrivals: times.arrivals.map(([at, bytes]) => [from(at)!, bytes]),
    sends: times.sends.map((at) => from(at)!),
    phases: {
      atWorker: from(times.atWorker),
      tap: from(times.tap),
      resumeAsked: from(times.resumeAsked),
      resumed: from(times.resumed),
      forwarded: from(times.forwarded),
      forwardedInNode: from(times.forwardedInNode),
    },
    tapLevels: times.tapLevels,
    loopDelayMaxMs: times.loopDelayMaxMs,
    loopDelayP99Ms: times.loopDelayP99Ms,
  };
}
