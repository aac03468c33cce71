/**
 * "Capturer pour annoter": the current frame of a screen share, at the
 * share's full resolution, becomes a PNG document of the project, presented
 * at once so that everyone can mark it up. The frame comes from the track
 * itself (ImageCapture.grabFrame, the decoded frame at its own size) or, where
 * the browser has no ImageCapture, from a video element playing the track.
 */
import { signal, type ReadonlySignal } from '@preact/signals';
import type { ProjectDocument } from '../api/ProjectApi';
import { errorCodeOf, type AppErrorCode } from '../errors';
import { createLogger } from '../log';

const log = createLogger('capture');

export interface CaptureDeps {
  upload(file: File): Promise<ProjectDocument>;
  present(documentId: string): Promise<void>;
  /** The file's name for a share of `who`, at `time` (translated by the caller). */
  fileName(who: string, time: number): string;
}

export interface CaptureState {
  busy: ReadonlySignal<boolean>;
  error: ReadonlySignal<AppErrorCode | null>;
}

export interface CaptureActions {
  capture(track: MediaStreamTrack, who: string): Promise<void>;
}

/** The track's current frame as a PNG, at the frame's own size. */
export async function grabFrame(track: MediaStreamTrack): Promise<Blob> {
  const bitmap = await frameOf(track);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas');
  context.drawImage(bitmap, 0, 0);
  if ('close' in bitmap) bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no PNG'))), 'image/png'));
}

async function frameOf(track: MediaStreamTrack): Promise<ImageBitmap | HTMLVideoElement> {
  if (typeof ImageCapture === 'function') {
    try {
      // grabFrame is in Chromium and in the spec, not yet in TypeScript's DOM types.
      return await (new ImageCapture(track) as ImageCapture & { grabFrame(): Promise<ImageBitmap> }).grabFrame();
    } catch (error) {
      log.info('ImageCapture failed, reading the frame from a video element', error);
    }
  }
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([track]);
  await video.play();
  if (video.videoWidth === 0) await new Promise((resolve) => video.addEventListener('resize', resolve, { once: true }));
  return video;
}

export class CaptureController implements CaptureActions {
  readonly #busy = signal(false);
  readonly #error = signal<AppErrorCode | null>(null);
  readonly state: CaptureState = { busy: this.#busy, error: this.#error };

  constructor(private readonly deps: CaptureDeps) {}

  async capture(track: MediaStreamTrack, who: string): Promise<void> {
    if (this.#busy.value) return;
    this.#busy.value = true;
    this.#error.value = null;
    try {
      const png = await grabFrame(track);
      const file = new File([png], this.deps.fileName(who, Date.now()), { type: 'image/png' });
      const document = await this.deps.upload(file);
      await this.deps.present(document.documentId);
    } catch (error) {
      log.warn('capture not presented', error);
      this.#error.value = errorCodeOf(error);
    } finally {
      this.#busy.value = false;
    }
  }
}

/** "capture-lea-martin-2026-12-06-0942.png": who shared, and when (local time). */
export function captureFileName(who: string, time: number): string {
  const slug =
    who
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'ecran';
  const d = new Date(time);
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}`;
  return `capture-${slug}-${stamp}.png`;
}
