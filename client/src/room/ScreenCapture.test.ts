import { describe, expect, it } from 'vitest';
import { SCREEN_CONTENT_HINT } from './producerOptions';
import { classifyDisplayError, DISPLAY_OPTIONS, ScreenCapture, type DisplayMediaLike } from './ScreenCapture';

/** Just what ScreenCapture touches of a MediaStreamTrack. */
class FakeTrack extends EventTarget {
  contentHint = '';
  stopped = false;
  constructor(readonly kind: 'audio' | 'video') {
    super();
  }
  stop(): void {
    this.stopped = true;
  }
  getSettings(): MediaTrackSettings {
    return { width: 1920, height: 1080, displaySurface: 'browser' };
  }
}

function stream(...tracks: FakeTrack[]): MediaStream {
  return {
    getTracks: () => tracks,
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
  } as unknown as MediaStream;
}

function picker(answer: () => Promise<MediaStream>): DisplayMediaLike & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    getDisplayMedia(options?: DisplayMediaStreamOptions) {
      asked.push(options);
      return answer();
    },
  };
}

describe('ScreenCapture', () => {
  it('opens the picker with the display options and marks the video as detailed content', async () => {
    const video = new FakeTrack('video');
    const audio = new FakeTrack('audio');
    const media = picker(() => Promise.resolve(stream(video, audio)));
    const capture = new ScreenCapture(media, () => undefined);
    await expect(capture.open()).resolves.toBe('opened');
    expect(media.asked).toEqual([DISPLAY_OPTIONS]);
    expect(video.contentHint).toBe(SCREEN_CONTENT_HINT);
    expect(capture.videoTrack).toBe(video);
    expect(capture.audioTrack).toBe(audio);
  });

  it("reports the browser's own stop (the track's ended event), and stops both tracks when asked", async () => {
    const video = new FakeTrack('video');
    const audio = new FakeTrack('audio');
    const ended: string[] = [];
    const capture = new ScreenCapture(picker(() => Promise.resolve(stream(video, audio))), (kind) => ended.push(kind));
    await capture.open();
    video.dispatchEvent(new Event('ended'));
    expect(ended).toEqual(['video']);
    capture.stop();
    expect([video.stopped, audio.stopped]).toEqual([true, true]);
    expect(capture.videoTrack).toBeNull();
    // A stopped track is not ours any more: its late events are ignored.
    video.dispatchEvent(new Event('ended'));
    expect(ended).toEqual(['video']);
  });

  it('tells a closed picker from a failure, and says when there is no picker at all', async () => {
    const refused = new ScreenCapture(picker(() => Promise.reject(new DOMException('no', 'NotAllowedError'))), () => undefined);
    await expect(refused.open()).resolves.toBe('cancelled');
    const broken = new ScreenCapture(picker(() => Promise.reject(new DOMException('busy', 'NotReadableError'))), () => undefined);
    await expect(broken.open()).resolves.toBe('failed');
    const phone = new ScreenCapture({}, () => undefined);
    expect(phone.supported).toBe(false);
    await expect(phone.open()).resolves.toBe('unsupported');
    expect(new ScreenCapture(null, () => undefined).supported).toBe(false);
    expect(classifyDisplayError(new Error('x'))).toBe('failed');
  });

  it('stops what the picker gives after the capture was stopped (left while choosing)', async () => {
    const video = new FakeTrack('video');
    let answer: (s: MediaStream) => void = () => undefined;
    const capture = new ScreenCapture(picker(() => new Promise((resolve) => (answer = resolve))), () => undefined);
    const opening = capture.open();
    capture.stop();
    answer(stream(video));
    await expect(opening).resolves.toBe('cancelled');
    expect(video.stopped).toBe(true);
    expect(capture.videoTrack).toBeNull();
  });
});
