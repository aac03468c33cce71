/**
 * A participant's shared screen, large: fitted to the stage, then zoomed and
 * moved by the viewer (wheel and drag, pinch and drag, double tap, keys,
 * buttons), and full screen on request.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { layoutOf, MAX_SCALE, MIN_SCALE, type Size } from '../../stage/zoomPan';
import { useRoom } from '../context';
import { CaptureButton } from '../markup/CaptureButton';
import { ExitFullscreenIcon, FitIcon, FullscreenIcon, ZoomInIcon, ZoomOutIcon } from '../icons';
import { ScreenVideo } from '../MediaElements';
import { useElementSize } from './useElementSize';
import { useFullscreen } from './useFullscreen';
import { useObservedVideo } from '../useObservedVideo';
import { usePanZoom } from './usePanZoom';

/** Until the first frame says otherwise: the shape of most screens. */
const DEFAULT_PICTURE: Size = { width: 1920, height: 1080 };

export function ScreenStage({ peerId }: { peerId: string }) {
  const { state } = useRoom();
  const participant = state.participants.value.find((p) => p.peerId === peerId);
  const box = useRef<HTMLDivElement>(null);
  const viewport = useRef<HTMLDivElement>(null);
  const stageSize = useElementSize(viewport);
  const [picture, setPicture] = useState<Size>(DEFAULT_PICTURE);
  const layout = useMemo(() => layoutOf(picture, stageSize), [picture, stageSize]);
  const zoom = usePanZoom(layout);
  const fullscreen = useFullscreen(box);
  const producerId = participant?.producers.find((p) => p.source === 'screen')?.producerId ?? null;
  // The stage's visible area: a screen is single-layer, only shown or not matters.
  useObservedVideo(viewport, participant?.screenTrack ? producerId : null);

  const track = participant?.screenTrack;
  if (!participant || !track) return null;
  const { view } = zoom;
  const name = participant.displayName;
  // This page's downlink cannot carry the video: a still picture of it instead (room/StillReceiver.ts).
  const shownStill = state.screenStills.value.get(peerId);
  const ofThisShare = shownStill && shownStill.producerId === producerId ? shownStill : null;
  const still = ofThisShare?.url ? { version: ofThisShare.version, url: ofThisShare.url } : null;
  // Announced, not here yet (the share's first still): said instead of a frozen video without a word.
  const stillLoading = !!ofThisShare && !still;
  const onSize = (width: number, height: number): void =>
    setPicture((old) => (old.width === width && old.height === height ? old : { width, height }));
  const pictureStyle = {
    width: `${layout.fitted.width}px`,
    height: `${layout.fitted.height}px`,
    transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})`,
  };
  // 100 % is one shared pixel per screen pixel: where 8-px text is as sharp as it gets.
  const percent = picture.width > 0 ? Math.round(((view.scale * layout.fitted.width) / picture.width) * 100) : 100;

  return (
    <div
      ref={box}
      class={`screen-stage ${fullscreen.active && fullscreen.emulated ? 'screen-stage--maximized' : ''}`}
      data-testid="stage-screen"
      data-peer-id={peerId}
      data-scale={view.scale.toFixed(3)}
    >
      <div class="screen-stage__bar">
        <span class="screen-stage__title">{t('stage.screenOf', { name })}</span>
        {still && (
          <span class="screen-stage__still" data-testid="stage-still-label" title={t('stage.stillHint')}>
            {t('stage.still')}
          </span>
        )}
        {stillLoading && (
          <span class="screen-stage__still" data-testid="stage-still-loading" role="status" title={t('stage.stillHint')}>
            {t('stage.stillLoading')}
          </span>
        )}
        <div class="screen-stage__tools" role="toolbar" aria-label={t('stage.tools')}>
          <CaptureButton track={track} who={name} />
          <button
            type="button"
            class="button icon-button"
            data-testid="zoom-out"
            aria-label={t('stage.zoomOut')}
            title={t('stage.zoomOut')}
            disabled={view.scale <= MIN_SCALE}
            onClick={zoom.zoomOut}
          >
            <ZoomOutIcon />
          </button>
          <span class="screen-stage__zoom" role="status" aria-label={t('stage.zoomLevelLabel', { percent })}>
            {t('stage.zoomLevel', { percent })}
          </span>
          <button
            type="button"
            class="button icon-button"
            data-testid="zoom-in"
            aria-label={t('stage.zoomIn')}
            title={t('stage.zoomIn')}
            disabled={view.scale >= MAX_SCALE}
            onClick={zoom.zoomIn}
          >
            <ZoomInIcon />
          </button>
          <button
            type="button"
            class="button icon-button"
            data-testid="zoom-fit"
            aria-label={t('stage.zoomFit')}
            title={t('stage.zoomFit')}
            disabled={view.scale <= MIN_SCALE}
            onClick={zoom.reset}
          >
            <FitIcon />
          </button>
          <button
            type="button"
            class="button icon-button"
            data-testid="fullscreen-toggle"
            aria-pressed={fullscreen.active}
            aria-label={fullscreen.active ? t('stage.exitFullscreen') : t('stage.fullscreen')}
            title={fullscreen.active ? t('stage.exitFullscreen') : t('stage.fullscreen')}
            onClick={fullscreen.toggle}
          >
            {fullscreen.active ? <ExitFullscreenIcon /> : <FullscreenIcon />}
          </button>
        </div>
      </div>
      <div
        ref={viewport}
        class={`screen-stage__viewport ${view.scale > MIN_SCALE ? 'screen-stage__viewport--zoomed' : ''}`}
        tabIndex={0}
        aria-label={t('stage.viewport', { name })}
        {...zoom.handlers}
      >
        {still ? (
          <img
            class="screen-video"
            data-testid="stage-still"
            data-version={still.version}
            src={still.url}
            alt={t('stage.screenOf', { name })}
            style={pictureStyle}
            onLoad={(event) => {
              const img = event.currentTarget;
              if (img.naturalWidth > 0) onSize(img.naturalWidth, img.naturalHeight);
            }}
          />
        ) : (
          <ScreenVideo track={track} onSize={onSize} style={pictureStyle} />
        )}
      </div>
    </div>
  );
}
