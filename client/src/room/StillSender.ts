/**
 * The sharer's side of the still pictures (issue 21): while the server says
 * some viewer's downlink cannot carry this page's screen video
 * (`screenStillWanted`), grabs a frame of the shared screen, encodes it
 * compactly and uploads it: the first at once, then a new one when the
 * screen has changed and settled, at most one a second (stage/screenStill.ts
 * decides on a 96-px-wide copy, cheap to compare).
 */
import { createLogger } from '../log';
import { lumaOf, posterise, PROBE_WIDTH, StillSchedule } from '../stage/screenStill';
import { stillUrl, type StillEndpoint } from './stillEndpoint';

const log = createLogger('still');

/** How often the screen is probed for a change. */
const PROBE_MS = 400;
/**
 * The encoding: WebP, lossless (quality 1 in Chromium), of the picture in
 * grey levels (stage/screenStill.ts posterise: 20 KB at 42 dB for the test
 * plan, scripts/bench/README.md "Still pictures").
 */
export const STILL_TYPE = 'image/webp';
export const STILL_QUALITY = 1;

export class StillSender {
  #producerId: string | null = null;
  #video: HTMLVideoElement | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;
  readonly #schedule = new StillSchedule();

  constructor(
    private readonly track: () => MediaStreamTrack | null,
    private readonly endpoint: () => StillEndpoint | null,
  ) {}

  /** The server's `screenStillWanted`. */
  wanted(producerId: string, wanted: boolean): void {
    if (!wanted) {
      if (producerId === this.#producerId) this.stop();
      return;
    }
    if (this.#producerId === producerId) return;
    this.stop();
    const track = this.track();
    if (!track) return;
    this.#producerId = producerId;
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    video.play().catch((error: unknown) => log.warn('still: the screen does not play', error));
    this.#video = video;
    // The first still as soon as the element has a frame, not at the next probe.
    video.addEventListener('loadeddata', () => void this.#tick(), { once: true });
    this.#schedule.reset();
    this.#timer = setInterval(() => void this.#tick(), PROBE_MS);
    void this.#tick();
  }

  /** The share ended, the page left: no more stills. */
  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#video) this.#video.srcObject = null;
    this.#video = null;
    this.#producerId = null;
  }

  async #tick(): Promise<void> {
    const video = this.#video;
    const producerId = this.#producerId;
    if (!video || !producerId) return;
    // The share ended or another began (its producer is a new one: wanted anew if needed).
    const track = this.track();
    if (!track || track.readyState === 'ended' || (video.srcObject as MediaStream | null)?.getVideoTracks()[0] !== track) {
      this.stop();
      return;
    }
    if (this.#busy || video.videoWidth === 0) return;
    const width = video.videoWidth;
    const height = video.videoHeight;
    const probe = new OffscreenCanvas(PROBE_WIDTH, Math.max(1, Math.round((PROBE_WIDTH * height) / width)));
    const small = probe.getContext('2d', { willReadFrequently: true })!;
    small.drawImage(video, 0, 0, probe.width, probe.height);
    if (!this.#schedule.probe(lumaOf(small.getImageData(0, 0, probe.width, probe.height).data), performance.now())) return;
    this.#busy = true;
    try {
      const full = new OffscreenCanvas(width, height);
      const context = full.getContext('2d', { willReadFrequently: true })!;
      context.drawImage(video, 0, 0);
      const pixels = context.getImageData(0, 0, width, height);
      posterise(pixels.data);
      context.putImageData(pixels, 0, 0);
      const blob = await full.convertToBlob({ type: STILL_TYPE, quality: STILL_QUALITY });
      await this.#upload(producerId, blob);
    } catch (error) {
      log.warn('still not sent', error);
      this.#schedule.reset(); // sent again at the next probe
    } finally {
      this.#busy = false;
    }
  }

  async #upload(producerId: string, blob: Blob): Promise<void> {
    const endpoint = this.endpoint();
    if (!endpoint || producerId !== this.#producerId) return;
    const response = await fetch(stillUrl(endpoint, producerId), {
      method: 'PUT',
      headers: { Authorization: `Bearer ${endpoint.token}`, 'Content-Type': blob.type },
      body: blob,
      credentials: 'omit',
    });
    if (!response.ok) throw new Error(`still upload: HTTP ${response.status} ${await response.text().catch(() => '')}`);
    log.info(`still sent: ${blob.size} bytes`);
  }
}
