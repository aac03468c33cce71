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
  /** RTP payload bytes; headerBytesReceived: their RTP headers. */
  bytesReceived: number;
  headerBytesReceived: number;
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
  remotePort: number;
  /** 'udp' or 'tcp': of a relay candidate, between the relay and the server. */
  localProtocol: string;
  remoteProtocol: string;
  /** 'host', 'srflx', 'prflx' or 'relay'. */
  localType: string;
  /** A relay candidate: how the page reaches its TURN server ('udp', 'tcp', 'tls'); '' otherwise. */
  relayProtocol: string;
}

/** Any candidate pair ICE tried, selected or not. */
export interface CandidatePair {
  local: string;
  remote: string;
  localProtocol: string;
  localType: string;
  relayProtocol: string;
  /** 'frozen', 'waiting', 'in-progress', 'failed' or 'succeeded'. */
  state: string;
}

export interface PageMedia {
  at: number;
  inbound: Inbound[];
  pairs: SelectedPair[];
  candidatePairs: CandidatePair[];
  /** Bytes received by all the page's ICE transports: media, retransmissions, probes, RTCP. */
  transportBytesReceived: number;
}

/**
 * Pass to joinMeeting's `beforeApp` after KEEP_PEER_CONNECTIONS: every
 * connection the page makes may use TURN relay candidates only, as behind a
 * network that lets nothing through but the TURN server. The app has no such
 * switch; this stands for the network.
 */
export const RELAY_ONLY = `(() => {
  const Kept = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Kept {
    constructor(config, ...rest) {
      super({ ...(config || {}), iceTransportPolicy: 'relay' }, ...rest);
    }
  };
})();`;

/**
 * Reads every kept connection's stats in the page. A string, not a function:
 * tsx (the benchmarks' loader) wraps named inner functions in a helper that
 * does not exist in the page.
 */
const READ_STATS = `(async () => {
  const pcs = window.__pcs || [];
  const inbound = [];
  const pairs = [];
  const candidatePairs = [];
  let transportBytesReceived = 0;
  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const show = (c) => (c ? c.address + ':' + c.port + '/' + c.protocol + ' ' + c.candidateType : '?');
  for (const [index, pc] of pcs.entries()) {
    let report;
    try {
      report = await pc.getStats();
    } catch {
      continue; // closed
    }
    const byId = new Map();
    report.forEach((e) => byId.set(e.id, e));
    for (const e of byId.values()) {
      if (e.type === 'inbound-rtp') {
        inbound.push({
          key: index + ':' + e.ssrc,
          kind: e.kind,
          packetsReceived: num(e.packetsReceived),
          packetsLost: num(e.packetsLost),
          bytesReceived: num(e.bytesReceived),
          headerBytesReceived: num(e.headerBytesReceived),
          concealedSamples: num(e.concealedSamples),
          silentConcealedSamples: num(e.silentConcealedSamples),
          totalSamplesReceived: num(e.totalSamplesReceived),
          framesDecoded: num(e.framesDecoded),
          frameWidth: num(e.frameWidth),
          frameHeight: num(e.frameHeight),
        });
      }
      if (e.type === 'candidate-pair') {
        const local = byId.get(e.localCandidateId);
        candidatePairs.push({
          local: show(local),
          remote: show(byId.get(e.remoteCandidateId)),
          localProtocol: String((local && local.protocol) || ''),
          localType: String((local && local.candidateType) || ''),
          relayProtocol: String((local && local.relayProtocol) || ''),
          state: String(e.state || ''),
        });
      }
      if (e.type === 'transport') transportBytesReceived += num(e.bytesReceived);
      if (e.type === 'transport' && typeof e.selectedCandidatePairId === 'string') {
        const pair = byId.get(e.selectedCandidatePairId);
        const local = pair && byId.get(pair.localCandidateId);
        const remote = pair && byId.get(pair.remoteCandidateId);
        pairs.push({
          local: show(local),
          remote: show(remote),
          remoteAddress: String((remote && remote.address) || ''),
          remotePort: num(remote && remote.port),
          localProtocol: String((local && local.protocol) || ''),
          remoteProtocol: String((remote && remote.protocol) || ''),
          localType: String((local && local.candidateType) || ''),
          relayProtocol: String((local && local.relayProtocol) || ''),
        });
      }
    }
  }
  return { inbound, pairs, candidatePairs, transportBytesReceived };
})()`;

export async function pageMedia(page: Page): Promise<PageMedia> {
  const read = (await page.evaluate(READ_STATS)) as Omit<PageMedia, 'at'>;
  return { at: Date.now(), ...read };
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

/** Polls `page` every 100 ms until it receives new RTP packets; ms from `since`, or null after `limitMs`. */
export async function firstNewPackets(page: Page, since: number, limitMs: number): Promise<number | null> {
  const base = await pageMedia(page);
  while (Date.now() - since < limitMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await pageMedia(page);
    if (newPackets(base, now) > 0) return now.at - since;
  }
  return null;
}

/**
 * Starts, in the page, a reading of its connections every `everyMs` (the
 * same counters as pageMedia), kept in window.__mediaLog: in the page so that
 * the readings keep their pace while the test awaits other things, and a
 * stall of a stream shows at that resolution rather than at the test's.
 */
export async function startMediaLog(page: Page, everyMs: number): Promise<void> {
  await page.evaluate(`(() => {
    const w = window;
    w.__mediaLog = [];
    clearInterval(w.__mediaLogTimer);
    let busy = false;
    w.__mediaLogTimer = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const read = await ${READ_STATS};
        w.__mediaLog.push({ at: Date.now(), ...read });
      } finally {
        busy = false;
      }
    }, ${Math.round(everyMs)});
  })()`);
}

/** Stops the page's log and returns its readings, oldest first. */
export async function stopMediaLog(page: Page): Promise<PageMedia[]> {
  return (await page.evaluate(`(() => {
    clearInterval(window.__mediaLogTimer);
    return window.__mediaLog || [];
  })()`)) as PageMedia[];
}

/**
 * The longest stretch (ms) of a stream's log in which `value` did not rise:
 * from a reading where it last rose (or the first reading) to the next
 * reading where it rises again, or to the last reading. A stream missing
 * from a reading counts as not rising there.
 */
export function longestStall(log: readonly PageMedia[], key: string, value: (s: Inbound) => number): number {
  let since: number | null = null;
  let last: number | null = null;
  let longest = 0;
  for (const reading of log) {
    const stream = reading.inbound.find((s) => s.key === key);
    since ??= reading.at;
    if (stream) {
      const now = value(stream);
      if (last !== null && now > last) {
        longest = Math.max(longest, reading.at - since);
        since = reading.at;
      }
      last = now;
    }
  }
  const end = log.at(-1)?.at;
  if (since !== null && end !== undefined) longest = Math.max(longest, end - since);
  return longest;
}

/** Audio samples played from received packets: all samples but the concealed ones. */
export const decodedSamples = (s: Inbound): number => s.totalSamplesReceived - s.concealedSamples;
