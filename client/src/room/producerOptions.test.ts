import { describe, expect, it } from 'vitest';
import { AUDIO_CONSTRAINTS } from './media';
import { CAMERA_PRODUCER, MIC_PRODUCER, SCREEN_AUDIO_PRODUCER, SPEECH_BITRATE, SPEECH_PTIME_MS } from './producerOptions';

describe('speech', () => {
  it('sends the microphone as mono Opus with DTX, in-band FEC and a speech bitrate', () => {
    expect(MIC_PRODUCER.codecOptions).toEqual({
      opusStereo: false,
      opusDtx: true,
      opusFec: true,
      opusMaxAverageBitrate: SPEECH_BITRATE,
      opusPtime: SPEECH_PTIME_MS,
    });
    // Longer frames save headers; beyond 60 ms the delay and each loss are heard.
    expect([20, 40, 60]).toContain(SPEECH_PTIME_MS);
    expect(SPEECH_BITRATE).toBeGreaterThanOrEqual(16_000);
    expect(SPEECH_BITRATE).toBeLessThanOrEqual(32_000);
    // No video-only options leak into the audio producer.
    expect(MIC_PRODUCER.encodings).toBeUndefined();
  });

  it('captures with echo cancellation, noise suppression and automatic gain', () => {
    expect(AUDIO_CONSTRAINTS).toMatchObject({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
  });

  it('keeps shared audio stereo and continuous (not speech)', () => {
    expect(SCREEN_AUDIO_PRODUCER.codecOptions).toMatchObject({ opusStereo: true, opusDtx: false });
    expect(SCREEN_AUDIO_PRODUCER.codecOptions?.opusMaxAverageBitrate).toBeUndefined();
  });

  it('sends the camera in two layers whose heights the server expects (180p and 360p)', () => {
    expect(CAMERA_PRODUCER.encodings?.map((e) => e.scaleResolutionDownBy)).toEqual([2, 1]);
  });
});
