/**
 * A peer's downlink: its receive transport's bandwidth estimate, and the
 * video stopped (pause reason 'bandwidth') while the estimate cannot carry
 * it along with the voices, tried again after a hold that grows when a
 * trial fails soon (adaptation.ts decides which). Part of a MediaPeer.
 */
import type { Consumer, WebRtcTransport } from 'mediasoup/types';
import { MAX_RESUME_HOLD_MS, RESUME_HOLD_MS, videosToSuspend } from './adaptation.js';
import { downlinkLoss, LIMITED_RECENTLY_MS, LOSS_WINDOW_MS, startsWithStill, type DownlinkNow, type ScreenVerdict } from './screenStill.js';
import type { ConsumerControls } from './ConsumerControls.js';
import type { Logger } from './logger.js';
import type { ConsumerAppData } from './mediaTypes.js';

/**
 * While the downlink is not constrained, its loss is read every this many
 * 'bwe' traces (about a second each), the transport's figure only.
 */
export const UNCONSTRAINED_LOSS_EVERY = 3;

export class Downlink {
  readonly #consumers: ReadonlyMap<string, Consumer<ConsumerAppData>>;
  readonly #controls: ConsumerControls;
  readonly #log: Logger;
  readonly #onLimited: (limited: boolean) => void;
  readonly #onHeld: (consumer: Consumer<ConsumerAppData>, held: boolean, atStart: boolean) => void;
  /** The receive transport's latest bandwidth estimate (bps), from its 'bwe' trace. */
  #estimate: number | undefined;
  /** The first estimate read (the transport's start), and whether one read has differed from it since. */
  #firstEstimate: number | undefined;
  #estimateMoved = false;
  #suspended = new Set<string>();
  /** What the flowing consumers want (bps), and since when the estimate has been below it. */
  #desired = 0;
  #congestedSince: number | null = null;
  #lastSuspendAt = 0;
  #lastReleaseAt = 0;
  #holdMs = RESUME_HOLD_MS;
  /** The receive transport watched. */
  #transport: WebRtcTransport | null = null;
  /** Loss read while the downlink is constrained (LOSS_WINDOW_MS of them), and a read on its way. */
  #lossSamples: Array<{ at: number; loss: number }> = [];
  /** 'bwe' traces while not constrained, for the sparser loss reads then. */
  #quietTraces = 0;
  #sampling = false;

  constructor(options: {
    /** The peer's consumers (its own map, read live). */
    consumers: ReadonlyMap<string, Consumer<ConsumerAppData>>;
    controls: ConsumerControls;
    log: Logger;
    /** Video became limited by the downlink (true) or no longer is (false). */
    onLimited: (limited: boolean) => void;
    /** A video consumer was held (true) or released (false) for bandwidth; `atStart`: by holdAtStart. */
    onHeld?: (consumer: Consumer<ConsumerAppData>, held: boolean, atStart: boolean) => void;
  }) {
    this.#consumers = options.consumers;
    this.#controls = options.controls;
    this.#log = options.log;
    this.#onLimited = options.onLimited;
    this.#onHeld = options.onHeld ?? (() => {});
  }

  /** The latest estimate (bps), undefined before the first one. */
  get estimate(): number | undefined {
    return this.#estimate;
  }
  /** Video consumers stopped because the downlink cannot carry them. */
  get suspended(): ReadonlySet<string> {
    return this.#suspended;
  }

  /** Follows the receive transport's estimate (its 'bwe' trace, about once a second: cheap), stopping video it cannot carry. */
  async watch(transport: WebRtcTransport): Promise<void> {
    this.#transport = transport;
    // A new transport's estimate starts again from its configured start: nothing measured yet.
    this.#firstEstimate = undefined;
    this.#estimateMoved = false;
    transport.on('trace', (trace) => {
      if (trace.type !== 'bwe') return;
      const info = trace.info as { availableBitrate?: unknown; desiredBitrate?: unknown };
      if (typeof info.availableBitrate !== 'number') return;
      this.observe(info.availableBitrate, typeof info.desiredBitrate === 'number' ? info.desiredBitrate : 0);
      if (transport.closed) return;
      this.reconcile();
      // Constrained: each trace, the voices' reports too. Otherwise every few traces, the transport's
      // figure only (one request to the worker): a link turned weak while the estimate still reads
      // high (it lags) had no read in its window when a share began, and got the video (weakShareProbe).
      if (this.#constrained()) void this.#sampleLoss(true);
      else if (++this.#quietTraces % UNCONSTRAINED_LOSS_EVERY === 0) void this.#sampleLoss(false);
    });
    await transport.enableTraceEvent(['bwe']);
  }

  /** A 'bwe' trace of the receive transport (about once a second): what reaches the receiver, and what it wants. */
  observe(availableBitrate: number, desired: number): void {
    this.#firstEstimate ??= availableBitrate;
    if (availableBitrate !== this.#firstEstimate) this.#estimateMoved = true;
    this.#estimate = availableBitrate;
    // More wanted (video just shown or resumed): mediasoup probes for it
    // now, so the wait for congestion starts again.
    if (desired > this.#desired * 1.2) this.#congestedSince = null;
    this.#desired = desired;
    if (this.#estimate >= desired) this.#congestedSince = null;
    else this.#congestedSince ??= Date.now();
  }

  /** What the downlink is now, for screenStill.ts's decision at a share's start. */
  now(): DownlinkNow {
    const flowingAudio = [...this.#consumers.values()].filter(
      (c) => c.kind === 'audio' && (this.#controls.peek(c.id)?.reasons.size ?? 1) === 0,
    ).length;
    return {
      estimate: this.#estimate,
      estimateMoved: this.#estimate === undefined ? undefined : this.#estimateMoved,
      desired: this.#desired,
      congestedMs: this.#congestedSince === null ? 0 : Date.now() - this.#congestedSince,
      audioConsumers: flowingAudio,
      suspended: this.#suspended.size,
      sinceLimitedMs: this.#lastSuspendAt === 0 ? undefined : Date.now() - this.#lastSuspendAt,
    };
  }

  /**
   * The loss of what this downlink carries (0-1, screenStill.ts downlinkLoss),
   * read now and averaged with what was read over the last LOSS_WINDOW_MS
   * (each second while it was constrained, every UNCONSTRAINED_LOSS_EVERY
   * seconds otherwise; one read is noisy: 0.5-0.8 % on the net lab's
   * 5-%-loss link at times, 6 % at others); undefined when unknown.
   */
  async loss(): Promise<number | undefined> {
    const now = await this.#readLoss();
    const since = Date.now() - LOSS_WINDOW_MS;
    const recent = this.#lossSamples.filter((sample) => sample.at >= since).map((sample) => sample.loss);
    if (now !== undefined) recent.push(now);
    return recent.length === 0 ? undefined : recent.reduce((sum, loss) => sum + loss, 0) / recent.length;
  }

  /** Video stopped now or lately, or the estimate below what is wanted: the loss is worth following. */
  #constrained(): boolean {
    const limitedLately = this.#lastSuspendAt !== 0 && Date.now() - this.#lastSuspendAt < LIMITED_RECENTLY_MS;
    return this.#suspended.size > 0 || limitedLately || (this.#estimate !== undefined && this.#estimate < this.#desired);
  }

  async #sampleLoss(withVoices: boolean): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const loss = await this.#readLoss(withVoices);
      const since = Date.now() - LOSS_WINDOW_MS;
      this.#lossSamples = this.#lossSamples.filter((sample) => sample.at >= since);
      if (loss !== undefined) this.#lossSamples.push({ at: Date.now(), loss });
    } finally {
      this.#sampling = false;
    }
  }

  /** One read of the loss from mediasoup: the transport's figure and the voices' receiver reports. */
  async #readLoss(withVoices = true): Promise<number | undefined> {
    const transport = this.#transport;
    if (!transport || transport.closed) return undefined;
    const voices = withVoices ? [...this.#consumers.values()].filter((c) => c.kind === 'audio' && !c.closed && !c.paused) : [];
    const [transportLoss, fractions] = await Promise.all([
      transport
        .getStats()
        .then((stats) => stats[0]?.rtpPacketLossSent)
        .catch(() => undefined),
      Promise.all(
        voices.map((c) =>
          c
            .getStats()
            .then((stats) => stats.find((s) => s.type === 'outbound-rtp')?.fractionLost)
            .catch(() => undefined),
        ),
      ),
    ]);
    return downlinkLoss(transportLoss, fractions.filter((f): f is number => typeof f === 'number'));
  }

  /** Whether this downlink is already too weak for a screen's video (screenStill.ts), and what that was decided on. */
  async screenVerdict(): Promise<ScreenVerdict> {
    const loss = await this.loss();
    const downlink = { ...this.now(), loss };
    return { ...downlink, weak: startsWithStill(downlink) };
  }

  /**
   * A screen consumer just made: held at once when this downlink is too weak
   * for it — by `verdict`, taken as its share began (MediaPeer.expectScreen),
   * or now; what was decided on, for the log.
   */
  async holdScreenIfWeak(
    consumer: Consumer<ConsumerAppData>,
    verdict?: Promise<ScreenVerdict | undefined>,
  ): Promise<Partial<DownlinkNow> & { held: boolean; atShare: boolean }> {
    const early = await verdict;
    const downlink = early ?? (await this.screenVerdict());
    const held = !consumer.closed && downlink.weak;
    if (held) this.holdAtStart(consumer);
    return { ...downlink, held, atShare: early !== undefined };
  }

  /**
   * Holds a new consumer for bandwidth at once (a screen on a downlink that
   * cannot carry it: screenStill.ts), tried again after the hold like any
   * other held video.
   */
  holdAtStart(consumer: Consumer<ConsumerAppData>): void {
    const before = this.#suspended.size;
    this.#suspended = new Set([...this.#suspended, consumer.id]);
    this.#lastSuspendAt = Date.now();
    void this.#controls.setReason(consumer, 'bandwidth', true);
    this.#onHeld(consumer, true, true);
    if (before === 0) this.#onLimited(true);
  }

  /**
   * A share this downlink gets as a still from its start: its other flowing
   * videos are held too, so that the still crosses the link with the voices
   * only (measured on the net lab's weak link: the sharer's camera, not yet
   * stopped by the adaptation, left the 21-KB still ~135 kbit/s of 300).
   * They come back as any held video. How many were held.
   */
  holdVideosForStill(): number {
    let held = 0;
    for (const consumer of this.#consumers.values()) {
      if (consumer.kind !== 'video' || consumer.closed || consumer.appData.source === 'screen' || this.#suspended.has(consumer.id)) continue;
      // Paused for another reason already (the client's, the viewport's...): nothing of it flows.
      if ((this.#controls.peek(consumer.id)?.reasons.size ?? 1) > 0 || consumer.producerPaused) continue;
      this.holdAtStart(consumer);
      held++;
    }
    return held;
  }

  /** A consumer is gone. */
  forget(consumerId: string): void {
    this.#suspended.delete(consumerId);
  }

  /** Stops the least important video when the estimate cannot carry it with the voices. */
  reconcile(): void {
    if (this.#estimate === undefined) return;
    const flowing = (c: Consumer<ConsumerAppData>): boolean => {
      const reasons = this.#controls.peek(c.id)?.reasons;
      return !!reasons && !reasons.has('client') && !reasons.has('viewport') && !c.producerPaused;
    };
    const consumers = [...this.#consumers.values()].filter(flowing);
    const now = Date.now();
    const next = videosToSuspend({
      availableBitrate: this.#estimate,
      desiredBitrate: this.#desired,
      congestedMs: this.#congestedSince === null ? 0 : now - this.#congestedSince,
      audioConsumers: consumers.filter((c) => c.kind === 'audio').length,
      videos: consumers
        .filter((c) => c.kind === 'video')
        .map((c) => ({
          consumerId: c.id,
          priority: this.#controls.peek(c.id)?.priority ?? 1,
          simulcast: (this.#controls.peek(c.id)?.spatialLayers ?? 1) > 1,
        })),
      suspended: this.#suspended,
      now,
      lastSuspendAt: this.#lastSuspendAt,
      holdMs: this.#holdMs,
    });
    // Held at its start (holdAtStart) and not yet resumed by its client: stays held.
    for (const id of this.#suspended) {
      if (this.#controls.peek(id)?.reasons.has('client')) next.add(id);
    }
    const before = this.#suspended.size;
    let stopped = false;
    for (const id of next) {
      const consumer = this.#consumers.get(id);
      if (!consumer || this.#suspended.has(id)) continue;
      stopped = true;
      void this.#controls.setReason(consumer, 'bandwidth', true);
      this.#onHeld(consumer, true, false);
    }
    if (stopped) {
      // Stopped again soon after a trial: wait longer before the next one.
      this.#holdMs = now - this.#lastReleaseAt < 30_000 ? Math.min(this.#holdMs * 2, MAX_RESUME_HOLD_MS) : RESUME_HOLD_MS;
      this.#lastSuspendAt = now;
    }
    for (const id of this.#suspended) {
      const consumer = this.#consumers.get(id);
      if (consumer && !next.has(id)) {
        this.#lastReleaseAt = now;
        void this.#controls.setReason(consumer, 'bandwidth', false);
        this.#onHeld(consumer, false, false);
      }
    }
    this.#suspended = next;
    if ((before === 0) !== (next.size === 0)) {
      this.#log.info(
        { availableBitrate: this.#estimate, desiredBitrate: this.#desired, suspended: next.size, holdMs: this.#holdMs },
        'video limited by downlink',
      );
      this.#onLimited(next.size > 0);
    }
  }
}
