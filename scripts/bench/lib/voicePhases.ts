/**
 * The audio-only bench's loudest-voices phases (issue 21, item 2), on the
 * call audio-only.ts has set up: nine senders and an audio-only listener,
 * all in one Chromium whose microphones play the same continuous tone.
 * - silence: every microphone but sender 1's is muted in the page
 *   (`track.enabled = false`: WebRTC then encodes silence and Opus DTX sends
 *   a packet every 400 ms), and the listener's downstream is measured;
 * - new talker: a sender whose voice the server holds for the listener
 *   (pause reason 'voice') starts talking again (`track.enabled = true`),
 *   and the time from then to the first packet of that voice at the
 *   listener's RTCPeerConnection (its inbound-rtp SSRC, polled every ~5 ms)
 *   is measured. Both clocks are the same machine's. It covers the encoder,
 *   the network, the server's level reading and resume, and the forwarding;
 *   not the listener's jitter buffer (a few tens of ms).
 */
import type { Page } from 'puppeteer-core';
import type { MediaPeer } from '../../../sfu/src/MediaPeer.js';
import type { Sfu } from '../../../sfu/src/Sfu.js';
import { setMicEnabled } from '../../../test/pageMicrophone.js';
import type { MeetingPage } from '../../../test/screenShare.js';
import { sleep } from '../stats.js';
import { traceTalker, type TalkerTimes } from './talkerTrace.js';

/** The listener's media peer on the server. */
export function serverPeer(sfu: Sfu, peerId: string): MediaPeer {
  for (const room of sfu.rooms.values()) {
    const peer = room.peers.get(peerId);
    if (peer) return peer;
  }
  throw new Error(`no media peer ${peerId}`);
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

/** Waits in the listener page for the first packet of `ssrc`; resolves with Date.now() then, or null after `timeoutMs`. */
function firstPacketAt(page: Page, ssrc: number, timeoutMs: number): { armed: Promise<void>; at: Promise<number | null> } {
  const flag = `__voiceArmed${ssrc}`;
  const at = page.evaluate(
    async (want: number, ms: number, armedFlag: string) => {
      const w = window as unknown as Record<string, unknown> & { __pcs: RTCPeerConnection[] };
      // No named function inside: tsx (esbuild's keepNames) would wrap it in
      // a `__name` helper that exists in Node, not in the page.
      let base: number | null = null;
      const end = Date.now() + ms;
      while (Date.now() < end) {
        let n = 0;
        for (const pc of w.__pcs) {
          (await pc.getStats()).forEach((s: { type: string; ssrc?: number; packetsReceived?: number }) => {
            if (s.type === 'inbound-rtp' && s.ssrc === want) n += s.packetsReceived ?? 0;
          });
        }
        if (base === null) {
          base = n;
          w[armedFlag] = true;
        } else if (n > base) {
          return Date.now();
        }
        await new Promise((r) => setTimeout(r, 5));
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

/**
 * Waits in the sender page for its first speech packet out (audio
 * outbound-rtp: a packet whose payload is over DTX's few bytes); Date.now()
 * then, or null after `timeoutMs`.
 */
function firstSpeechSentAt(page: Page, timeoutMs: number): { armed: Promise<void>; at: Promise<number | null> } {
  const flag = '__speechArmed';
  const at = page.evaluate(
    async (ms: number, armedFlag: string) => {
      const w = window as unknown as Record<string, unknown> & { __pcs: RTCPeerConnection[] };
      let base: { bytes: number; packets: number } | null = null;
      const end = Date.now() + ms;
      while (Date.now() < end) {
        let bytes = 0;
        let packets = 0;
        for (const pc of w.__pcs) {
          (await pc.getStats()).forEach((s: { type: string; kind?: string; bytesSent?: number; packetsSent?: number }) => {
            if (s.type === 'outbound-rtp' && s.kind === 'audio') {
              bytes += s.bytesSent ?? 0;
              packets += s.packetsSent ?? 0;
            }
          });
        }
        if (base === null) {
          base = { bytes, packets };
          w[armedFlag] = true;
        } else if (packets > base.packets && (bytes - base.bytes) / (packets - base.packets) > 10) {
          return Date.now();
        } else {
          base = { bytes, packets };
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      return null;
    },
    timeoutMs,
    flag,
  );
  const armed = page.waitForFunction(`window.${flag} === true`, { timeout: 10_000 }).then(() => undefined);
  return { armed, at };
}

export interface NewTalker {
  /** Sender's start to the first packet at the listener's page, ms (null: not within 3 s). */
  ms: number | null;
  who: string;
  /** Each phase's time from the sender's start, ms (talkerTrace.ts; sent: the sender page's outbound-rtp). */
  phases: { sent: number | null } & { [K in Exclude<keyof TalkerTimes, 'tapLevels' | 'loopDelayMaxMs' | 'loopDelayP99Ms'>]: number | null };
  tapLevels: number[];
  loopDelayMaxMs: number;
  loopDelayP99Ms: number;
}

/** One new talker: a held sender starts talking; ms until the listener gets its first packet, and where they went. */
export async function newTalkerDelay(listener: MediaPeer, listenerPage: Page, senders: readonly MeetingPage[]): Promise<NewTalker> {
  const heldPeer = voicesOf(listener).held.find((peerId) => senders.some((s) => s.peerId === peerId));
  const sender = senders.find((s) => s.peerId === heldPeer);
  const consumer = [...listener.consumers.values()].find((c) => c.appData.source === 'mic' && c.appData.producerPeerId === heldPeer);
  const ssrc = consumer?.rtpParameters.encodings?.[0]?.ssrc;
  if (!sender || !consumer || ssrc === undefined) throw new Error('no held voice to start: the server forwards every voice to the listener');
  const producer = listener.room.peers.get(sender.peerId)?.producers.get(consumer.producerId);
  if (!producer) throw new Error(`no producer ${consumer.producerId} of ${sender.name}`);
  const voices = listener.room.voices;
  const trace = await traceTalker(voices, producer, consumer, voices.audibleDbov);
  const wait = firstPacketAt(listenerPage, ssrc, 3_000);
  const sent = firstSpeechSentAt(sender.page, 3_000);
  await Promise.all([wait.armed, sent.armed]);
  trace.started();
  const startedAt = await setMicEnabled(sender.page, true);
  const heardAt = await wait.at;
  const sentAt = await sent.at;
  const times = await trace.finish();
  // Quiet again, long enough to count as silent (voiceSelection.ts: 600 ms) so the next talker finds a place.
  await setMicEnabled(sender.page, false);
  await sleep(1_500);
  const from = (at: number | null): number | null => (at === null ? null : Math.round(at - startedAt));
  return {
    ms: heardAt === null ? null : Math.max(0, heardAt - startedAt),
    who: sender.name,
    phases: {
      sent: from(sentAt),
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
