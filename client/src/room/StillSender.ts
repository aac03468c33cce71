/**
 * The sharer's side of the still pictures (issue 21). While the server says
 * some viewer's downlink cannot carry the screen's video
 * (`screenStillWanted`: the SFU judges every viewer as the share begins, so
 * a weak one is known right after the produce), grabs a frame of the screen,
 * encodes it compactly and uploads it, then a new one whenever the screen
 * has changed and settled, at most one a second (stage/screenStill.ts
 * decides on a 96-px-wide copy, cheap to compare). The frames are read from
 * the capture on, so the first still has one at once; nobody weak by
 * FRAMES_GRACE_MS after the produce: they stop, and nothing is made.
 */
import { createLogger } from '../log';
import { greyOfLuma, lumaOf, posterise, PROBE_WIDTH, StillSchedule, uniformPicture } from '../stage/screenStill';
import { openStillFrames, type StillFrames } from './StillFrames';
import { stillUrl, type StillEndpoint } from './stillEndpoint';

const log = createLogger('still');

/**
 * The capture's frames are kept this long after the produce for a viewer
 * found weak as the share begins (`screenStillWanted` comes ~0.1-0.5 s after
 * the produce's answer); a reader opened later waits for the next frame of a
 * still tab (~1 s).
 */
export const FRAMES_GRACE_MS = 5_000;

/**
 * A flat first frame (a tab capture's, before the tab is painted: seen once
 * in the weak-link bench, 520 bytes of white, the plan a second later) is
 * not sent as the share's first still while the frames are younger than
 * this: the next frame is awaited instead. Past it, a screen that is really
 * blank is sent as it is.
 */
export const BLANK_FIRST_MS = 2_000;

/** How often the screen is probed for a change. */
const PROBE_MS = 400;
/** After a failed upload: the next attempt waits 1, 2, 4… s, at most 30 s (reset by a success). */
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 30_000;

/** An upload the server answered with an error status. */
export class StillRefused extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`still upload: HTTP ${status} ${detail}`);
  }

  /** A refusal that will not change by itself: not the sharer (any more), or no such share on the server. */
  get final(): boolean {
    return this.status === 403 || this.status === 404;
  }
}
/**
 * The encoding: WebP, lossless (quality 1 in Chromium), of the picture in
 * grey levels (stage/screenStill.ts posterise: 20 KB at 42 dB for the test
 * plan, scripts/bench/README.md "Still pictures").
 */
export const STILL_TYPE = 'image/webp';
export const STILL_QUALITY = 1;

export class StillSender {
  /** The share whose stills this page makes (its screen producer's id), null when none. */
  #share: string | null = null;
  /** Some viewer needs stills of it now (`screenStillWanted`). */
  #wanted = false;
  /** Closes the frames when nobody was found weak soon after the produce. */
  #grace: ReturnType<typeof setTimeout> | null = null;
  /** The share's first still reached the server. */
  #firstSent = false;
  #frames: StillFrames | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;
  /** When the frames were opened and when their first came (performance.now()), for the log of each still. */
  #watchedAt = 0;
  #firstFrameAt = 0;
  /** When the server last said a viewer needs stills (performance.now()), for the log. */
  #wantedAt = 0;
  /** The number of the frame skipped as blank for the share's first still (StillFrames.serial); null: none, or not known. */
  #blankSerial: number | null = null;
  #blankSkipped = false;
  /** Uploads failed in a row; the next attempt not before #retryAt (performance.now()). */
  #failures = 0;
  #retryAt = 0;
  /** The server refused for good (403, 404): nothing more until it wants stills anew. */
  #refused = false;
  readonly #schedule = new StillSchedule();

  constructor(
    private readonly track: () => MediaStreamTrack | null,
    private readonly endpoint: () => StillEndpoint | null,
  ) {}

  /**
   * This page's screen capture opened, its produce not yet answered: its
   * frames start now, so that the share's first still has one at once. In
   * the weak-link bench a reader opened at the produce waited ~1 s for its
   * first frame of a still tab; opened here, 0.1-0.35 s.
   */
  captured(): void {
    const track = this.track();
    if (!track || this.#frames?.of(track)) return;
    this.#frames?.close();
    this.#watchedAt = performance.now();
    this.#firstFrameAt = 0;
    this.#frames = openStillFrames(track, (serial) => this.#frame(serial));
  }

  /** A new frame: the first one makes the first still at once, and so does the one after a blank first frame. */
  #frame(serial: number): void {
    if (serial === 1) this.#firstFrameAt = performance.now();
    else if (!this.#blankSkipped) return;
    void this.#tick();
  }

  /** This page's screen is produced (the server knows the share): stills are made if a viewer is found weak. */
  shareStarted(producerId: string): void {
    if (this.#share === producerId) return;
    this.#begin(producerId);
    this.#grace = setTimeout(() => {
      this.#grace = null;
      if (!this.#wanted) this.#unwatch();
    }, FRAMES_GRACE_MS);
  }

  /** The server's `screenStillWanted`. */
  wanted(producerId: string, wanted: boolean): void {
    if (producerId !== this.#share) {
      if (!wanted) return;
      this.#begin(producerId); // before the produce's answer, or a share made before a resume
    }
    this.#wanted = wanted;
    if (wanted) this.#wantedAt = performance.now();
    if (wanted && this.#refused) {
      // The server asks again (a new viewer found weak, a share taken back after a resume): it is worth trying.
      this.#refused = false;
      this.#failures = 0;
      this.#retryAt = 0;
    }
    if (wanted) this.#watch();
    else this.#unwatch();
  }

  /** The share ended, the page left: no more stills. */
  stop(): void {
    if (this.#grace !== null) clearTimeout(this.#grace);
    this.#grace = null;
    this.#unwatch();
    this.#share = null;
    this.#wanted = false;
    this.#firstSent = false;
    this.#blankSkipped = false;
    this.#blankSerial = null;
    this.#failures = 0;
    this.#retryAt = 0;
    this.#refused = false;
  }

  #begin(producerId: string): void {
    // Frames opened at the capture (captured) are kept for its share.
    const track = this.track();
    const opened = track && this.#frames?.of(track) ? this.#frames : null;
    this.#frames = null;
    this.stop();
    this.#frames = opened;
    this.#share = producerId;
    // A new share: its first probe is sent at once. Later watches keep the schedule, so an
    // unchanged screen is not sent again.
    this.#schedule.reset();
  }

  /** Opens the screen's frames (StillFrames.ts) and probes them, if not already. */
  #watch(): void {
    if (this.#timer !== null || this.#refused) return;
    const track = this.track();
    if (!track) return;
    if (!this.#frames) {
      this.#watchedAt = performance.now();
      this.#firstFrameAt = 0;
      // The first still as soon as there is a frame, not at the next probe.
      this.#frames = openStillFrames(track, (serial) => this.#frame(serial));
    }
    this.#timer = setInterval(() => void this.#tick(), PROBE_MS);
    void this.#tick();
  }

  #unwatch(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#frames?.close();
    this.#frames = null;
  }

  async #tick(): Promise<void> {
    const frames = this.#frames;
    const producerId = this.#share;
    if (!frames || !producerId || !this.#wanted) return;
    // The share ended or another began (its producer is a new one: wanted anew if needed).
    const track = this.track();
    if (!track || track.readyState === 'ended' || !frames.of(track)) {
      this.stop();
      return;
    }
    if (this.#busy || frames.width === 0 || performance.now() < this.#retryAt) return;
    // A blank first frame skipped: the same frame again is not worth reading.
    if (this.#blankSkipped && this.#blankSerial !== null && frames.serial === this.#blankSerial) return;
    const { width, height } = frames;
    /** A 96-px-wide copy's luma, what the schedule compares (stage/screenStill.ts). */
    const probeOf = (): Uint8Array => {
      const probe = new OffscreenCanvas(PROBE_WIDTH, Math.max(1, Math.round((PROBE_WIDTH * height) / width)));
      const small = probe.getContext('2d', { willReadFrequently: true })!;
      frames.draw(small, probe.width, probe.height);
      return lumaOf(small.getImageData(0, 0, probe.width, probe.height).data);
    };
    // A share's first still goes at once (nothing to compare it with): its probe is taken while it
    // encodes, off its path (the first draw of a frame took ~0.3 s on the weak-link probe's sharer).
    const unprobed = this.#schedule.fresh;
    const probing = performance.now();
    if (!unprobed && !this.#schedule.probe(probeOf(), probing)) return;
    this.#busy = true;
    const started = performance.now();
    try {
      // The frame's luma plane where it has one (StillFrames.ts); otherwise its pixels drawn and read back.
      const plane = await frames.luma().catch(() => null);
      const full = new OffscreenCanvas(plane?.width ?? width, plane?.height ?? height);
      // A canvas in memory, not on the GPU: its pixels are put, then read by the encoder.
      const context = full.getContext('2d', { willReadFrequently: true })!;
      let pixels: ImageData;
      if (plane) {
        pixels = new ImageData(plane.width, plane.height);
      } else {
        frames.draw(context, width, height);
        pixels = context.getImageData(0, 0, width, height);
      }
      const read = performance.now();
      // The share's first still: a flat frame (the tab not painted yet) is skipped while the frames are young.
      if (!this.#firstSent && performance.now() - this.#firstFrameAt < BLANK_FIRST_MS && uniformPicture(plane ? plane.y : pixels.data, plane ? 1 : 4)) {
        if (!this.#blankSkipped) log.info(`still: the first frame is blank, the next one awaited (checked in ${Math.round(performance.now() - read)} ms)`);
        this.#blankSkipped = true;
        this.#blankSerial = frames.serial;
        return;
      }
      if (plane) greyOfLuma(plane.y, plane.fullRange, pixels.data);
      else posterise(pixels.data);
      context.putImageData(pixels, 0, 0);
      const posterised = performance.now();
      const encoding = full.convertToBlob({ type: STILL_TYPE, quality: STILL_QUALITY });
      if (unprobed) this.#schedule.probe(probeOf(), posterised);
      const blob = await encoding;
      const encoded = performance.now();
      if (!(await this.#upload(producerId, blob))) return;
      const ms = (to: number, from: number): number => Math.round(to - from);
      const first = !this.#firstSent;
      log.info(
        `still sent${first ? ' (the first)' : ''}${this.#blankSkipped ? ' after a blank first frame' : ''}: ${blob.size} bytes (wanted ${ms(started, this.#wantedAt)} ms before, ${unprobed ? 'no probe first; ' : `probe drawn and read in ${ms(started, probing)} ms; `}` +
          `frames opened ${ms(started, this.#watchedAt)} ms before, ` +
          `their first after ${ms(this.#firstFrameAt, this.#watchedAt)} ms; ` +
          `${plane ? 'luma plane' : 'pixels'} read in ${ms(read, started)} ms, posterised in ${ms(posterised, read)} ms, encoded in ${ms(encoded, posterised)} ms, ` +
          `uploaded in ${ms(performance.now(), encoded)} ms)`,
      );
      this.#firstSent = true;
      // Later frames go back to the probes' pace (PROBE_MS), not one tick each.
      this.#blankSkipped = false;
      this.#blankSerial = null;
      this.#failures = 0;
      this.#retryAt = 0;
      // Nobody needs more (any more): the frames and the probes stop until somebody does.
      if (!this.#wanted && this.#share === producerId) this.#unwatch();
    } catch (error) {
      if (this.#share !== producerId) return; // the share ended or changed meanwhile
      this.#schedule.reset(); // the next attempt sends whatever the screen shows then
      if (error instanceof StillRefused && error.final) {
        // Not the sharer any more, or the server lost the share: trying again changes nothing.
        log.warn('still refused: no more until the server asks again', error);
        this.#refused = true;
        this.#unwatch();
        return;
      }
      const wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this.#failures);
      this.#failures++;
      this.#retryAt = performance.now() + wait;
      log.warn(`still not sent (attempt ${this.#failures}), next try in ${wait} ms`, error);
    } finally {
      this.#busy = false;
    }
  }

  /** false: not sent (no endpoint any more, or the share changed meanwhile). */
  async #upload(producerId: string, blob: Blob): Promise<boolean> {
    const endpoint = this.endpoint();
    if (!endpoint || producerId !== this.#share) return false;
    const response = await fetch(stillUrl(endpoint, producerId), {
      method: 'PUT',
      headers: { Authorization: `Bearer ${endpoint.token}`, 'Content-Type': blob.type },
      body: blob,
      credentials: 'omit',
    });
    if (!response.ok) throw new StillRefused(response.status, await response.text().catch(() => ''));
    return true;
  }
}
