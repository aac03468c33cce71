/**
 * Sums RTP statistics, for browser tests and diagnostics. A simulcast producer
 * has one `outbound-rtp` entry per layer, so entries are added up; the
 * picture's details (codec, size, rate) are those of the largest layer.
 */
import type { MediaSource } from '@chantier/signaling/protocol';

/** The picture as decoded or encoded; null for audio or before the first frame. */
export interface VideoDetails {
  /** MIME type of the codec in use ('video/VP9'). */
  codec: string | null;
  frameWidth: number | null;
  frameHeight: number | null;
  framesPerSecond: number | null;
}

export interface ReceiveStats extends VideoDetails {
  consumerId: string;
  producerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  packetsReceived: number;
  framesDecoded: number;
  bytesReceived: number;
  totalAudioEnergy: number;
  concealedSamples: number;
  totalSamplesReceived: number;
}

export interface SendStats extends VideoDetails {
  producerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  packetsSent: number;
  framesEncoded: number;
  bytesSent: number;
  /** What holds the encoder back: 'none', 'bandwidth', 'cpu' or 'other'. */
  qualityLimitationReason: string | null;
  /** The encoder's bitrate target (bits/s): what congestion control grants it. */
  targetBitrate: number | null;
  degradationPreference: RTCDegradationPreference | null;
  /** Encodings the sender is told to send (a simulcast camera: its layers on); null without a sender. */
  activeEncodings: number | null;
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

/**
 * Audio adds the energy heard (rises only while the track plays in an
 * element) and concealment (samples the jitter buffer had to invent: the
 * share of lost audio).
 */
export const INBOUND_FIELDS = [
  'packetsReceived',
  'framesDecoded',
  'bytesReceived',
  'totalAudioEnergy',
  'concealedSamples',
  'totalSamplesReceived',
] as const;
export const OUTBOUND_FIELDS = ['packetsSent', 'framesEncoded', 'bytesSent'] as const;

type Entry = Record<string, unknown>;

function entriesOf(report: StatsLike): Entry[] {
  const entries: Entry[] = [];
  report.forEach((entry) => {
    if (typeof entry === 'object' && entry !== null) entries.push(entry as Entry);
  });
  return entries;
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The widest entry of a type (the top simulcast layer), and its codec through `codecId`. */
function largest(report: StatsLike, type: string): { entry: Entry | null; codec: string | null } {
  const entries = entriesOf(report);
  const ofType = entries.filter((e) => e.type === type);
  const entry = ofType.reduce<Entry | null>(
    (best, e) => (best === null || (numberOrNull(e.frameWidth) ?? 0) > (numberOrNull(best.frameWidth) ?? 0) ? e : best),
    null,
  );
  const codecEntry = entry ? entries.find((e) => e.type === 'codec' && e.id === entry.codecId) : undefined;
  return { entry, codec: stringOrNull(codecEntry?.mimeType) };
}

function videoDetails(entry: Entry | null, codec: string | null): VideoDetails {
  return {
    codec,
    frameWidth: numberOrNull(entry?.frameWidth),
    frameHeight: numberOrNull(entry?.frameHeight),
    framesPerSecond: numberOrNull(entry?.framesPerSecond),
  };
}

export function receiveDetails(report: StatsLike): VideoDetails {
  const { entry, codec } = largest(report, 'inbound-rtp');
  return videoDetails(entry, codec);
}

export function sendDetails(report: StatsLike): VideoDetails & Pick<SendStats, 'qualityLimitationReason' | 'targetBitrate'> {
  const { entry, codec } = largest(report, 'outbound-rtp');
  return {
    ...videoDetails(entry, codec),
    qualityLimitationReason: stringOrNull(entry?.qualityLimitationReason),
    targetBitrate: numberOrNull(entry?.targetBitrate),
  };
}

/** What receiveStatsOf needs of a consumer (a mediasoup-client Consumer and whose it is). */
interface ConsumerLike {
  consumer: { id: string; producerId: string; kind: 'audio' | 'video'; getStats(): Promise<StatsLike> };
  peerId: string;
  source: MediaSource;
}

/** Inbound RTP totals per consumer (MediaSession.getReceiveStats). */
export function receiveStatsOf(entries: readonly ConsumerLike[]): Promise<ReceiveStats[]> {
  return Promise.all(
    entries.map(async ({ consumer, peerId, source }) => {
      const report = await consumer.getStats();
      return {
        consumerId: consumer.id,
        producerId: consumer.producerId,
        peerId,
        kind: consumer.kind,
        source,
        ...sumStats(report, 'inbound-rtp', INBOUND_FIELDS),
        ...receiveDetails(report),
      };
    }),
  );
}

interface ProducerLike {
  id: string;
  kind: 'audio' | 'video';
  getStats(): Promise<StatsLike>;
  rtpSender?:
    | { getParameters(): { degradationPreference?: RTCDegradationPreference; encodings?: ReadonlyArray<{ active?: boolean }> } }
    | undefined;
}

/** Outbound RTP totals per producer, by source (MediaSession.getSendStats). */
export function sendStatsOf(entries: ReadonlyArray<readonly [MediaSource, ProducerLike]>): Promise<SendStats[]> {
  return Promise.all(
    entries.map(async ([source, producer]) => {
      const report = await producer.getStats();
      const parameters = producer.rtpSender?.getParameters();
      return {
        producerId: producer.id,
        kind: producer.kind,
        source,
        ...sumStats(report, 'outbound-rtp', OUTBOUND_FIELDS),
        ...sendDetails(report),
        degradationPreference: parameters?.degradationPreference ?? null,
        activeEncodings: parameters?.encodings ? parameters.encodings.filter((e) => e.active !== false).length : null,
      };
    }),
  );
}
