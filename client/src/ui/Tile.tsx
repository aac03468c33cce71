import { useRef } from 'preact/hooks';
import { canModerate } from '@chantier/signaling/protocol';
import { t } from '../i18n';
import type { TileModel } from '../state/roomState';
import { useRoom } from './context';
import { HandIcon, HeadphonesIcon, MicOffIcon, ScreenShareIcon } from './icons';
import { initials } from './initials';
import { VideoView } from './MediaElements';
import { ModeratorMenu } from './moderation/ModeratorMenu';
import { QualityIndicator } from './QualityIndicator';
import { useObservedVideo } from './useObservedVideo';

/**
 * One participant: camera (or initials), name, muted mic, sharing mark,
 * active-speaker border. The name stays readable on the narrowest tile (a
 * 360-px phone, two tiles a row): the label wraps, so the badges never take
 * the name's width (styles.css, .tile__label).
 */
export function Tile({ tile }: { tile: TileModel }) {
  // The shared screen itself is on the stage; the tile keeps the face.
  const video = tile.videoTrack;
  const ref = useRef<HTMLElement>(null);
  // The tile is the video's box: its visibility and size go to the server.
  useObservedVideo(ref, video ? tile.videoProducerId : null);
  const self = useRoom().state.self.value;
  const moderator = !tile.isSelf && self !== null && canModerate(self);
  const classes = ['tile', tile.speaking ? 'tile--speaking' : '', tile.isSelf ? 'tile--self' : ''].join(' ');
  return (
    <article
      ref={ref}
      class={classes}
      data-testid="tile"
      data-peer-id={tile.peerId}
      data-self={String(tile.isSelf)}
      data-speaking={String(tile.speaking)}
      data-mic-muted={String(tile.micMuted)}
      data-camera-off={String(tile.cameraOff)}
      data-sharing={String(tile.sharingScreen)}
      data-audio-only={String(tile.audioOnly)}
      data-hand-raised={String(tile.handRaised)}
      aria-label={tile.isSelf ? t('tile.you', { name: tile.displayName }) : tile.displayName}
    >
      {video ? (
        <VideoView track={video} mirrored={tile.isSelf} remote={!tile.isSelf} />
      ) : (
        <div class="tile__avatar" aria-hidden="true">
          <span>{initials(tile.displayName)}</span>
        </div>
      )}
      {tile.handRaised && (
        <span class="tile__hand" data-testid="hand-raised" title={t('tile.handRaised')}>
          <HandIcon />
          <span class="visually-hidden">{t('tile.handRaised')}</span>
        </span>
      )}
      {moderator && <ModeratorMenu tile={tile} />}
      <div class="tile__label">
        {tile.quality && <QualityIndicator peerId={tile.peerId} quality={tile.quality} />}
        {tile.audioOnly && (
          <span class="tile__audio-only" data-testid="audio-only-badge" role="img" aria-label={t('tile.audioOnly')} title={t('tile.audioOnly')}>
            <HeadphonesIcon />
            <span class="tile__badge-text" aria-hidden="true">
              {t('tile.audioOnly')}
            </span>
          </span>
        )}
        {tile.sharingScreen && (
          <span class="tile__sharing" title={t('tile.sharing')}>
            <ScreenShareIcon />
            <span class="visually-hidden">{t('tile.sharing')}</span>
          </span>
        )}
        {tile.micMuted && (
          <span class="tile__muted" title={t('tile.micMuted')}>
            <MicOffIcon />
            <span class="visually-hidden">{t('tile.micMuted')}</span>
          </span>
        )}
        {/* Name and "(vous)" in one box, which takes a row of its own when the badges leave it too little. */}
        <span class="tile__who">
          <span class="tile__name" data-testid="tile-name">
            {tile.displayName}
          </span>
          {tile.isSelf && <span class="tile__you">{t('tile.youMark')}</span>}
        </span>
      </div>
    </article>
  );
}
