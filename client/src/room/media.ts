/**
 * Capture constraints and getUserMedia with the failures sorted out: a missing
 * or refused device never throws, it comes back as a DeviceIssue so that the
 * user can join without it.
 */
import type { DeviceIssue, DeviceOption } from '../state/roomState';
import { createLogger } from '../log';

const log = createLogger('media');

export const AUDIO_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

/**
 * 640x360 is what the top simulcast layer sends. The frame rate has no `min`:
 * a min is a hard constraint, and a site phone whose camera cannot do 20 fps
 * would fail with OverconstrainedError instead of joining with fewer frames.
 */
export const VIDEO_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  frameRate: { ideal: 30, max: 30 },
};

export function withDevice(base: MediaTrackConstraints, deviceId: string | null): MediaTrackConstraints {
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

export type MediaDevicesLike = Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices'>;

export interface AcquireRequest {
  /** Constraints for the microphone, or null to leave it. */
  audio: MediaTrackConstraints | null;
  video: MediaTrackConstraints | null;
}

export interface Acquired {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  audioIssue: DeviceIssue | null;
  videoIssue: DeviceIssue | null;
}

/** NotAllowedError (user or policy said no) versus everything else (absent, busy, overconstrained). */
export function classifyMediaError(error: unknown): DeviceIssue {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  return name === 'NotAllowedError' || name === 'SecurityError' ? 'PERMISSION_DENIED' : 'NO_DEVICE';
}

async function getOne(
  media: MediaDevicesLike,
  kind: 'audio' | 'video',
  constraints: MediaTrackConstraints,
): Promise<{ track: MediaStreamTrack | null; issue: DeviceIssue | null }> {
  try {
    const stream = await media.getUserMedia({ [kind]: constraints });
    const track = (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0] ?? null;
    return { track, issue: track ? null : 'NO_DEVICE' };
  } catch (error) {
    log.warn(`getUserMedia(${kind}) failed`, error);
    return { track: null, issue: classifyMediaError(error) };
  }
}

/**
 * Opens what is asked. Both at once first, so that the browser asks for
 * permission once; if that fails, each on its own, to keep the one that works.
 */
export async function acquireTracks(media: MediaDevicesLike | null, request: AcquireRequest): Promise<Acquired> {
  const result: Acquired = { audio: null, video: null, audioIssue: null, videoIssue: null };
  if (!request.audio && !request.video) return result;
  if (!media) {
    // No mediaDevices at all: an insecure (http) origin or a very old browser.
    return {
      ...result,
      audioIssue: request.audio ? 'NO_DEVICE' : null,
      videoIssue: request.video ? 'NO_DEVICE' : null,
    };
  }

  if (request.audio && request.video) {
    try {
      const stream = await media.getUserMedia({ audio: request.audio, video: request.video });
      const audio = stream.getAudioTracks()[0] ?? null;
      const video = stream.getVideoTracks()[0] ?? null;
      if (audio && video) return { ...result, audio, video };
      for (const track of stream.getTracks()) track.stop();
    } catch (error) {
      log.debug('getUserMedia(audio+video) failed, trying each alone', error);
    }
  }

  if (request.audio) {
    const { track, issue } = await getOne(media, 'audio', request.audio);
    result.audio = track;
    result.audioIssue = issue;
  }
  if (request.video) {
    const { track, issue } = await getOne(media, 'video', request.video);
    result.video = track;
    result.videoIssue = issue;
  }
  return result;
}

export interface DeviceLists {
  audioInputs: DeviceOption[];
  videoInputs: DeviceOption[];
}

export async function listDevices(media: MediaDevicesLike | null): Promise<DeviceLists> {
  if (!media) return { audioInputs: [], videoInputs: [] };
  const devices = await media.enumerateDevices();
  const pick = (kind: MediaDeviceKind): DeviceOption[] =>
    devices
      // Before permission, some browsers list one entry with an empty id: not selectable.
      .filter((d) => d.kind === kind && d.deviceId !== '')
      .map((d) => ({ deviceId: d.deviceId, label: d.label }));
  return { audioInputs: pick('audioinput'), videoInputs: pick('videoinput') };
}
