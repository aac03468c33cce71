/**
 * Sums RTP statistics, for browser tests and diagnostics. A simulcast producer
 * has one `outbound-rtp` entry per layer, so entries are added up.
 */
import type { MediaSource } from '@chantier/signaling/protocol';

export interface ReceiveStats {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  packetsReceived: number;
  framesDecoded: number;
  bytesReceived: number;
}

export interface SendStats {
  producerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  packetsSent: number;
  framesEncoded: number;
  bytesSent: number;
}

/** What RTCStatsReport offers, and a Map in tests. */
export interface StatsLike {
  forEach(callback: (entry: unknown) => void): void;
}

export function sumStats<F extends string>(report: StatsLike, type: string, fields: readonly F[]): Record<F, number> {
  const totals = Object.fromEntries(fields.map((f) => [f, 0])) as Record<F, number>;
  report.forEach((entry) => {
    if (typeof entry !== 'object' || entry === null) return;
    const stats = entry as Record<string, unknown>;
    if (stats.type !== type) return;
    for (const field of fields) {
      const value = stats[field];
      if (typeof value === 'number' && Number.isFinite(value)) totals[field] += value;
    }
  });
  return totals;
}

export const INBOUND_FIELDS = ['packetsReceived', 'framesDecoded', 'bytesReceived'] as const;
export const OUTBOUND_FIELDS = ['packetsSent', 'framesEncoded', 'bytesSent'] as const;
