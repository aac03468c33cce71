/**
 * What a peer asks of mediasoup about each of its consumers: why it is
 * paused (it flows only when no reason holds it: the client's own pause, the
 * viewport, the downlink, a voice held back), its bitrate priority and its
 * simulcast layer. Part of a MediaPeer.
 */
import type { Consumer } from 'mediasoup/types';
import { spatialLayerFor, videoPriority } from './adaptation.js';
import type { Logger } from './logger.js';
import type { ConsumerAppData, ConsumerControl, PauseReason } from './mediaTypes.js';

export class ConsumerControls {
  readonly #controls = new Map<string, ConsumerControl>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  add(consumerId: string, control: ConsumerControl): void {
    this.#controls.set(consumerId, control);
  }

  delete(consumerId: string): void {
    this.#controls.delete(consumerId);
  }

  /** Why this consumer is paused (empty: it flows). */
  reasons(consumerId: string): ReadonlySet<PauseReason> {
    return this.#controls.get(consumerId)?.reasons ?? new Set();
  }

  /** The control as kept, to read only (whether the worker still has the consumer is not asked). */
  peek(consumerId: string): ConsumerControl | undefined {
    return this.#controls.get(consumerId);
  }

  /**
   * What this peer controls of a consumer that mediasoup still has: none once
   * the consumer, its transport or its producer closed. Every request to the
   * worker about a consumer goes through here, synchronously before it is
   * sent (the channel keeps requests in order, so one sent before a close is
   * handled before it).
   */
  of(consumer: Consumer<ConsumerAppData>): ConsumerControl | undefined {
    return consumer.closed ? undefined : this.#controls.get(consumer.id);
  }

  /** Adds or removes a pause reason and tells mediasoup when the outcome changes. Never rejects. */
  async setReason(consumer: Consumer<ConsumerAppData>, reason: PauseReason, present: boolean): Promise<void> {
    const control = this.of(consumer);
    if (!control) return;
    if (present) control.reasons.add(reason);
    else control.reasons.delete(reason);
    const paused = control.reasons.size > 0;
    if (paused === control.paused) return;
    control.paused = paused;
    try {
      // mediasoup applies requests in order: the last one asked wins.
      await (paused ? consumer.pause() : consumer.resume());
    } catch (error) {
      if (!consumer.closed) this.#log.warn({ err: error, consumerId: consumer.id, paused }, 'consumer pause/resume');
    }
  }

  /**
   * A video consumer's place in the client's viewport: shown (`tile`: the
   * simulcast layer that fits its height) or not shown (paused, 'viewport').
   */
  async applyTile(consumer: Consumer<ConsumerAppData>, tile: { readonly height: number } | undefined): Promise<void> {
    const control = this.of(consumer);
    if (!control) return;
    if (tile && control.spatialLayers > 1) {
      const spatialLayer = spatialLayerFor(tile.height, control.spatialLayers);
      if (consumer.preferredLayers?.spatialLayer !== spatialLayer) {
        await consumer.setPreferredLayers({ spatialLayer }).catch((error: unknown) => {
          if (!consumer.closed) this.#log.warn({ err: error, consumerId: consumer.id }, 'setPreferredLayers');
        });
      }
    }
    await this.setReason(consumer, 'viewport', !tile);
  }

  /** A video consumer's bitrate priority, from its source and whether its sender is the active speaker. */
  applyPriority(consumer: Consumer<ConsumerAppData>, activeSpeaker: string | null): void {
    const control = this.of(consumer);
    if (!control || consumer.kind !== 'video') return;
    const priority = videoPriority(consumer.appData.source, activeSpeaker === consumer.appData.producerPeerId);
    if (priority === control.priority) return;
    control.priority = priority;
    consumer.setPriority(priority).catch((error: unknown) => {
      if (!consumer.closed) this.#log.warn({ err: error, consumerId: consumer.id }, 'setPriority');
    });
  }
}
