/**
 * What a meeting page receives, read from the real client's own stats
 * (window.__chantier.getReceiveStats(), client/src/room/stats.ts), for the
 * browser tests that check media flows between real participants.
 */
import type { Page } from 'puppeteer-core';
import type { ReceiveStats } from '../client/src/room/stats.js';

export type { ReceiveStats };

/** Video frames decoded and audio packets received from one remote peer, over all its consumers. */
export interface MediaTotals {
  frames: number;
  audioPackets: number;
}

export function receiveStats(page: Page): Promise<ReceiveStats[]> {
  return page.evaluate(() => window.__chantier?.getReceiveStats() ?? Promise.resolve([]));
}

/** The totals of every remote peer the stats mention. */
export function mediaByPeer(stats: readonly ReceiveStats[]): Map<string, MediaTotals> {
  const out = new Map<string, MediaTotals>();
  for (const s of stats) {
    const totals = out.get(s.peerId) ?? { frames: 0, audioPackets: 0 };
    if (s.kind === 'video') totals.frames += s.framesDecoded;
    else totals.audioPackets += s.packetsReceived;
    out.set(s.peerId, totals);
  }
  return out;
}

/** What `page` has received from `peerId` so far (zeros when nothing). */
export async function mediaFrom(page: Page, peerId: string): Promise<MediaTotals> {
  return mediaByPeer(await receiveStats(page)).get(peerId) ?? { frames: 0, audioPackets: 0 };
}

/**
 * Waits (bounded) until both video frames and audio packets from `peerId`
 * rise past `from`; with `kinds: 'audio'`, audio packets only (a peer in
 * audio-only mode sends no video).
 */
export async function mediaRises(
  page: Page,
  peerId: string,
  from: MediaTotals,
  what: string,
  timeoutMs = 10_000,
  kinds: 'audio' | 'both' = 'both',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let now = from;
  while (Date.now() < deadline) {
    now = await mediaFrom(page, peerId);
    if ((kinds === 'audio' || now.frames > from.frames) && now.audioPackets > from.audioPackets) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: media not rising (${JSON.stringify(from)} -> ${JSON.stringify(now)})`);
}
