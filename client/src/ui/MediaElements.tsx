/**
 * The only components that touch MediaStreamTracks: they attach the opaque
 * track references from state to <video>/<audio> through `srcObject`.
 */
import type { JSX } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { blockedPlayback, isAutoplayRefusal } from '../env/autoplay';
import { createLogger } from '../log';
import { watchFirstFrame } from '../room/joinTimeline';

const log = createLogger('media-element');

function useSrcObject<E extends HTMLMediaElement>(track: MediaStreamTrack | null) {
  const ref = useRef<E>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return undefined;
    element.srcObject = track ? new MediaStream([track]) : null;
    if (track) {
      // Autoplay can be refused before any user gesture; the join click usually counts as one.
      element.play().catch((error: unknown) => {
        // Unmuted sound refused until a gesture (WebKit): the room offers a button that plays it.
        if (!element.muted && isAutoplayRefusal(error)) blockedPlayback.refused(element);
        log.debug('play() refused', error);
      });
    }
    return () => {
      blockedPlayback.forget(element);
      element.srcObject = null;
    };
  }, [track]);
  return ref;
}

/** `remote`: another participant's video, whose first frame ends the join's timeline (joinTimeline.ts). */
export function VideoView({ track, mirrored = false, remote = false }: { track: MediaStreamTrack; mirrored?: boolean; remote?: boolean }) {
  const ref = useSrcObject<HTMLVideoElement>(track);
  useEffect(() => {
    if (remote && ref.current) watchFirstFrame(ref.current);
  }, [remote, track, ref]);
  // Muted: a video element never plays sound here, audio has its own element.
  return <video ref={ref} class={mirrored ? 'video video--mirrored' : 'video'} autoPlay playsInline muted />;
}

/**
 * A shared screen on the stage: contained in its box (never cropped), sized
 * and moved by its parent through `style`, and reporting its intrinsic size,
 * which changes when the sharer resizes the shared window.
 */
export function ScreenVideo({
  track,
  style,
  onSize,
}: {
  track: MediaStreamTrack;
  style: JSX.CSSProperties;
  onSize: (width: number, height: number) => void;
}) {
  const ref = useSrcObject<HTMLVideoElement>(track);
  const report = (event: Event): void => {
    const video = event.currentTarget as HTMLVideoElement;
    if (video.videoWidth > 0) onSize(video.videoWidth, video.videoHeight);
  };
  return (
    <video
      ref={ref}
      class="screen-video"
      data-testid="stage-video"
      style={style}
      autoPlay
      playsInline
      muted
      onLoadedMetadata={report}
      onResize={report}
    />
  );
}

/** `setSinkId` where the browser has it (not in every DOM typing yet). */
type SinkElement = HTMLAudioElement & { sinkId?: string; setSinkId?: (id: string) => Promise<void> };

/**
 * Plays a remote participant's audio. Unmuted on purpose: audio stats need a
 * playing element. `sinkId` routes it (speaker, earpiece, headset; '' = the
 * browser's default) where the browser allows it (see phone/audioOutput.ts).
 */
export function AudioSink({ track, sinkId = '' }: { track: MediaStreamTrack; sinkId?: string }) {
  const ref = useSrcObject<HTMLAudioElement>(track);
  useEffect(() => {
    const element = ref.current as SinkElement | null;
    if (!element?.setSinkId || element.sinkId === sinkId) return;
    element.setSinkId(sinkId).catch((error: unknown) => log.warn(`setSinkId(${sinkId}) refused`, error));
  }, [sinkId]);
  return <audio ref={ref} autoPlay data-sink-id={sinkId} />;
}
