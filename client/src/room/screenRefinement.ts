/**
 * A shared screen refined fast, and cheap once sharp. A still tab yields
 * about one frame a second, and a screen encoder refines a still picture a
 * bounded step per frame (libvpx's quantizer ~8 of 255 a frame): a plan's
 * 8-px text needed ~4 frames, ~3-4 s. Holding the capture to a minimum
 * frame rate makes the browser repeat the still frame for the encoder to
 * refine, but each repeat costs bits even once sharp (the encoder's cyclic
 * refresh: ~140 kb/s at 5 frames/s on the bench's plan, where the idle rate
 * costs ~50). So the minimum rate is held only while the encoder refines:
 * the sender's average quantizer over the last frames says whether it has
 * converged; a page change comes as a new frame at a coarse quantizer and
 * raises it again. Measured in scripts/bench/README.md, "screenshare".
 */
import { createLogger } from '../log';
import { DISPLAY_OPTIONS } from './ScreenCapture';
import { sumStats, type StatsLike } from './stats';

const log = createLogger('screen-refinement');

/** Frames a second the capture is held to while the encoder refines. */
export const REFINING_FRAME_RATE = 10;
/**
 * Average quantizer (libvpx's 0-255 index; VP8's 0-127) at or under which the
 * picture counts as sharp: VP9's screen mode converges at ~32-70 on the
 * plan (~46 dB); 30 dB is at ~150-175.
 */
export const CONVERGED_QP = 80;
/** How often the sender's counters are read. */
export const CHECK_INTERVAL_MS = 500;
/**
 * Checks in a row the minimum is held without the picture getting sharp
 * (10 s; the bench's plan was sharp 4-7 s after the share began): then the
 * link or the CPU cannot afford it (a weak uplink keeps the quantizer high
 * whatever the rate), and it goes until a sharp frame is seen.
 */
export const MAX_REFINING_CHECKS = 20;
/**
 * Frames a check must see while the minimum is held (60 % of what the
 * minimum asks), and how many checks in a row may fall short: a sharer whose
 * CPU cannot encode the refining rate (a busy surface shared, a moving page
 * under the plan, a slow laptop) only loses frames to the extra captures
 * (the plan over the meeting's tab: 30 dB after 5-12 s against ~1.8 s
 * without the minimum), so the minimum goes until a sharp frame is seen.
 */
export const STARVED_FRAMES = Math.floor(((REFINING_FRAME_RATE * CHECK_INTERVAL_MS) / 1000) * 0.6);
export const STARVED_CHECKS = 3;

/** The capture's bounds (ScreenCapture's), with or without the minimum rate. */
export function refinementConstraints(refining: boolean): MediaTrackConstraints {
  const bounds = DISPLAY_OPTIONS.video as MediaTrackConstraints;
  return { ...bounds, frameRate: refining ? { min: REFINING_FRAME_RATE, max: 30 } : { max: 30 } };
}

export interface EncoderCounters {
  framesEncoded: number;
  qpSum: number;
}

/**
 * Whether to hold the minimum rate, from the counters now and at the last
 * check; null when no frame was encoded in between (nothing to judge by).
 */
export function shouldRefine(before: EncoderCounters, now: EncoderCounters): boolean | null {
  const frames = now.framesEncoded - before.framesEncoded;
  if (frames <= 0) return null;
  return (now.qpSum - before.qpSum) / frames > CONVERGED_QP;
}

export interface RefinedSender {
  getStats(): Promise<StatsLike>;
}

export interface RefinedTrack {
  applyConstraints(constraints: MediaTrackConstraints): Promise<void>;
}

/**
 * Watches a screen producer and holds its track's minimum frame rate while
 * the encoder refines. Starts refining (a share's first frames are coarse).
 */
export class ScreenRefinement {
  private timer: ReturnType<typeof setInterval> | null = null;
  private last: EncoderCounters | null = null;
  private refining = true;
  private checking = false;
  /** Checks since the minimum was last set. */
  private refiningChecks = 0;
  /** Checks in a row, while refining, that saw fewer than STARVED_FRAMES frames. */
  private starvedChecks = 0;
  /** Gave up refining without a sharp frame: wait for one before refining again. */
  private exhausted = false;

  constructor(
    private readonly sender: RefinedSender,
    private readonly track: RefinedTrack,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.set(true);
    this.timer = setInterval(() => void this.check(), CHECK_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One check (exposed for tests): reads the counters, changes the rate if the verdict changed. */
  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const report = await this.sender.getStats();
      const now = sumStats(report, 'outbound-rtp', ['framesEncoded', 'qpSum'] as const);
      const frames = this.last ? now.framesEncoded - this.last.framesEncoded : null;
      let verdict = this.last ? shouldRefine(this.last, now) : null;
      this.last = now;
      if (verdict === false) this.exhausted = false;
      if (this.refining) {
        this.starvedChecks = frames !== null && frames < STARVED_FRAMES ? this.starvedChecks + 1 : 0;
        const tooLong = ++this.refiningChecks > MAX_REFINING_CHECKS;
        if ((tooLong || this.starvedChecks >= STARVED_CHECKS) && verdict !== false) {
          this.exhausted = true;
          verdict = false;
        }
      }
      if (verdict === true && this.exhausted) verdict = null;
      if (verdict !== null && verdict !== this.refining && this.timer) await this.set(verdict);
    } catch (error) {
      log.warn('cannot read the screen sender', error);
    } finally {
      this.checking = false;
    }
  }

  private async set(refining: boolean): Promise<void> {
    this.refining = refining;
    this.refiningChecks = 0;
    this.starvedChecks = 0;
    try {
      await this.track.applyConstraints(refinementConstraints(refining));
    } catch (error) {
      // A browser that cannot hold a minimum rate shares anyway, refining more slowly.
      log.warn('cannot set the capture frame rate', error);
    }
  }
}
