/**
 * What a meeting page receives, read straight from its RTCPeerConnections
 * rather than through the client's controller: a script run before the app
 * keeps every connection the page makes (the client's own, and new ones if
 * it rebuilds its transports), so a test sees the raw inbound-rtp counters
 * (audio concealment included) and the ICE pair in use, whatever the client
 * does with its objects.
 */
import type { Page } from 'puppeteer-core';

/** Pass to joinMeeting's `beforeApp`: keeps each RTCPeerConnection in window.__pcs. */
export const KEEP_PEER_CONNECTIONS = `(() => {
  const Native = window.RTCPeerConnection;
  const kept = [];
  window.__pcs = kept;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      kept.push(this);
    }
  };
})();`;

export interface Inbound {
  /** Connection index and SSRC: stable while the stream lasts. */
  key: string;
  kind: 'audio' | 'video';
  packetsReceived: number;
  packetsLost: number;
  bytesReceived: number;
  /** Audio. */
  concealedSamples: number;
  silentConcealedSamples: number;
  totalSamplesReceived: number;
  /** Video. */
  framesDecoded: number;
  frameWidth: number;
  frameHeight: number;
}

export interface SelectedPair {
  /** address:port/protocol and candidate type, of each end. */
  local: string;
  remote: string;
  remoteAddress: string;
}

export interface PageMedia {
  at: number;
  inbound: Inbound[];
  pairs: SelectedPair[];
}

export async function pageMedia(page: Page): Promise<PageMedia> {
  const read = await page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs?: RTCPeerConnection[] }).__pcs ?? [];
    const inbound: unknown[] = [];
    const pairs: unknown[] = [];
    const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
    for (const [index, pc] of pcs.entries()) {
      let report: RTCStatsReport;
      try {
        report = await pc.getStats();
      } catch {
        continue; // closed
      }
      const byId = new Map<string, Record<string, unknown>>();
      report.forEach((e: Record<string, unknown>) => byId.set(e.id as string, e));
      for (const e of byId.values()) {
        if (e.type === 'inbound-rtp') {
          inbound.push({
            key: `${index}:${String(e.ssrc)}`,
            kind: e.kind,
            packetsReceived: num(e.packetsReceived),
            packetsLost: num(e.packetsLost),
            bytesReceived: num(e.bytesReceived),
            concealedSamples: num(e.concealedSamples),
            silentConcealedSamples: num(e.silentConcealedSamples),
            totalSamplesReceived: num(e.totalSamplesReceived),
            framesDecoded: num(e.framesDecoded),
            frameWidth: num(e.frameWidth),
            frameHeight: num(e.frameHeight),
          });
        }
        if (e.type === 'transport' && typeof e.selectedCandidatePairId === 'string') {
          const pair = byId.get(e.selectedCandidatePairId);
          const local = pair && byId.get(pair.localCandidateId as string);
          const remote = pair && byId.get(pair.remoteCandidateId as string);
          const show = (c: Record<string, unknown> | undefined): string =>
            c ? `${String(c.address)}:${String(c.port)}/${String(c.protocol)} ${String(c.candidateType)}` : '?';
          pairs.push({ local: show(local), remote: show(remote), remoteAddress: String(remote?.address ?? '') });
        }
      }
    }
    return { inbound, pairs };
  });
  return { at: Date.now(), inbound: read.inbound as Inbound[], pairs: read.pairs as SelectedPair[] };
}

/** Packets received between two readings, over all streams (a stream new in `after` counts whole). */
export function newPackets(before: PageMedia, after: PageMedia, kind?: 'audio' | 'video'): number {
  const earlier = new Map(before.inbound.map((s) => [s.key, s.packetsReceived]));
  return after.inbound
    .filter((s) => kind === undefined || s.kind === kind)
    .reduce((sum, s) => sum + Math.max(0, s.packetsReceived - (earlier.get(s.key) ?? 0)), 0);
}

export interface StreamDelta {
  key: string;
  kind: 'audio' | 'video';
  packets: number;
  lost: number;
  kbps: number;
  /** Audio: concealed / total samples over the window (NaN without samples). */
  concealedRatio: number;
  silentConcealedRatio: number;
  frames: number;
  frameWidth: number;
  frameHeight: number;
}

/** Each stream present at both readings: what it received in between. */
export function deltas(before: PageMedia, after: PageMedia): StreamDelta[] {
  const seconds = (after.at - before.at) / 1000;
  const earlier = new Map(before.inbound.map((s) => [s.key, s]));
  const out: StreamDelta[] = [];
  for (const s of after.inbound) {
    const b = earlier.get(s.key);
    if (!b) continue;
    const samples = s.totalSamplesReceived - b.totalSamplesReceived;
    out.push({
      key: s.key,
      kind: s.kind,
      packets: s.packetsReceived - b.packetsReceived,
      lost: s.packetsLost - b.packetsLost,
      kbps: ((s.bytesReceived - b.bytesReceived) * 8) / seconds / 1000,
      concealedRatio: samples > 0 ? (s.concealedSamples - b.concealedSamples) / samples : Number.NaN,
      silentConcealedRatio: samples > 0 ? (s.silentConcealedSamples - b.silentConcealedSamples) / samples : Number.NaN,
      frames: s.framesDecoded - b.framesDecoded,
      frameWidth: s.frameWidth,
      frameHeight: s.frameHeight,
    });
  }
  return out;
}
