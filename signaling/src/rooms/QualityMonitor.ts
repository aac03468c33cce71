import type { MediaPeer, MediaRoom } from '@chantier/sfu';
import type { FastifyBaseLogger } from 'fastify';
import type { Quality } from '../protocol/index.js';
import { deriveQuality, type QualityInput } from './quality.js';

/** How often the room's media is looked at. */
export const QUALITY_POLL_MS = 2_000;
/** Polls in a row without a received byte before a peer counts as lost. */
const LOST_AFTER_POLLS = 2;
/** Polls in a row a new quality must hold before it is announced (no flapping on a layer switch). */
const STABLE_POLLS = 2;

interface PeerTrack {
  bytes: number;
  idlePolls: number;
  announced: Quality | undefined;
  candidate: Quality | undefined;
  candidatePolls: number;
}

export type QualityListener = (peers: Array<{ peerId: string; quality: Quality }>) => void;

/**
 * One per room: every QUALITY_POLL_MS it reads the scores and layers that
 * mediasoup keeps on its objects (no per-packet work, no event per score) and
 * one getStats per transport, derives each peer's quality, and calls
 * `onChange` with everyone's when one of them changed. Stops with the room.
 */
export class QualityMonitor {
  readonly #room: MediaRoom;
  readonly #onChange: QualityListener;
  readonly #log: FastifyBaseLogger;
  readonly #peers = new Map<string, PeerTrack>();
  readonly #timer: NodeJS.Timeout;
  #polling = false;
  #closed = false;

  constructor(room: MediaRoom, onChange: QualityListener, log: FastifyBaseLogger, intervalMs = QUALITY_POLL_MS) {
    this.#room = room;
    this.#onChange = onChange;
    this.#log = log;
    this.#timer = setInterval(() => void this.poll(), intervalMs);
    this.#timer.unref();
    room.once('close', () => this.close());
  }

  /** The last announced quality of each peer. */
  get qualities(): ReadonlyMap<string, Quality | undefined> {
    return new Map([...this.#peers].map(([id, p]) => [id, p.announced]));
  }

  /**
   * Counts the peer as a newcomer again: the next round announces it, and so
   * sends everyone's qualities to everyone, the newcomer included. Called at
   * join: a media peer made ahead on the join screen (fast join) may have been
   * announced before its session joined, when nobody told it anything.
   */
  forget(peerId: string): void {
    this.#peers.delete(peerId);
  }

  /** One round; public for tests. Never rejects. */
  async poll(): Promise<void> {
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    try {
      const peers = [...this.#room.peers.values()].filter((p) => !p.closed);
      const inputs = await Promise.all(peers.map((peer) => this.#inputOf(peer)));
      if (this.#closed) return;
      let changed = false;
      for (const id of [...this.#peers.keys()]) {
        if (!this.#room.peers.has(id)) {
          this.#peers.delete(id);
          changed = true;
        }
      }
      peers.forEach((peer, i) => {
        const track = this.#peers.get(peer.id);
        const quality = deriveQuality(inputs[i]!);
        if (!track) return;
        if (track.announced === undefined) {
          // A newcomer is announced at once, as good until two polls say otherwise
          // (its first video layers are still being picked): everyone learns
          // its state, it learns everyone's.
          track.announced = 'good';
          changed = true;
        }
        if (quality === track.announced) {
          track.candidate = undefined;
          track.candidatePolls = 0;
          return;
        }
        track.candidatePolls = quality === track.candidate ? track.candidatePolls + 1 : 1;
        track.candidate = quality;
        if (track.candidatePolls >= STABLE_POLLS) {
          track.announced = quality;
          track.candidate = undefined;
          track.candidatePolls = 0;
          changed = true;
        }
      });
      if (changed) {
        this.#onChange(
          [...this.#peers].filter(([, t]) => t.announced).map(([peerId, t]) => ({ peerId, quality: t.announced! })),
        );
      }
    } catch (error) {
      this.#log.warn({ err: error }, 'quality poll failed');
    } finally {
      this.#polling = false;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#peers.clear();
  }

  async #inputOf(peer: MediaPeer): Promise<QualityInput> {
    let track = this.#peers.get(peer.id);
    if (!track) {
      track = { bytes: 0, idlePolls: 0, announced: undefined, candidate: undefined, candidatePolls: 0 };
      this.#peers.set(peer.id, track);
    }
    const transports = [...peer.transports.values()];
    const stats = await Promise.all(
      transports.map((t) => t.getStats().catch(() => [] as Awaited<ReturnType<typeof t.getStats>>)),
    );
    const bytes = stats.flat().reduce((sum, s) => sum + (s.bytesReceived ?? 0), 0);
    // Counted only once something has arrived: a peer still connecting is not lost.
    if (bytes > 0 && bytes === track.bytes) track.idlePolls++;
    else track.idlePolls = 0;
    track.bytes = bytes;
    const iceLost = transports.some((t) => t.iceState === 'disconnected');
    // What the peer's transports lose each way (transport-wide feedback; absent without it).
    const losses = stats.flat().flatMap((s) => [s.rtpPacketLossReceived, s.rtpPacketLossSent]).filter((l): l is number => typeof l === 'number');

    const producerScores = [...peer.producers.values()]
      .filter((p) => !p.paused && p.score.length > 0)
      .map((p) => Math.max(...p.score.map((s) => s.score)));
    const consumerScores: number[] = [];
    let videoOff = 0;
    let videoDown = 0;
    for (const consumer of peer.consumers.values()) {
      if (consumer.paused || consumer.producerPaused) {
        if (peer.bandwidthSuspended.has(consumer.id)) videoOff++;
        continue;
      }
      consumerScores.push(consumer.score.score);
      if (consumer.type !== 'simulcast') continue;
      const current = consumer.currentLayers;
      const preferred = consumer.preferredLayers;
      // mediasoup found no layer that fits while the producer does send one.
      if (!current && consumer.score.producerScore > 0) videoOff++;
      else if (current && preferred && current.spatialLayer < preferred.spatialLayer) videoDown++;
    }
    return {
      lost: iceLost || track.idlePolls >= LOST_AFTER_POLLS,
      producerScores,
      consumerScores,
      videoOff,
      videoDown,
      loss: losses.length > 0 ? Math.max(...losses) : undefined,
    };
  }
}
